"""The sessions sign-ins opened, and "sign out everywhere"."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction

from accounts.models import UserSession
from training import services as training_services


def remember(*, user, session_key: str, provider: str, address: str | None) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "provider": provider, "address": address},
    )


def end_session(session_key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()
    UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def sign_out_everywhere(*, user) -> int:
    """Ends every session of the person (this one included) and gives him a new
    calendar link (the old one stops working). Returns the sessions ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        end_session(key)
    training_services.revoke_calendar_token(user=user)
    return len(keys)
