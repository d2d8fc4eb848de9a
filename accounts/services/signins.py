"""The sign-in log and the lockout it decides.

A username is locked from one address after ``DUNE_LOCKOUT_FAILURES`` failures there
within ``DUNE_LOCKOUT_MINUTES``; the username alone only after
``DUNE_LOCKOUT_USERNAME_FAILURES`` failures from at least
``DUNE_LOCKOUT_USERNAME_ADDRESSES`` addresses, so that a whole school behind one NAT
address cannot be locked out by one person's mistakes, nor one person from everywhere
by an attacker at one address. Failures before the last success or unlock do not count.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import SignInEvent

Outcome = SignInEvent.Outcome


def client_address(request) -> str | None:
    """The address a request comes from (the proxy's, when Dune runs behind one that
    overwrites REMOTE_ADDR: see README)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def normalise(username: str) -> str:
    return (username or "").strip().lower()[:255]


def record(*, request, provider: str, outcome: str, username: str = "", user=None, reason=""):
    if user is None and username:
        # A failure names an account when the username is one: its managers see it.
        user = get_user_model().objects.filter(username__iexact=username.strip()).first()
    return SignInEvent.objects.create(
        username=normalise(username or (user.get_username() if user else "")),
        user=user,
        address=client_address(request),
        provider=provider,
        outcome=outcome,
        reason=reason[:255],
    )


def locked_until(username: str, address: str | None, *, now: dt.datetime | None = None):
    """When the username may try again from this address, or None if it may now."""
    username = normalise(username)
    if not username:
        return None
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.DUNE_LOCKOUT_MINUTES)
    events = SignInEvent.objects.filter(username=username)
    reset = events.filter(outcome__in=[Outcome.SUCCESS, Outcome.UNLOCKED]).aggregate(at=Max("at"))[
        "at"
    ]
    failures = events.filter(outcome=Outcome.FAILURE, at__gt=now - window)
    if reset is not None:
        failures = failures.filter(at__gt=reset)
    until = []
    pair = list(
        failures.filter(address=address)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.DUNE_LOCKOUT_FAILURES]
    )
    if len(pair) >= settings.DUNE_LOCKOUT_FAILURES:
        until.append(pair[-1] + window)
    wide = list(
        failures.order_by("-at").values_list("at", "address")[
            : settings.DUNE_LOCKOUT_USERNAME_FAILURES
        ]
    )
    if (
        len(wide) >= settings.DUNE_LOCKOUT_USERNAME_FAILURES
        and len({a for _at, a in wide}) >= settings.DUNE_LOCKOUT_USERNAME_ADDRESSES
    ):
        until.append(wide[-1][0] + window)
    until = [u for u in until if u > now]
    return max(until) if until else None


def locked_usernames(usernames=None, *, now: dt.datetime | None = None) -> dict[str, list]:
    """The usernames locked now, each with the addresses it is locked from (None: every
    address), among ``usernames`` (all recent ones by default)."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.DUNE_LOCKOUT_MINUTES)
    recent = SignInEvent.objects.filter(outcome=Outcome.FAILURE, at__gt=now - window)
    if usernames is not None:
        recent = recent.filter(username__in=[normalise(u) for u in usernames])
    pairs = recent.values_list("username", "address").distinct()
    locked: dict[str, list] = {}
    for username, address in pairs:
        until = locked_until(username, address, now=now)
        if until is not None:
            locked.setdefault(username, []).append((address, until))
    return locked


def unlock(*, actor, username: str, request=None) -> SignInEvent:
    """A manager lifts the lockout: earlier failures no longer count."""
    return SignInEvent.objects.create(
        username=normalise(username),
        address=client_address(request),
        provider=SignInEvent.Provider.LOCAL,
        outcome=Outcome.UNLOCKED,
        actor=actor,
        reason="",
    )


def events_of(users_q: Q):
    """The log of the people matched by ``users_q`` (a filter on ``user``)."""
    return SignInEvent.objects.filter(users_q).select_related("user", "actor")
