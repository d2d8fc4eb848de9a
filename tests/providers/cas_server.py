"""A real CAS server (django-cas-server, CAS protocol 3) in its own process, for the tests.

Standard library and pytest only: this module never imports Dune, and the server runs the
standalone Django project ``tests.providers.cas`` (own settings, own SQLite file in a temporary
directory) with the interpreter of the current virtualenv::

    server = CasServer().start()
    server.add_user("jdupont", "secret", "jean.dupont@ac-versailles.fr", staff_id="12345")
    settings.CAS_SERVER_URL = server.base_url      # "http://127.0.0.1:PORT/"
    ...
    server.stop()

or ``with CasServer() as server: ...``, or the session fixture :func:`cas_server` below.

Endpoints, all at the root of ``base_url``: ``login`` (the package's own form, fields
``username`` and ``password``), ``logout`` (``?service=`` redirects there afterwards),
``validate`` (CAS 1), ``serviceValidate``/``proxyValidate`` and ``p3/serviceValidate``/
``p3/proxyValidate`` (CAS 2/3 XML with ``<cas:attributes>``), ``samlValidate``.

Every service URL on ``http(s)://127.0.0.1|localhost|[::1]|testserver`` (any port, any path)
is accepted, receives every user attribute (``mail``, ``staff_id``, ``givenName``, ``sn``, and
any other one given to :meth:`CasServer.add_user`), and gets single logout: on ``/logout`` the
server POSTs ``logoutRequest=<samlp:LogoutRequest ...><samlp:SessionIndex>ST-...``
(form-encoded) to the exact service URL each of the user's tickets was issued for.

Run by hand: ``python -m tests.providers.cas_server --port 8001 --user jdupont:secret:mail``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

__all__ = ["CasServer", "CasServerError", "cas_server"]

#: The repository root (``tests.providers.cas`` is imported from there).
ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.providers.cas.settings"


#: Loopback only: never through an HTTP proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_LOOPBACK = "127.0.0.1,localhost,::1,testserver"


class CasServerError(RuntimeError):
    """The CAS server could not be prepared or started (the message holds its output)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, Linux only
    """Have the kernel send SIGTERM to the server if the test process dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class CasServer:
    """A django-cas-server process on a free loopback port.

    :param port: the port to listen on (default: a free one, picked at :meth:`start`).
    :param startup_timeout: seconds to wait for ``/login`` to answer.
    :param workdir: where the SQLite file, the users file and the log go (default: a new
        temporary directory, removed by :meth:`stop`).
    """

    host = "127.0.0.1"

    def __init__(
        self,
        port: int | None = None,
        *,
        startup_timeout: float = 30.0,
        workdir: str | os.PathLike | None = None,
        users_file=None,
    ):
        self._fixed_port = port
        self.port: int | None = port
        self.startup_timeout = startup_timeout
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="dune-cas-server-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.workdir / "cas.sqlite3"
        self.users_file = Path(users_file) if users_file else self.workdir / "users.json"
        self.log_path = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None
        if not self.users_file.exists():
            self._write_users([])
        atexit.register(self.stop)  # also cleans up after a failed start()

    # --- addresses ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``, with its trailing slash: django-cas-ng's
        ``CAS_SERVER_URL`` (the CAS endpoints are at its root: ``login``, ``logout``, ...)."""
        if self.port is None:
            raise CasServerError("the CAS server has no port yet: call start() first")
        return f"http://{self.host}:{self.port}/"

    def url(self, path: str) -> str:
        """An endpoint's absolute URL, e.g. ``url("p3/serviceValidate")``."""
        return self.base_url + path.lstrip("/")

    @property
    def login_url(self) -> str:
        return self.url("login")

    @property
    def logout_url(self) -> str:
        return self.url("logout")

    # --- users --------------------------------------------------------------------------

    @property
    def users(self) -> list[dict]:
        try:
            return json.loads(self.users_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []

    def add_user(
        self,
        username: str,
        password: str,
        mail: str,
        staff_id: str = "",
        given_name: str = "",
        family_name: str = "",
        **attributes,
    ) -> dict:
        """Add (or replace) a user, taken into account from the next login on.

        Released attributes: ``mail``, ``staff_id``, ``givenName`` (``given_name``), ``sn``
        (``family_name``) and any extra keyword (a list value gives a multi-valued attribute).
        Empty values are left out, as a directory leaves out attributes it does not hold.
        """
        values = {
            "mail": mail,
            "staff_id": staff_id,
            "givenName": given_name,
            "sn": family_name,
            **attributes,
        }
        entry = {
            "username": username,
            "password": password,
            "attributes": {k: v for k, v in values.items() if v not in ("", None, [])},
        }
        users = [u for u in self.users if u.get("username") != username]
        users.append(entry)
        self._write_users(users)
        return entry

    def remove_user(self, username: str) -> None:
        self._write_users([u for u in self.users if u.get("username") != username])

    def clear_users(self) -> None:
        self._write_users([])

    def _write_users(self, users: list[dict]) -> None:
        # Atomic replace: the server may read the file at any moment.
        self.users_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.users_file.with_name(f".{self.users_file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(users, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.users_file)

    # --- process ------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            CAS_DB=str(self.db_path),
            CAS_USERS_FILE=str(self.users_file),
            PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])]),
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        # The server's single-logout POSTs (python-requests) must not go through a proxy.
        for key in ("NO_PROXY", "no_proxy"):
            env[key] = ",".join(filter(None, [env.get(key), _LOOPBACK]))
        return env

    def _django(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "django", *args]

    def migrate(self) -> None:
        """Create the server's tables and its service pattern (a data migration)."""
        done = subprocess.run(
            self._django("migrate", "--noinput", "--verbosity", "0"),
            cwd=ROOT,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise CasServerError(
                f"migrating the CAS server's database failed ({done.returncode}):\n"
                f"{done.stdout}\n{done.stderr}"
            )

    def start(self) -> CasServer:
        """Migrate, start the server and wait until ``/login`` answers; returns ``self``."""
        if self.process is not None:
            return self
        self.workdir.mkdir(parents=True, exist_ok=True)  # stop() removes it
        if not self.users_file.exists():
            self._write_users([])
        self.migrate()
        attempts = 1 if self._fixed_port else 3
        for attempt in range(1, attempts + 1):
            self.port = self._fixed_port or free_port(self.host)
            try:
                self._spawn_and_wait()
            except CasServerError:
                taken = "already in use" in self.output()
                self.stop(remove_workdir=False)
                if taken and attempt < attempts:
                    continue  # someone took the free port in between: another one
                raise
            break
        print(f"CAS server ready on {self.base_url}", flush=True)
        return self

    def _spawn_and_wait(self) -> None:
        log = open(self.log_path, "wb")  # the child keeps its own descriptor
        try:
            self.process = subprocess.Popen(
                self._django(
                    "runserver", f"{self.host}:{self.port}", "--noreload", "--skip-checks"
                ),
                cwd=ROOT,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        finally:
            log.close()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise CasServerError(
                    f"the CAS server exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                with _opener.open(self.login_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise CasServerError(
                    f"the CAS server did not answer on {self.login_url} within "
                    f"{self.startup_timeout:.0f} s:\n{self.output()}"
                )
            time.sleep(0.1)

    def output(self) -> str:
        """What the server printed so far (requests, CAS logs, tracebacks)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, remove_workdir: bool = True) -> None:
        """Stop the server (idempotent) and remove its temporary directory."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if remove_workdir and self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> CasServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self.port else "not started"
        return f"<CasServer {where}>"


@pytest.fixture(scope="session")
def cas_server():
    """One CAS server for the whole session (import this fixture in a conftest).
    Users accumulate: call ``cas_server.clear_users()`` where that matters."""
    server = CasServer().start()
    yield server
    server.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the server in the foreground until Ctrl-C (for trying the journeys by hand)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--users-file", help="a JSON users file to use (and watch) instead")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        help="username:password:mail[:staff_id[:givenName[:sn]]], repeatable",
    )
    args = parser.parse_args(argv)
    server = CasServer(args.port, users_file=args.users_file)
    for spec in args.user:
        server.add_user(*spec.split(":"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally below
    server.start()
    print(f"users file: {server.users_file}\nlog: {server.log_path}", flush=True)
    try:
        while server.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
