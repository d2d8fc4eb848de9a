"""Settings of the standalone CAS server used by the tests (not Dune's settings).

Run it with ``DJANGO_SETTINGS_MODULE=tests.providers.cas.settings`` from the repository root
(the package is imported as ``tests.providers.cas``: a bare ``cas`` would clash with the
``python-cas`` module that django-cas-ng installs). ``CasServer`` does all of this.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

try:
    CAS_DB = os.environ["CAS_DB"]
except KeyError:
    raise ImproperlyConfigured(
        "CAS_DB (path of the CAS server's SQLite file) must be set; "
        "start the server with tests.providers.cas_server.CasServer"
    ) from None
#: Read by tests.providers.cas.auth.JsonFileAuthUser on every login.
CAS_FIXTURE_USERS_FILE = os.environ.get("CAS_USERS_FILE", "")

SECRET_KEY = "cas-test-server-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = os.environ.get("CAS_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cas_server",
    "tests.providers.cas.apps.CasFixtureConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tests.providers.cas.urls"
WSGI_APPLICATION = "tests.providers.cas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": CAS_DB,
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The browser shares its cookies between every port of 127.0.0.1: Dune's test server and
# this CAS server must not overwrite each other's "sessionid"/"csrftoken"/"messages" cookies.
SESSION_COOKIE_NAME = "cas_sessionid"
CSRF_COOKIE_NAME = "cas_csrftoken"
LANGUAGE_COOKIE_NAME = "cas_language"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

LANGUAGE_CODE = "en-us"
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "cas_server": {"handlers": ["console"], "level": "INFO"},
    },
}

# --- django-cas-server -------------------------------------------------------------------
CAS_AUTH_CLASS = "tests.providers.cas.auth.JsonFileAuthUser"
# No call to PyPI, no mail to admins, no CDN: the tests run offline.
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
_SHIM_JS = "/static/cas_fixture/shim.js"
_SHIM_CSS = "/static/cas_fixture/shim.css"
CAS_COMPONENT_URLS = {
    "bootstrap3_css": _SHIM_CSS,
    "bootstrap3_js": _SHIM_JS,
    "html5shiv": _SHIM_JS,
    "respond": _SHIM_JS,
    "bootstrap4_css": _SHIM_CSS,
    "bootstrap4_js": _SHIM_JS,
    "jquery": "/static/cas_fixture/jquery-shim.js",
}
CAS_INFO_MESSAGES_ORDER = []
#: Single-logout POSTs are sent synchronously during /logout: do not hang a test on them.
CAS_SLO_TIMEOUT = 5
#: Seconds between the ticket's issuance and its validation by the service.
CAS_TICKET_VALIDITY = 60
