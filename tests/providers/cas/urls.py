"""The CAS endpoints at the root (``/login``, ``/logout``, ``/serviceValidate``,
``/p3/serviceValidate``, ...) and the static files, served even with DEBUG off."""

from django.contrib.staticfiles.views import serve
from django.urls import include, path, re_path

urlpatterns = [
    re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}),
    path("", include("cas_server.urls", namespace="cas_server")),
]
