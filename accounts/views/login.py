"""Signing in and out: the sign-in page (one button per configured provider above the
local form), the refusal page of a single sign-on, and signing out through the way one
came in (the provider's end-session, CAS single logout, or just Dune)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import providers
from accounts.backends import REFUSAL_SESSION_KEY
from accounts.forms.login import LoginForm
from accounts.services import identities
from accounts.signals import PROVIDER_SESSION_KEY


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "providers": providers.configured()}


def refused(request):
    """Why a single sign-on did not open a session, in French, and whom to ask."""
    refusal = request.session.pop(REFUSAL_SESSION_KEY, None) or {}
    reason = refusal.get("reason", identities.INVALID)
    if reason not in identities.REASONS:
        reason = identities.INVALID
    provider = {"oidc": settings.DUNE_OIDC_NAME, "cas": settings.DUNE_CAS_NAME}.get(
        refusal.get("provider", ""), ""
    )
    return render(
        request,
        "accounts/refused.html",
        {
            "reason": reason,
            "provider": provider,
            "support": settings.DUNE_SUPPORT_CONTACT,
            "title": "Connexion refusée",
        },
        status=403,
    )


@require_POST
def logout(request):
    """Sign out; a single sign-on also ends the provider's session where it can."""
    provider = request.session.get(PROVIDER_SESSION_KEY)
    if request.user.is_authenticated and provider == "oidc" and settings.DUNE_OIDC_ENABLED:
        url = providers.oidc_logout_url(request)
        auth.logout(request)
        return redirect(url)
    if request.user.is_authenticated and provider == "cas" and settings.DUNE_CAS_ENABLED:
        return redirect("accounts:cas_logout")  # django-cas-ng: Dune, then the CAS server
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
