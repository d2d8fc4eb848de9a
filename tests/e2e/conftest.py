"""End-to-end journeys: the real server on a fresh SQLite file with the demo académie,
driven by Debian's headless Chromium through Playwright (``make e2e``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a sandboxed machine with no network but loopback: no background requests
# to Google's services, which would fail many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def identity_providers(live_port):
    """The académie's OpenID Connect provider and its ENT's CAS server, real ones on
    loopback ports (tests/providers/), which the server is configured with."""
    from tests.providers.cas_server import CasServer
    from tests.providers.oidc_provider import ensure_installed, start_provider

    ensure_installed()
    base = f"http://127.0.0.1:{live_port}"
    oidc = start_provider([f"{base}/comptes/oidc/retour/"], [f"{base}/"])
    cas = CasServer().start()
    yield oidc, cas
    cas.stop()
    oidc.close()


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory, live_port, identity_providers):
    """``make run``'s steps on a scratch database, then the server in the background,
    with single sign-on configured as the README tells an académie."""
    data = tmp_path_factory.mktemp("e2e")
    oidc, cas = identity_providers
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{data / 'dune.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "OIDC_ISSUER": oidc.issuer,
        "OIDC_CLIENT_ID": oidc.client_id,
        "OIDC_CLIENT_SECRET": oidc.client_secret,
        "OIDC_NAME": "l'académie de Versailles",
        "OIDC_STAFF_ID_CLAIM": "staff_id",
        "CAS_SERVER_URL": cas.base_url,
        "CAS_NAME": "l'ENT",
        "CAS_STAFF_ID_ATTRIBUTE": "staff_id",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["load_reference_data"], ["seed_demo", "--quiet"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = live_port
    log = open(data / "server.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server did not start: {(data / 'server.log').read_text()}"
                    ) from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server_url):
    # An English browser on purpose: Dune must answer in French until asked otherwise.
    context = browser.new_context(base_url=live_server_url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    from django.conf import settings

    def as_user(username: str):
        page.goto("/connexion/")
        page.get_by_label("Nom d’utilisateur").fill(username)
        page.get_by_label("Mot de passe").fill(settings.DUNE_DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/")
        return page

    return as_user
