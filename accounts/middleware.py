"""Sessions end after ``DUNE_SESSION_IDLE_SECONDS`` without a request (the cookie's own
lifetime, ``SESSION_COOKIE_AGE``, bounds them in any case)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN_KEY = "dune_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - last > settings.DUNE_SESSION_IDLE_SECONDS:
                logout(request)
            elif last is None or now - last > 60:  # written at most once a minute
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
