"""Accounts and the directory: personal API tokens (and their security notice), calendar
feed tokens, and schools created by the rectorate."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from training import jobs
from training.errors import TrainingError
from training.models import Academy, ApiToken, CalendarToken, District, School, Staff
from training.permissions import can_manage_academy


def hash_token(raw: str) -> str:
    """SHA-256 of a token. The token carries 256 random bits, so a plain fast hash is
    enough (no dictionary to guess from), and lookups stay an indexed equality."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with the secret, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise TrainingError(_("Donnez un nom au jeton (par exemple l'outil qui l'utilisera)."))
    raw = settings.DUNE_API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw))
    token.full_clean()
    token.save()
    jobs.enqueue_on_commit(jobs.SEND_API_TOKEN_NOTICE, token.pk)
    return token, raw


def send_api_token_notice(*, token_id: int) -> bool:
    """Tell a person that an API token was created on his account (a security notice).

    The conditional update claims the notice first, so a retried or duplicated task
    sends nothing twice; if the send fails the claim is released for the retry.
    """
    claimed = ApiToken.objects.filter(pk=token_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    token = ApiToken.objects.select_related("user").get(pk=token_id)
    if not token.user.email:
        return False
    context = {"token": token, "user": token.user}
    try:
        with translation.override("fr"):
            send_mail(
                subject=render_to_string("emails/api_token_created_subject.txt", context).strip(),
                message=render_to_string("emails/api_token_created_body.txt", context),
                from_email=None,
                recipient_list=[token.user.email],
            )
    except Exception:
        ApiToken.objects.filter(pk=token_id).update(notified_at=None)
        raise
    return True


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once: the next request that carries it is refused."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _authenticate(model, raw: str, *, record_every: int):
    """The active token of an active user whose hash matches, or None. Its last use is
    written at most every ``record_every`` seconds, so a busy client does not write on
    every request."""
    token = (
        model.objects.active()
        .select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > record_every:
        model.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def authenticate_api_token(raw: str) -> ApiToken | None:
    return _authenticate(ApiToken, raw, record_every=60)


@transaction.atomic
def create_school(
    *,
    user,
    academy: Academy,
    uai: str,
    name: str,
    kind: str,
    district: District | None = None,
    city: str = "",
) -> School:
    if not can_manage_academy(user, academy):
        raise TrainingError(_("Vous ne gérez pas cette académie."), status=403)
    school = School(
        uai=(uai or "").strip().upper(),
        name=name.strip(),
        kind=kind,
        academy=academy,
        district=district,
        city=city.strip(),
    )
    school.full_clean()
    school.save()
    return school


# --- Calendar feed tokens -------------------------------------------------------------


@transaction.atomic
def rotate_calendar_token(*, user) -> tuple[CalendarToken, str]:
    """Give the person a new secret feed link; the previous one stops working at once.
    Returns the token and the secret, which is never stored (only its hash)."""
    CalendarToken.objects.select_for_update().filter(user=user).active().update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)  # 256 bits
    token = CalendarToken(user=user, prefix=raw[:8], token_hash=hash_token(raw))
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def revoke_calendar_token(*, user) -> int:
    return CalendarToken.objects.filter(user=user).active().update(revoked_at=timezone.now())


def authenticate_calendar_token(raw: str) -> CalendarToken | None:
    # Calendar clients poll about every hour: recording each read would be noise.
    return _authenticate(CalendarToken, raw, record_every=3600)


def _check_may_manage_person(actor, person) -> None:
    staff = getattr(person, "staff", None)
    academy = staff.school.academy if staff is not None else None
    if academy is None or not can_manage_academy(actor, academy):
        raise TrainingError(_("Vous ne gérez pas le compte de cette personne."), status=403)


@transaction.atomic
def deactivate_person(*, actor, person) -> None:
    """A person leaves the directory: the account is deactivated, never deleted (hours,
    attendance and allowances stay). Its sessions stop at once (Django refuses an
    inactive user), so do its API tokens (401) and calendar feeds (404)."""
    if actor is not None:
        _check_may_manage_person(actor, person)
    if person.pk == getattr(actor, "pk", None):
        raise TrainingError(_("Vous ne pouvez pas désactiver votre propre compte."))
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    _set_staff_active(person, False)
    person.is_active = False


@transaction.atomic
def reactivate_person(*, actor, person) -> None:
    """Back in the directory: the account, its tokens and feeds work again."""
    if actor is not None:
        _check_may_manage_person(actor, person)
    type(person).objects.filter(pk=person.pk).update(is_active=True)
    _set_staff_active(person, True)
    person.is_active = True


def _set_staff_active(person, active: bool) -> None:
    """Saved one by one (a person has one profile), so that the trail records it."""
    for staff in Staff.objects.filter(user=person).exclude(active=active):
        staff.active = active
        staff.save(update_fields=["active"])
