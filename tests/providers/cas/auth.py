"""``CAS_AUTH_CLASS`` reading users from the JSON file named by ``CAS_USERS_FILE``.

The file is a list of ``{"username": ..., "password": ..., "attributes": {...}}`` and is read
again each time the class is instantiated (on every login form check and every ticket
creation), so tests may add users while the server runs. Passwords are in clear: test data.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path

from cas_server.auth import AuthUser
from django.conf import settings


def load_users() -> list[dict]:
    path = settings.CAS_FIXTURE_USERS_FILE
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [entry for entry in data if isinstance(entry, dict) and entry.get("username")]


class JsonFileAuthUser(AuthUser):
    """A user of the JSON users file (``settings.CAS_FIXTURE_USERS_FILE``)."""

    def __init__(self, username):
        super().__init__(username)
        self.entry = next((u for u in load_users() if u["username"] == username), None)

    def test_password(self, password):
        if self.entry is None:
            return False
        expected = str(self.entry.get("password", ""))
        return hmac.compare_digest(expected.encode("utf-8"), str(password).encode("utf-8"))

    def attributs(self):  # (sic) the package's spelling
        if self.entry is None:
            return {}
        return dict(self.entry.get("attributes") or {})
