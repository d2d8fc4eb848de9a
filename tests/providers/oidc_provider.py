"""A real OpenID Connect provider for the tests: panva's certified ``oidc-provider`` (Node),
run from ``tests/providers/oidc/`` on a free loopback port.

Only the standard library here (and nothing of Dune), so that any conftest may import it::

    from tests.providers.oidc_provider import start_provider

    provider = start_provider(
        ["http://testserver/oidc/callback/"], ["http://testserver/"]
    )
    provider.add_account("alice", "secret", "alice@example.org", staff_id="S-1")
    ...
    provider.stop()

The provider has one confidential client (``client_id`` / ``client_secret``), whose
redirect and post-logout redirect URIs are fixed when it starts. Its accounts live in a
JSON file that it reads again at every login and every claims lookup, so accounts may be
added while it runs.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "PROVIDER_DIR",
    "OidcProvider",
    "OidcProviderError",
    "ensure_installed",
    "start_provider",
]

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
READY_LINE = "OIDC provider ready on "


class OidcProviderError(RuntimeError):
    """The provider could not be installed or started."""


def _node_modules_fresh() -> bool:
    modules = PROVIDER_DIR / "node_modules"
    lock = PROVIDER_DIR / "package-lock.json"
    if not (modules / "oidc-provider" / "package.json").is_file():
        return False
    # npm writes node_modules/.package-lock.json on every install.
    stamp = modules / ".package-lock.json"
    installed = (stamp if stamp.exists() else modules).stat().st_mtime
    return installed >= lock.stat().st_mtime


def ensure_installed() -> None:
    """Install the provider's npm packages (``npm ci``) when ``node_modules`` is missing or
    older than ``package-lock.json``. Idempotent, quiet, safe across parallel workers."""
    if _node_modules_fresh():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise OidcProviderError(
            "npm is not installed: the test OpenID Connect provider needs Node.js (>= 18) and "
            "npm, e.g. `apt-get install nodejs npm`."
        )
    lock_path = PROVIDER_DIR / ".install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _node_modules_fresh():  # another process installed it meanwhile
                return
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=PROVIDER_DIR,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode != 0:
                raise OidcProviderError(
                    f"`npm ci` failed in {PROVIDER_DIR} (exit {result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}"
                )
            # npm ci keeps the files' own dates: mark the install as newer than the lock.
            (PROVIDER_DIR / "node_modules" / ".package-lock.json").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OidcProvider:
    """One provider process. ``start()`` it with the client's redirect URIs, ``stop()`` it
    at the end; also a context manager (``with OidcProvider().start([...]) as op:``)."""

    def __init__(
        self,
        client_id: str = "dune-tests",
        client_secret: str | None = None,
        *,
        port: int | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret or "dune-tests-" + secrets.token_urlsafe(24)
        self.port: int | None = port
        self.issuer: str | None = None
        self.discovery: dict = {}
        self.redirect_uris: list[str] = []
        self.post_logout_redirect_uris: list[str] = []
        self._requested_port = port
        self._dir = Path(tempfile.mkdtemp(prefix="dune-oidc-"))
        self.accounts_file = self._dir / "accounts.json"
        self._log_path = self._dir / "provider.log"
        self._accounts: list[dict] = []
        self._process: subprocess.Popen | None = None
        self._write_accounts()

    # -- accounts -------------------------------------------------------------------------

    def add_account(
        self,
        sub: str,
        password: str,
        email: str,
        staff_id: str = "",
        given_name: str = "",
        family_name: str = "",
    ) -> dict:
        """Add (or replace, by ``sub``) an account; the running provider sees it at once.
        Login takes the ``sub`` or the email (any case) with the password."""
        account = {
            "sub": sub,
            "password": password,
            "email": email,
            "staff_id": staff_id,
            "given_name": given_name,
            "family_name": family_name,
        }
        self._accounts = [a for a in self._accounts if a["sub"] != sub] + [account]
        self._write_accounts()
        return account

    def remove_account(self, sub: str) -> None:
        self._accounts = [a for a in self._accounts if a["sub"] != sub]
        self._write_accounts()

    def clear_accounts(self) -> None:
        self._accounts = []
        self._write_accounts()

    @property
    def accounts(self) -> list[dict]:
        return [dict(a) for a in self._accounts]

    def _write_accounts(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=".accounts-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self._accounts, out, ensure_ascii=False, indent=1)
        os.replace(tmp, self.accounts_file)

    # -- endpoints (from discovery, once started) -----------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return self.discovery["authorization_endpoint"]

    @property
    def token_endpoint(self) -> str:
        return self.discovery["token_endpoint"]

    @property
    def userinfo_endpoint(self) -> str:
        return self.discovery["userinfo_endpoint"]

    @property
    def jwks_uri(self) -> str:
        return self.discovery["jwks_uri"]

    @property
    def end_session_endpoint(self) -> str:
        return self.discovery["end_session_endpoint"]

    # -- process --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def output(self) -> str:
        """What the provider printed so far (stdout and stderr)."""
        try:
            return self._log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def start(
        self,
        redirect_uris: Iterable[str],
        post_logout_redirect_uris: Iterable[str] = (),
        *,
        timeout: float = 30.0,
    ) -> OidcProvider:
        """Start the provider and wait until its discovery document answers."""
        if self.running:
            raise OidcProviderError("the provider is already running")
        self.redirect_uris = list(redirect_uris)
        self.post_logout_redirect_uris = list(post_logout_redirect_uris)
        if not self.redirect_uris:
            raise ValueError("at least one redirect URI is needed")
        for uri in self.redirect_uris + self.post_logout_redirect_uris:
            if "," in uri:
                raise ValueError(f"a URI may not hold a comma: {uri!r}")
        ensure_installed()
        node = shutil.which("node")
        if node is None:
            raise OidcProviderError("node is not installed (the test provider needs Node.js)")

        attempts = 1 if self._requested_port else 3
        for attempt in range(attempts):
            self.port = self._requested_port or _free_port()
            self.issuer = f"http://127.0.0.1:{self.port}"
            try:
                self._spawn(node, timeout)
                return self
            except OidcProviderError:
                in_use = "EADDRINUSE" in self.output()
                self.stop()
                if not in_use or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _spawn(self, node: str, timeout: float) -> None:
        env = {
            **os.environ,
            "PORT": str(self.port),
            "ISSUER": self.issuer,
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "REDIRECT_URIS": ",".join(self.redirect_uris),
            "POST_LOGOUT_REDIRECT_URIS": ",".join(self.post_logout_redirect_uris),
            "ACCOUNTS_FILE": str(self.accounts_file),
            "EXIT_ON_STDIN_CLOSE": "1",
            "NODE_ENV": "test",
        }
        env.pop("DEBUG", None)  # the `debug` package would print the library's internals
        log = open(self._log_path, "w", encoding="utf-8")
        try:
            self._process = subprocess.Popen(
                [node, str(PROVIDER_DIR / "server.js")],
                cwd=PROVIDER_DIR,
                env=env,
                stdin=subprocess.PIPE,  # closed when we die: the provider then exits too
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        _RUNNING.add(self)

        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise OidcProviderError(
                    f"the OIDC provider exited with code {self._process.returncode}:\n"
                    f"{self.output()}"
                )
            if READY_LINE in self.output():
                try:
                    with urllib.request.urlopen(self.discovery_url, timeout=2) as resp:  # noqa: S310
                        self.discovery = json.load(resp)
                    return
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    last_error = exc
            time.sleep(0.05)
        raise OidcProviderError(
            f"the OIDC provider did not answer at {self.discovery_url} within {timeout:.0f} s "
            f"(last error: {last_error}):\n{self.output()}"
        )

    def stop(self) -> None:
        """Stop the provider (its sessions and tokens are lost). Safe to call twice."""
        process, self._process = self._process, None
        _RUNNING.discard(self)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stdin:
            with contextlib.suppress(OSError):
                process.stdin.close()

    def close(self) -> None:
        """Stop it and remove its temporary files (accounts, log)."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<OidcProvider {self.issuer or '(not started)'} {state}>"


_RUNNING: set[OidcProvider] = set()


@atexit.register
def _stop_all() -> None:
    for provider in list(_RUNNING):
        with contextlib.suppress(Exception):
            provider.close()


def start_provider(
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str] = (),
    *,
    client_id: str = "dune-tests",
    client_secret: str | None = None,
    timeout: float = 30.0,
) -> OidcProvider:
    """Start a provider whose one client has these redirect URIs (exact matches)."""
    provider = OidcProvider(client_id=client_id, client_secret=client_secret)
    try:
        return provider.start(redirect_uris, post_logout_redirect_uris, timeout=timeout)
    except BaseException:
        provider.close()
        raise


if __name__ == "__main__":  # make oidc-demo: a provider for the demo académie
    site = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    ensure_installed()
    op = OidcProvider("dune-demo", "dune-demo-secret", port=8010)
    op.start([f"{site}/comptes/oidc/retour/"], [f"{site}/"])
    # The demo's teacher, matched by her e-mail in the directory.
    op.add_account(
        "claire.martin", "demo-idp", "enseignant@demo.dune.invalid", "", "Claire", "Martin"
    )
    print(f"Fournisseur OpenID Connect de démonstration : {op.issuer}")
    print("Compte : claire.martin / demo-idp (l'enseignante de la démo)")
    print(
        f"Dans un autre terminal : OIDC_ISSUER={op.issuer} OIDC_CLIENT_ID={op.client_id} "
        f"OIDC_CLIENT_SECRET={op.client_secret} make run   (Ctrl-C pour arrêter)"
    )
    try:
        while op.running:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        op.close()
