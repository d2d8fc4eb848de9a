"""Settings are read and checked at start: a bad value stops the process with a message
that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "dune.ac-versailles.fr",
    "DATABASE_URL": "sqlite:///" + "/tmp/dune-settings-test.sqlite3",
    "SITE_URL": "https://dune.ac-versailles.fr",
}


def run(args, env_overrides):
    dropped = {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "DUNE_SESSION_IDLE_SECONDS",
        "SESSION_COOKIE_AGE",
    }
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def start(env_overrides):
    return run(["-c", "import django; django.setup(); print('started')"], env_overrides)


def test_production_settings_start():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = start({**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_has_a_default_secret_key():
    result = start({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "peut-être", "DEBUG='peut-être' is not a boolean"),
        ("SECRET_KEY", "court", "SECRET_KEY is too short"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is empty"),
        (
            "DATABASE_URL",
            "mysql://root@localhost/dune",
            "Dune runs on SQLite (embedded) or PostgreSQL",
        ),
        ("DATABASE_URL", "n'importe quoi", "DATABASE_URL is not a database URL"),
        ("CELERY_BROKER_URL", "http://localhost", "use redis://"),
        ("EMAIL_HOST", "smtp.example.org", None),
        (
            "SITE_URL",
            "dune.example.org",
            "SITE_URL='dune.example.org' must be an absolute http(s) URL",
        ),
        ("CSRF_TRUSTED_ORIGINS", "dune.example.org", "must start with https://"),
        ("SECURE_HSTS_SECONDS", "un an", "SECURE_HSTS_SECONDS='un an' is not an integer"),
        ("CACHE_URL", "memcached://localhost", "use redis:// or rediss://"),
        (
            "OIDC_ISSUER",
            "https://idp.ac-versailles.fr",
            "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
        ),
        ("CAS_SERVER_URL", "cas.ac-versailles.fr", "must be an http(s) URL"),
        ("DUNE_LOCKOUT_FAILURES", "0", "DUNE_LOCKOUT_FAILURES=0 is out of range"),
    ],
)
def test_bad_values_stop_the_start_with_a_clear_message(variable, value, message):
    env = {**PRODUCTION, variable: value}
    if variable == "EMAIL_HOST":
        env["EMAIL_PORT"] = "99999"
        message = "EMAIL_PORT=99999 is out of range"
    result = start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_sessions_are_bounded_and_their_cookies_secure_in_production():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_AGE, s.DUNE_SESSION_IDLE_SECONDS)"
    )
    result = run(["-c", code], {**PRODUCTION, "SESSION_COOKIE_AGE": "7200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "7200", "3600"]


def test_check_deploy_gives_no_warning_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_runs_celery_in_process_and_mails_to_the_console():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from config import celery_app;"
        "print(celery_app.conf.task_always_eager, settings.EMAIL_BACKEND,"
        " settings.DATABASES['default']['ENGINE'],"
        " settings.DATABASES['default']['OPTIONS']['transaction_mode'], settings.TIME_ZONE,"
        " settings.LANGUAGE_CODE)"
    )
    result = run(["-c", code], {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "django.db.backends.sqlite3",
        "IMMEDIATE",
        "Europe/Paris",
        "fr",
    ]


def test_a_broker_url_turns_eager_mode_off():
    code = (
        "import django; django.setup(); from config import celery_app;"
        "print(celery_app.conf.task_always_eager)"
    )
    result = run(["-c", code], {"DEBUG": "1", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert result.stdout.strip() == "False"


def test_manage_py_defaults_to_development_settings():
    result = run(["manage.py", "check"], {})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
