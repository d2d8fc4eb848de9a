"""The ways into Dune (``AUTHENTICATION_BACKENDS``): a local password, OpenID Connect and
CAS. The two single sign-on backends check what the provider signed, then ask
``services.identities.match_identity`` which person of the directory it is; a refusal
is logged and its reason kept in the session for the refusal page."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import providers
from accounts.errors import IdentityRefused
from accounts.models import SignInEvent
from accounts.services import identities, signins

logger = logging.getLogger(__name__)
REFUSAL_SESSION_KEY = "dune_sign_in_refused"


def refuse(request, provider: str, exc: IdentityRefused) -> None:
    """Log a refused single sign-on and keep its reason for the refusal page."""
    signins.record(
        request=request,
        provider=provider,
        outcome=SignInEvent.Outcome.REFUSED,
        username=f"{provider}:{exc.detail}" if exc.detail else "",
        reason=exc.reason,
    )
    if request is not None and hasattr(request, "session"):
        request.session[REFUSAL_SESSION_KEY] = {"reason": exc.reason, "provider": provider}


class LocalBackend(ModelBackend):
    """Django's password check, refused while the username is locked from this address
    (``services.signins``)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        until = signins.locked_until(username, signins.client_address(request))
        if until is not None:
            if request is not None:
                request.dune_locked_until = until
            signins.record(
                request=request,
                provider=SignInEvent.Provider.LOCAL,
                outcome=SignInEvent.Outcome.LOCKED,
                username=username,
            )
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's authorization-code flow (state, nonce and PKCE are checked by
    its views), with the provider's endpoints from discovery, an ID token checked for its
    signature (the provider's JWKS), audience, issuer and expiry, and the person matched
    by staff id then e-mail."""

    def __init__(self, *args, **kwargs):
        # No network here: Django builds every backend for every sign-in, passwords
        # included; the endpoints are read from discovery when first used.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    get_settings = staticmethod(providers.oidc_setting)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (mozilla-django-oidc's name)
        return providers.oidc_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return providers.oidc_setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return providers.oidc_setting("OIDC_OP_JWKS_ENDPOINT")

    def authenticate(self, request, **kwargs):
        if not settings.DUNE_OIDC_ENABLED or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            refuse(request, SignInEvent.Provider.OIDC, IdentityRefused(identities.INVALID))
            return None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with OIDC_RP_SIGN_ALGO.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=providers.oidc_configuration()["issuer"],
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
                leeway=30,
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def get_or_create_user(self, access_token, id_token, payload):
        claims = {**self.get_userinfo(access_token, id_token, payload), **payload}
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo subject is not the ID token's.")
        try:
            return identities.match_identity(
                provider="oidc",
                subject=payload["sub"],
                issuer=payload.get("iss", ""),
                email=str(claims.get(settings.DUNE_OIDC_EMAIL_CLAIM) or ""),
                staff_id=str(claims.get(settings.DUNE_OIDC_STAFF_ID_CLAIM) or "")
                if settings.DUNE_OIDC_STAFF_ID_CLAIM
                else "",
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("family_name") or ""),
                address=signins.client_address(self.request),
            )
        except IdentityRefused as exc:
            refuse(self.request, SignInEvent.Provider.OIDC, exc)
            return None


class CasBackend(CASBackend):
    """django-cas-ng's CAS 3 ticket validation (attributes released by the server), with
    the person matched by staff id then e-mail."""

    def authenticate(self, request, ticket, service):
        if not settings.DUNE_CAS_ENABLED:
            return None
        client = get_cas_client(service_url=service, request=request)
        try:
            username, attributes, _pgtiou = client.verify_ticket(ticket)
        except requests.RequestException as exc:
            logger.warning("CAS ticket validation failed: %s", exc)
            username, attributes = None, None
        if not username:
            refuse(request, SignInEvent.Provider.CAS, IdentityRefused(identities.INVALID))
            return None
        attributes = attributes or {}

        def attribute(name: str) -> str:
            value = attributes.get(name) if name else None
            if isinstance(value, list):
                value = value[0] if value else None
            return str(value or "")

        try:
            return identities.match_identity(
                provider="cas",
                subject=username,
                issuer=settings.CAS_SERVER_URL,
                email=attribute(settings.DUNE_CAS_EMAIL_ATTRIBUTE),
                staff_id=attribute(settings.DUNE_CAS_STAFF_ID_ATTRIBUTE),
                first_name=attribute("givenName"),
                last_name=attribute("sn"),
                address=signins.client_address(request),
            )
        except IdentityRefused as exc:
            refuse(request, SignInEvent.Provider.CAS, exc)
            return None
