"""Sign-ins written to the log as Django announces them (``user_logged_in``,
``user_login_failed``), with the session each one opened."""

from __future__ import annotations

import time

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_KEY
from accounts.models import SignInEvent
from accounts.services import sessions, signins

# Which provider each authentication backend stands for.
PROVIDER_OF_BACKEND = {
    "accounts.backends.LocalBackend": SignInEvent.Provider.LOCAL,
    "accounts.backends.OidcBackend": SignInEvent.Provider.OIDC,
    "accounts.backends.CasBackend": SignInEvent.Provider.CAS,
}
PROVIDER_SESSION_KEY = "dune_provider"


def logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    provider = PROVIDER_OF_BACKEND.get(
        request.session.get(BACKEND_SESSION_KEY, ""), SignInEvent.Provider.LOCAL
    )
    request.session[PROVIDER_SESSION_KEY] = provider
    request.session[LAST_SEEN_KEY] = request.session[SIGNED_IN_KEY] = int(time.time())
    if request.session.session_key is None:
        request.session.save()
    signins.record(request=request, provider=provider, outcome="success", user=user)
    sessions.remember(
        user=user,
        session_key=request.session.session_key,
        provider=provider,
        address=signins.client_address(request),
    )


def login_failed(sender, credentials, request=None, **kwargs):
    # Password sign-ins only: the single sign-on backends log their own refusals.
    if "username" not in credentials or "password" not in credentials:
        return
    if getattr(request, "dune_locked_until", None) is not None:
        return  # logged as "locked" by the backend, and not counted as a failure
    signins.record(
        request=request,
        provider=SignInEvent.Provider.LOCAL,
        outcome="failure",
        username=credentials.get("username") or "",
    )


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="accounts.logged_in")
    user_login_failed.connect(login_failed, dispatch_uid="accounts.login_failed")
