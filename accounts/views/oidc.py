"""OpenID Connect sign-in: mozilla-django-oidc's views (state, nonce and PKCE stored in
the session and checked on the way back), reading the provider's endpoints from
discovery."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from mozilla_django_oidc import views as oidc_views

from accounts import providers
from accounts.backends import refuse
from accounts.errors import IdentityRefused

logger = logging.getLogger(__name__)


class OidcLoginView(oidc_views.OIDCAuthenticationRequestView):
    get_settings = staticmethod(providers.oidc_setting)

    def __init__(self, *args, **kwargs):  # the endpoint is read in get(), not at import
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not settings.DUNE_OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = providers.oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except requests.RequestException as exc:
            logger.warning("OpenID Connect provider unreachable: %s", exc)
            refuse(request, "oidc", IdentityRefused("unavailable"))
            return redirect("accounts:refused")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    get_settings = staticmethod(providers.oidc_setting)

    def get(self, request):
        if not settings.DUNE_OIDC_ENABLED:
            raise Http404
        return super().get(request)
