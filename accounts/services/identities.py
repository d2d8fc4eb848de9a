"""Matching a signed-in identity to a person of the directory.

By the remembered identity first (provider and subject), then by the staff id the
provider sends, then by e-mail (case-insensitive). No match: refused, unless
``DUNE_SSO_CREATE_UNKNOWN`` lets an outside trainer in with an account and no role.
A person has at most one identity per provider: a second one is refused, never linked
silently; each new link is written to the sign-in log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import IdentityRefused
from accounts.models import ExternalIdentity, SignInEvent
from training.models import Staff

UNKNOWN = "unknown"
TAKEN = "taken"
AMBIGUOUS = "ambiguous"
INACTIVE = "inactive"
INVALID = "invalid"
UNAVAILABLE = "unavailable"
REASONS = (UNKNOWN, TAKEN, AMBIGUOUS, INACTIVE, INVALID, UNAVAILABLE)


def _person(*, staff_id: str, email: str):
    User = get_user_model()
    if staff_id:
        staff = Staff.objects.filter(staff_id=staff_id.strip()).select_related("user").first()
        if staff is not None:
            return staff.user
    if email:
        users = list(User.objects.filter(email__iexact=email.strip())[:2])
        if len(users) > 1:
            raise IdentityRefused(AMBIGUOUS, email)
        if users:
            return users[0]
    return None


@transaction.atomic
def match_identity(
    *,
    provider: str,
    subject: str,
    issuer: str = "",
    email: str = "",
    staff_id: str = "",
    first_name: str = "",
    last_name: str = "",
    address: str | None = None,
):
    """The person this identity signs in as, or ``IdentityRefused``."""
    subject = (subject or "").strip()
    if not subject:
        raise IdentityRefused(INVALID, "no subject")
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        user = _person(staff_id=staff_id or "", email=email or "")
        if user is None:
            if not settings.DUNE_SSO_CREATE_UNKNOWN:
                raise IdentityRefused(UNKNOWN, email or subject)
            user = _outside_user(provider, subject, email, first_name, last_name)
        if ExternalIdentity.objects.filter(provider=provider, user=user).exists():
            raise IdentityRefused(TAKEN, subject)
        try:
            with transaction.atomic():
                identity = ExternalIdentity.objects.create(
                    provider=provider, subject=subject, issuer=issuer, user=user
                )
        except IntegrityError:
            raise IdentityRefused(TAKEN, subject) from None
        SignInEvent.objects.create(
            username=user.get_username(),
            user=user,
            address=address,
            provider=provider,
            outcome=SignInEvent.Outcome.LINKED,
            reason=f"{subject} ({email})" if email else subject,
        )
    if not user.is_active:
        raise IdentityRefused(INACTIVE, user.get_username())
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_seen_at=timezone.now())
    return user


def _outside_user(provider, subject, email, first_name, last_name):
    """An account with no role for a person the directory does not know (off by
    default: ``DUNE_SSO_CREATE_UNKNOWN``)."""
    User = get_user_model()
    user = User(
        username=f"{provider}-{subject}"[:150],
        email=email or "",
        first_name=(first_name or "")[:150],
        last_name=(last_name or "")[:150],
    )
    user.set_unusable_password()
    user.save()
    return user
