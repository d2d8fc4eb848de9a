"""The identity providers an académie configured (environment variables, README
"Signing in"), and the OpenID Connect provider's endpoints read from its discovery
document (``<issuer>/.well-known/openid-configuration``), fetched once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# mozilla-django-oidc's setting names, and where discovery says each endpoint is.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_lock = threading.Lock()
_discovered: dict[str, dict] = {}


@dataclass(frozen=True)
class Provider:
    key: str  # "oidc" or "cas"
    name: str  # as the académie calls it: « Connexion avec l'académie de Versailles »
    url_name: str  # where its button leads


def configured() -> list[Provider]:
    """The buttons of the sign-in page, in this order; none when nothing is set."""
    providers = []
    if settings.DUNE_OIDC_ENABLED:
        providers.append(Provider("oidc", settings.DUNE_OIDC_NAME, "accounts:oidc_login"))
    if settings.DUNE_CAS_ENABLED:
        providers.append(Provider("cas", settings.DUNE_CAS_NAME, "accounts:cas_login"))
    return providers


def oidc_configuration() -> dict:
    """The issuer's discovery document (cached per process and issuer)."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ImproperlyConfigured("OpenID Connect is not configured (OIDC_ISSUER).")
    with _lock:
        if issuer in _discovered:
            return _discovered[issuer]
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration",
        timeout=settings.OIDC_TIMEOUT,
        verify=settings.OIDC_VERIFY_SSL,
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ImproperlyConfigured(
            f"The discovery document of {issuer} names another issuer: {document.get('issuer')!r}."
        )
    with _lock:
        _discovered[issuer] = document
    return document


def oidc_setting(attr: str, *default):
    """A mozilla-django-oidc setting; the provider's endpoints come from discovery."""
    if attr in DISCOVERED:
        return oidc_configuration()[DISCOVERED[attr]]
    if hasattr(settings, attr):
        return getattr(settings, attr)
    if default:
        return default[0]
    raise ImproperlyConfigured(f"Setting {attr} not found")


def oidc_logout_url(request) -> str:
    """Where sign-out sends an OpenID Connect session: the provider's end-session endpoint
    (which comes back to Dune's home page) when it has one, else the home page."""
    home = request.build_absolute_uri(reverse("home"))
    end_session = oidc_configuration().get("end_session_endpoint")
    id_token = request.session.get("oidc_id_token")
    if not end_session or not id_token:
        return home
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": home})
    return f"{end_session}?{query}"
