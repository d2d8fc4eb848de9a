"""Calendar feeds (``/ical/…``) and the one-slot ``.ics`` download.

Calendar programs poll feeds every hour or so, mostly for nothing: each feed first
computes a cheap change marker (one aggregate query over its slots and what they show
of their module, programme and schools) and, when the program already holds the
version that marker stands for, answers ``304 Not Modified`` without loading a slot.
Otherwise it builds the calendar (``training.ical``) and sends it with a strong ETag
over the bytes. Programs that send ``If-Modified-Since`` rather than ``If-None-Match``
are answered from ``Last-Modified``: when the feed first served its current bytes.

Personal, school and session feeds are read by programs that cannot log in: the secret
in their URL (a ``CalendarToken``) stands for the person, and everything they show is
scoped by ``training.permissions`` for that person. An unknown or revoked secret, or an
object outside the person's scope, is a 404.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.http import (
    content_disposition_header,
    http_date,
    parse_etags,
    parse_http_date_safe,
)
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from training import ical, permissions, services
from training.models import Academy, Enrolment, EnrolmentEvent, Programme, Session, Slot

CONTENT_TYPE = "text/calendar; charset=utf-8"
# What a feed holds: slots that ended at most 30 days ago and start within a year;
# a cancelled one stays 30 days after its cancellation, so that the people who had it
# in their calendar see it cancelled rather than silently gone.
WINDOW_BEFORE = dt.timedelta(days=30)
WINDOW_AFTER = dt.timedelta(days=365)
CANCELLED_KEPT = dt.timedelta(days=30)
# How long a change marker's ETag is remembered (the marker moves with every change the
# feed shows, renames included: this only bounds the memory).
ETAG_TTL = 3600
# How long a feed remembers its current ETag and since when it serves it (its
# Last-Modified). Forgotten, the next answer is a full one with a new Last-Modified.
VERSION_TTL = 30 * 24 * 3600
# Bump when the documents' format changes, so that no remembered ETag outlives it.
FORMAT_VERSION = "2"
# What a feed shows of the rows that have no ``updated_at`` (module, programme, schools):
# the marker groups by them, so that a rename changes it at once.
RENDERED_FIELDS = (
    "session__module__title",
    "session__module__programme__code",
    "session__module__programme__title",
    "session__host_school__name",
    "session__host_school__city",
    "school__name",
    "school__city",
)
PRIVATE = "private, max-age=300"
PUBLIC = "public, max-age=300"

State = Enrolment.State


def _site_language(view):
    """Feeds are written in the site's language whatever the reader's cookie: calendar
    programs do not choose, and one feed's bytes (and ETag) are shared by all readers."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return view(request, *args, **kwargs)

    return wrapper


def _in_window(slots: QuerySet[Slot], now: dt.datetime) -> QuerySet[Slot]:
    return slots.filter(end__gte=now - WINDOW_BEFORE, start__lte=now + WINDOW_AFTER).exclude(
        status=Slot.Status.CANCELLED, updated_at__lt=now - CANCELLED_KEPT
    )


def _strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


def _etag_matches(request, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    candidates = parse_etags(header)
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


def _not_modified(request, *, etag: str, last_modified: dt.datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match when sent, else If-Modified-Since (whole seconds,
    as HTTP dates are)."""
    if request.headers.get("If-None-Match"):
        return _etag_matches(request, etag)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and int(last_modified.timestamp()) <= since


def _served_since(version_key: str, etag: str, now: dt.datetime) -> dt.datetime:
    """Since when the feed serves the bytes of ``etag``: its Last-Modified.

    Not the slots' last ``updated_at``: a withdrawal, a slot leaving the window or a
    renamed school change the bytes and move no ``updated_at``, and a 304 must never
    hide them. So the feed remembers (in the cache) its current ETag and when it first
    served it; other bytes, or nothing remembered, start a new version now, always
    later than the one before."""
    remembered = cache.get(version_key)
    if remembered is not None and remembered[0] == etag:
        return dt.datetime.fromtimestamp(remembered[1], dt.UTC)
    since = int(now.timestamp())
    if remembered is not None and since <= remembered[1]:
        since = remembered[1] + 1
    cache.set(version_key, (etag, since), VERSION_TTL)
    return dt.datetime.fromtimestamp(since, dt.UTC)


def _with_headers(
    response: HttpResponse, *, etag: str, last_modified: dt.datetime | None, cache_control: str
) -> HttpResponse:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    return response


def _marker(slots: QuerySet[Slot]) -> list[str]:
    """The change marker of ``slots``: one aggregate query, grouped by what the slots
    show of their module, programme and schools (a handful of groups), with in each
    group how many slots, which (sum of ids), their sequences, and the last change of a
    slot or of a session."""
    rows = (
        slots.values_list(*RENDERED_FIELDS)
        .annotate(
            count=Count("pk"),
            ids=Sum("pk"),
            sequences=Sum("sequence"),
            changed=Max("updated_at"),
            session_changed=Max("session__updated_at"),
        )
        .order_by()
    )
    return sorted(repr(tuple(row)) for row in rows)


def _feed_response(
    request,
    *,
    key: str,
    name: str,
    slots: QuerySet[Slot],
    public: bool = False,
) -> HttpResponse:
    """The feed of ``slots`` (already scoped; the window is applied here), or a 304.

    The marker (``_marker``), with the day (the window moves), the feed's key and name,
    names one version of the feed; the cache maps it to the ETag of the bytes built for
    it, and the feed's key to its current ETag and Last-Modified (``_served_since``).
    """
    now = timezone.now()
    slots = _in_window(slots, now).order_by()
    fingerprint = "|".join(
        str(part)
        for part in (
            FORMAT_VERSION,
            settings.SITE_URL,
            key,
            name,
            public,
            timezone.localdate(now).isoformat(),
            *_marker(slots),
        )
    )
    marker_key = "dune:ical:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    version_key = (
        "dune:ical:version:"
        + hashlib.sha256(f"{FORMAT_VERSION}|{settings.SITE_URL}|{key}".encode()).hexdigest()
    )
    cache_control = PUBLIC if public else PRIVATE

    etag = cache.get(marker_key)
    if etag is not None:
        last_modified = _served_since(version_key, etag, now)
        if _not_modified(request, etag=etag, last_modified=last_modified):
            return _with_headers(
                HttpResponseNotModified(),
                etag=etag,
                last_modified=last_modified,
                cache_control=cache_control,
            )
    body = ical.feed(
        name=name,
        slots=slots.select_related("session__module__programme", "session__host_school", "school"),
        host=ical.site_host(),
        public=public,
    )
    etag = _strong_etag(body)
    cache.set(marker_key, etag, ETAG_TTL)
    last_modified = _served_since(version_key, etag, now)
    if _not_modified(request, etag=etag, last_modified=last_modified):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        if not public:
            # A secret URL pasted somewhere must not end up in a search engine.
            response["X-Robots-Tag"] = "noindex, nofollow"
    return _with_headers(
        response, etag=etag, last_modified=last_modified, cache_control=cache_control
    )


def _token_or_404(raw: str):
    token = services.authenticate_calendar_token(raw)
    if token is None:
        raise Http404(_("Ce lien d'agenda n'existe pas ou a été révoqué."))
    return token


# --- Feeds ----------------------------------------------------------------------------


@require_safe
@_site_language
def personal_feed(request, token):
    """The slots one is booked on and the slots one trains. A session cancelled while
    one was booked stays (its slots cancelled) for the people who had it."""
    token = _token_or_404(token)
    user_id = token.user_id
    booked = Enrolment.objects.filter(staff__user_id=user_id, state=State.BOOKED).values(
        "session_id"
    )
    cancelled_while_booked = EnrolmentEvent.objects.filter(
        enrolment__staff__user_id=user_id,
        from_state=State.BOOKED,
        to_state=State.SESSION_CANCELLED,
    ).values("enrolment__session_id")
    trained = Session.trainers.through.objects.filter(user_id=user_id).values("session_id")
    slots = Slot.objects.filter(
        Q(session_id__in=booked)
        | Q(session_id__in=cancelled_while_booked)
        | Q(session_id__in=trained)
    )
    return _feed_response(
        request, key=f"personal:{user_id}", name=_("Mes formations (Dune)"), slots=slots
    )


@require_safe
@_site_language
def school_feed(request, token, uai):
    """The sessions held at the school or for it (in-school sessions), as far as the
    person may see them."""
    user = _token_or_404(token).user
    school = get_object_or_404(permissions.visible_schools(user), uai=uai.upper())
    sessions = (
        permissions.visible_sessions(user)
        .filter(status__in=[Session.Status.PUBLISHED, Session.Status.CANCELLED])
        .filter(Q(host_school=school) | Q(slots__school=school))
    )
    slots = Slot.objects.filter(session_id__in=sessions.values("pk"))
    return _feed_response(
        request,
        key=f"school:{user.pk}:{school.pk}",
        name=_("Formations — %(school)s") % {"school": school.name},
        slots=slots,
    )


@require_safe
@_site_language
def session_feed(request, token, pk):
    user = _token_or_404(token).user
    session = get_object_or_404(permissions.visible_sessions(user).select_related("module"), pk=pk)
    return _feed_response(
        request,
        key=f"session:{user.pk}:{session.pk}",
        name=_("%(title)s — groupe %(group)s")
        % {"title": session.module.title, "group": session.group},
        slots=Slot.objects.filter(session=session),
    )


@require_safe
@_site_language
def catalogue_feed(request, academy_code):
    """The académie's sessions open to everyone (individual application, not reserved
    to a school or a bassin): public, no login, no virtual-class links."""
    academy = get_object_or_404(Academy, code=academy_code)
    slots = Slot.objects.filter(
        session__module__programme__academy=academy,
        session__module__programme__kind=Programme.Kind.INDIVIDUAL,
        session__host_school__isnull=True,
        session__district__isnull=True,
        # Cancelled sessions too: their slots show as cancelled for 30 days.
        session__status__in=[Session.Status.PUBLISHED, Session.Status.CANCELLED],
    )
    return _feed_response(
        request,
        key=f"catalogue:{academy.pk}",
        name=_("Offre de formation — académie de %(academy)s") % {"academy": academy.name},
        slots=slots,
        public=True,
    )


# --- One slot -------------------------------------------------------------------------


@login_required
@require_safe
@_site_language
def slot_download(request, pk):
    slot = get_object_or_404(
        Slot.objects.select_related(
            "session__module__programme", "session__host_school", "school"
        ).filter(session__in=permissions.visible_sessions(request.user)),
        pk=pk,
    )
    body = ical.download(slot=slot, host=ical.site_host())
    etag = _strong_etag(body)
    # If-None-Match only: the ETag is over the bytes, while the slot's ``updated_at``
    # misses a renamed module or school, so If-Modified-Since is not answered with 304.
    if _etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        day = timezone.localdate(slot.start)
        filename = f"{slugify(slot.session.module.title)[:60] or 'seance'}-{day:%Y-%m-%d}.ics"
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return _with_headers(
        response,
        etag=etag,
        last_modified=max(slot.updated_at, slot.session.updated_at),
        cache_control=PRIVATE,
    )
