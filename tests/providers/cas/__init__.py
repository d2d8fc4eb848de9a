"""A tiny standalone Django project running a real CAS server (django-cas-server) for tests.

It is NOT part of Dune: it runs in its own process, with its own settings module
(``tests.providers.cas.settings``) and its own SQLite database, and is started by
``tests/providers/cas_server.py`` (``CasServer``). Configuration comes from the environment:

* ``CAS_DB``: path of the server's SQLite file (required);
* ``CAS_USERS_FILE``: path of the JSON users file, re-read on every login
  (``[{"username", "password", "attributes": {...}}, ...]``).
"""
