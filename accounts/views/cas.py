"""CAS sign-in: django-cas-ng's views (the service URL is this login URL; the CAS server
posts its single-logout requests to it too)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django_cas_ng import views as cas_views


class CasLoginView(cas_views.LoginView):
    def get(self, request):
        if not settings.DUNE_CAS_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except PermissionDenied:
            return redirect("accounts:refused")

    def post(self, request):
        if not settings.DUNE_CAS_ENABLED:
            raise Http404
        return super().post(request)


class CasLogoutView(cas_views.LogoutView):
    def get(self, request):
        if not settings.DUNE_CAS_ENABLED:
            raise Http404
        return super().get(request)
