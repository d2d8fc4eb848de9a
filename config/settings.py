"""Dune settings: one file, configured only through environment variables.

Every variable is read and checked here, at start: a bad value stops the process with a
message that names the variable, rather than failing later on the first request.

Embedded default (nothing set but DEBUG=1): SQLite file, Celery tasks run in-process,
emails printed to the console.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise ImproperlyConfigured(f"{name}={value} is out of range: it must be {bounds}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set a long random SECRET_KEY in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or DEBUG=1 for a development machine."
        )
    SECRET_KEY = "dev-only-insecure-key-dune-never-use-in-production-0123456789abcdef"  # noqa: S105
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 50 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty: list the host names Dune answers to, comma-separated."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with https:// or http://."
        )

# Public base URL, used where a link leaves the site (emails, calendar subscriptions).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be an absolute http(s) URL.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",  # django-dsfr's checkbox and radio templates load it
    "django_tables2",
    "django_filters",
    "ninja",
    "django_cas_ng",
    "auditlog",
    "training",
    "referents",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "training.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "training.middleware.ChangeOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "training.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_DEFAULT_DB_URL = f"sqlite:///{BASE_DIR / 'var' / 'dune.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL") or _DEFAULT_DB_URL
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Dune understands: {exc}"
    ) from None
if _db["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured(
        f"DATABASE_URL uses {_db['ENGINE']}: Dune runs on SQLite (embedded) or PostgreSQL."
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction opens, so concurrent writers queue
    # (up to the timeout) instead of failing with "database is locked" mid-transaction.
    _db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    _db["CONN_MAX_AGE"] = 0
    if _db["NAME"] not in {"", ":memory:"}:
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Sign-in (accounts/) ----------------------------------------------------------------
# Local passwords always; OpenID Connect and CAS when their variables are set (README,
# "Signing in"). Each backend matches an identity to a person of the directory.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LocalBackend",
    "accounts.backends.OidcBackend",
    "accounts.backends.CasBackend",
]
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
DUNE_OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET)
if OIDC_ISSUER and not DUNE_OIDC_ENABLED:
    raise ImproperlyConfigured("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
if OIDC_ISSUER and urlsplit(OIDC_ISSUER).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"OIDC_ISSUER={OIDC_ISSUER!r} must be an http(s) URL.")
DUNE_OIDC_NAME = os.environ.get("OIDC_NAME", "") or "l'académie"
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
DUNE_OIDC_EMAIL_CLAIM = os.environ.get("OIDC_EMAIL_CLAIM", "email")
DUNE_OIDC_STAFF_ID_CLAIM = os.environ.get("OIDC_STAFF_ID_CLAIM", "")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's end-session endpoint at sign-out
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/comptes/refus/"  # a path: mozilla-django-oidc does not reverse it
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", default=True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1, maximum=120)

CAS_SERVER_URL = os.environ.get("CAS_SERVER_URL", "")
DUNE_CAS_ENABLED = bool(CAS_SERVER_URL)
if CAS_SERVER_URL and urlsplit(CAS_SERVER_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"CAS_SERVER_URL={CAS_SERVER_URL!r} must be an http(s) URL.")
DUNE_CAS_NAME = os.environ.get("CAS_NAME", "") or "l'ENT"
CAS_VERSION = "3"
CAS_CREATE_USER = False
CAS_LOGOUT_COMPLETELY = True
CAS_STORE_NEXT = True
CAS_CHECK_NEXT = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_REDIRECT_URL = "/"
DUNE_CAS_EMAIL_ATTRIBUTE = os.environ.get("CAS_EMAIL_ATTRIBUTE", "mail")
DUNE_CAS_STAFF_ID_ATTRIBUTE = os.environ.get("CAS_STAFF_ID_ATTRIBUTE", "")
# An identity the directory does not know is refused; allowed, it gets an account with
# no role (a trainer from outside the académie, given roles by a manager afterwards).
DUNE_SSO_CREATE_UNKNOWN = env_bool("DUNE_SSO_CREATE_UNKNOWN", default=False)
# Whom the refusal page tells a person the directory does not know to ask.
DUNE_SUPPORT_CONTACT = os.environ.get(
    "DUNE_SUPPORT_CONTACT", "le gestionnaire de formation de votre rectorat"
)
# Failed sign-ins: the username from one address is locked after this many failures in
# the window; the username alone after DUNE_LOCKOUT_USERNAME_FAILURES failures from at
# least DUNE_LOCKOUT_USERNAME_ADDRESSES addresses (one NAT address cannot lock a school).
DUNE_LOCKOUT_FAILURES = env_int("DUNE_LOCKOUT_FAILURES", 5, minimum=1)
DUNE_LOCKOUT_USERNAME_FAILURES = env_int("DUNE_LOCKOUT_USERNAME_FAILURES", 20, minimum=1)
DUNE_LOCKOUT_USERNAME_ADDRESSES = env_int("DUNE_LOCKOUT_USERNAME_ADDRESSES", 3, minimum=1)
DUNE_LOCKOUT_MINUTES = env_int("DUNE_LOCKOUT_MINUTES", 15, minimum=1)
# Sessions: lifetime from the sign-in, and idle timeout (accounts/middleware.py).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
DUNE_SESSION_IDLE_SECONDS = env_int("DUNE_SESSION_IDLE_SECONDS", 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Activation and password-reset links expire after this long (seconds).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=600)

# The trail of every change (django-auditlog): who, when, from which request or job
# (training/origin.py), the fields before and after.
AUDITLOG_CID_GETTER = "training.origin.current"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
if DEBUG:
    # WhiteNoise serves from the apps' folders in development but expects the root too.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dune <noreply@dune.invalid>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Cache ----------------------------------------------------------------------------
# Calendar feeds remember their ETag here. Per process by default; with several web
# workers, a shared Redis cache saves rebuilding a feed once per worker.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    if urlsplit(CACHE_URL).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: use redis:// or rediss://.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL and urlsplit(CELERY_BROKER_URL).scheme not in {
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "memory",
}:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: use redis://, rediss://, amqp:// or memory://."
    )
# Without a broker, tasks run in-process when enqueued: the embedded default needs no server.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    # Even eager, Celery opens a producer pool: keep it in-process rather than letting it
    # default to amqp://localhost.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A killed worker's task is delivered again rather than lost; each worker reserves only
# the task it runs.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With Redis, an unacknowledged task is redelivered after this long: it must exceed the
# longest task (large exports and imports), or a second worker would start it again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600, minimum=60)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint tells each step of every PDF at INFO: only its warnings are worth a line.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Dune -----------------------------------------------------------------------------
DUNE_SITE_TITLE = "Dune"
DUNE_SITE_TAGLINE = _("Formation des enseignants et référents numériques")
DUNE_API_TOKEN_PREFIX = "dune_"  # noqa: S105 (a visible prefix, not a secret)
# Every ``@paginate`` of the API: limit and offset bounded, so a huge one is a 422.
NINJA_PAGINATION_CLASS = "training.api.pagination.LimitOffsetPagination"
# Reminder e-mail this many days before a session's first slot.
DUNE_REMINDER_DAYS = env_int("DUNE_REMINDER_DAYS", 3, minimum=1, maximum=30)
# A référent notes at most this much mission time in a day, all logs together (minutes).
DUNE_MISSION_MAX_MINUTES_PER_DAY = env_int(
    "DUNE_MISSION_MAX_MINUTES_PER_DAY", 24 * 60, minimum=60, maximum=24 * 60
)
# A séance in person or virtual lasts at most this long (a day's training, minutes).
DUNE_SLOT_MAX_MINUTES = env_int("DUNE_SLOT_MAX_MINUTES", 8 * 60, minimum=60, maximum=24 * 60)
# Trainers are reminded of an attendance sheet still empty this many days after the slot.
DUNE_ATTENDANCE_GRACE_DAYS = env_int("DUNE_ATTENDANCE_GRACE_DAYS", 3, minimum=1, maximum=60)
DUNE_DEMO_PASSWORD = os.environ.get("DUNE_DEMO_PASSWORD", "demo-dune-2010")
# Audit exports larger than this (rows, estimated with a count) run as a Celery task.
DUNE_EXPORT_SYNC_MAX_ROWS = env_int("DUNE_EXPORT_SYNC_MAX_ROWS", 20000, minimum=1)
# Uploaded and generated files (audit exports under exports/), served only through
# views that check who asks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# DSFR forms mark optional fields, as the design system now recommends. django-dsfr
# warns on every form that this setting is transitional: once is enough.
DSFR_MARK_OPTIONAL_FIELDS = True
warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS")
