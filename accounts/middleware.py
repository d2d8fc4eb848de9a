"""Sessions end after ``DUNE_SESSION_IDLE_SECONDS`` without a request, and
``SESSION_COOKIE_AGE`` after the sign-in whatever the activity."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN_KEY = "dune_last_seen"
SIGNED_IN_KEY = "dune_signed_in_at"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            signed_in = request.session.get(SIGNED_IN_KEY)
            if (last is not None and now - last > settings.DUNE_SESSION_IDLE_SECONDS) or (
                signed_in is not None and now - signed_in > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif last is None or now - last > 60:  # written at most once a minute
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
