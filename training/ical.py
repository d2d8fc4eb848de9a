"""iCalendar (RFC 5545, RFC 7986) and iTIP (RFC 5546) documents for slots.

Pure functions: they take slots whose session, module, programme and school are already
loaded, and return bytes. No query, no clock: the same data gives the same bytes, which
is what lets the feeds answer ``304 Not Modified`` with a stable strong ETag.

Feeds and e-mailed invitations share ``slot_event``, so that a slot has one UID
everywhere (``slot-<id>@<host>``) and calendar programs merge what they receive.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
)

from training.models import Modality, Session, Slot

PRODID = "-//Dune//Formations des personnels//FR"
TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
UTC = dt.UTC
# Refresh hints (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH = dt.timedelta(hours=1)


def site_host() -> str:
    """The host name in UIDs: that of ``SITE_URL``, so UIDs never depend on a request."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def slot_uid(slot: Slot, host: str) -> str:
    return f"slot-{slot.pk}@{host}"


def session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("training:session_detail", args=[session.pk])


# --- Time zone ------------------------------------------------------------------------


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


@functools.lru_cache(maxsize=64)
def _eu_rule_holds(year: int) -> bool:
    """Whether Paris follows, in ``year``, the EU rule written in ``_rule_vtimezone``
    (summer time from the last Sunday of March to the last Sunday of October, 01:00 UTC).
    Checked against the tz database so that a change of the law is not silently missed."""
    march, october = _last_sunday(year, 3), _last_sunday(year, 10)
    for day, before, after in ((march, 1, 2), (october, 2, 1)):
        switch = dt.datetime.combine(day, dt.time(1, 0), UTC)
        offsets = [
            (switch + delta).astimezone(PARIS).utcoffset()
            for delta in (-dt.timedelta(minutes=1), dt.timedelta(minutes=1))
        ]
        if offsets != [dt.timedelta(hours=before), dt.timedelta(hours=after)]:
            return False
    return True


def _rule_vtimezone() -> Timezone:
    """Europe/Paris written with yearly RRULEs, the form Google Calendar emits: Outlook
    misreads VTIMEZONEs made of RDATE lists (which icalendar's ``add_missing_timezones``
    writes) and shifts summer events by an hour."""
    zone = Timezone()
    zone.add("TZID", TZID)
    zone.add("X-LIC-LOCATION", TZID)
    for part, name, offset_from, offset_to, start, month in (
        (TimezoneDaylight(), "CEST", 1, 2, dt.datetime(1970, 3, 29, 2, 0), 3),
        (TimezoneStandard(), "CET", 2, 1, dt.datetime(1970, 10, 25, 3, 0), 10),
    ):
        part.add("TZNAME", name)
        part.add("TZOFFSETFROM", dt.timedelta(hours=offset_from))
        part.add("TZOFFSETTO", dt.timedelta(hours=offset_to))
        part.add("DTSTART", start)
        part.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        zone.add_component(part)
    return zone


def paris_vtimezone(first: dt.date, last: dt.date) -> Timezone:
    """The VTIMEZONE for events between ``first`` and ``last``: the RRULE form while the
    EU rule holds, else (the law changed) transitions computed from the tz database."""
    if all(_eu_rule_holds(year) for year in range(first.year, last.year + 1)):
        return _rule_vtimezone()
    return Timezone.from_tzinfo(
        PARIS,
        tzid=TZID,
        first_date=dt.date(first.year, 1, 1),
        last_date=dt.date(last.year + 1, 1, 1),
    )


# --- Events ---------------------------------------------------------------------------


def is_cancelled(slot: Slot) -> bool:
    return slot.status == Slot.Status.CANCELLED or slot.session.status == Session.Status.CANCELLED


def _changed_at(slot: Slot) -> dt.datetime:
    """When what the event shows last changed: the slot, or its session (its status)."""
    return max(slot.updated_at, slot.session.updated_at).astimezone(UTC).replace(microsecond=0)


def _all_day_span(slot: Slot) -> tuple[dt.date, dt.date]:
    """Self-paced work as whole days, DTEND exclusive (RFC 5545 3.6.1): open from
    Monday 00:00 to Friday 00:00 covers Monday to Thursday, ends on Friday."""
    first = slot.start.astimezone(PARIS).date()
    # The last day touched: a window closing at midnight does not reach that day.
    last = (slot.end - dt.timedelta(microseconds=1)).astimezone(PARIS).date()
    return first, max(last, first) + dt.timedelta(days=1)


def _words(text: str) -> str:
    """``text`` as its words only, for comparing: lower case, no accents, hyphens and
    apostrophes as spaces (« Saint-Denis » is « saint denis »)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", text))


def _says(text: str, phrase: str) -> bool:
    """Whether ``text`` already says ``phrase``, as whole words."""
    words, phrase = _words(text), _words(phrase)
    return bool(phrase) and f" {phrase} " in f" {words} "


def _room(room: str) -> str:
    """« salle B12 », but a room already named so (« Salle 12 », « Salles 3 et 4 ») as
    it is."""
    prefix = _words(_("salle %(room)s") % {"room": ""})
    first_word = _words(room).partition(" ")[0]
    if first_word in {prefix, f"{prefix}s"}:
        return room
    return _("salle %(room)s") % {"room": room}


def _location(slot: Slot, *, public: bool) -> str:
    """The place in words, each said once: the city left out when the school's name
    already says it, « salle » when the room's name already starts with it."""
    if slot.modality == Modality.VIRTUAL:
        if public or not slot.video_url:
            return _("Classe virtuelle")
        return slot.video_url
    if slot.modality == Modality.SELF_PACED:
        return ""
    school = slot.school or slot.session.host_school
    parts = []
    if school is not None:
        parts.append(school.name)
        if school.city and not _says(school.name, school.city):
            parts.append(school.city)
    elif slot.session.location:
        parts.append(slot.session.location)
    if slot.room:
        parts.append(_room(slot.room))
    return ", ".join(parts)


def _summary(slot: Slot) -> str:
    """The module's title, then the slot's own; said once when one title holds the
    other (a slot titled « Intégrer l'ENT : atelier » in the module « Intégrer l'ENT »)."""
    title = module_title = slot.session.module.title
    if slot.title and not _says(module_title, slot.title):
        title = slot.title if _says(slot.title, module_title) else f"{title} — {slot.title}"
    if is_cancelled(slot):
        title = _("[ANNULÉ] %(title)s") % {"title": title}
    return title


def _description(slot: Slot, *, public: bool) -> str:
    session = slot.session
    programme = session.module.programme
    lines = [
        _("Dispositif : %(code)s %(title)s") % {"code": programme.code, "title": programme.title},
        _("Groupe : %(group)s") % {"group": session.group},
        _("Modalité : %(modality)s") % {"modality": slot.get_modality_display()},
    ]
    if slot.modality == Modality.SELF_PACED:
        lines.append(
            _("Travail en ligne à faire dans cette période (%(minutes)s minutes créditées).")
            % {"minutes": slot.minutes}
        )
    elif slot.modality == Modality.VIRTUAL and slot.video_url and not public:
        lines.append(_("Lien de la classe virtuelle : %(url)s") % {"url": slot.video_url})
    if is_cancelled(slot):
        lines.append(_("Cette séance est annulée."))
    lines.append(_("Page de la session : %(url)s") % {"url": session_url(session)})
    return "\n".join(lines)


def slot_event(
    slot: Slot,
    host: str,
    *,
    public: bool = False,
    stamp: dt.datetime | None = None,
    sequence: int | None = None,
) -> Event:
    """One slot as a VEVENT. ``public`` leaves out what only the session's people may
    know (the link of a virtual class). ``stamp`` and ``sequence``: see ``invitation``."""
    changed = _changed_at(slot)
    event = Event()
    event.add("UID", slot_uid(slot, host))
    # Without METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2).
    event.add("DTSTAMP", changed if stamp is None else stamp.astimezone(UTC).replace(microsecond=0))
    event.add("LAST-MODIFIED", changed)
    event.add("SEQUENCE", slot.sequence if sequence is None else sequence)
    if slot.modality == Modality.SELF_PACED:
        first, after_last = _all_day_span(slot)
        event.add("DTSTART", first)
        event.add("DTEND", after_last)
        # Work done whenever one likes within the window: it does not make one busy.
        event.add("TRANSP", "TRANSPARENT")
    else:
        event.add("DTSTART", slot.start.astimezone(PARIS))
        event.add("DTEND", slot.end.astimezone(PARIS))
        event.add("TRANSP", "OPAQUE")
    event.add("SUMMARY", _summary(slot))
    event.add("DESCRIPTION", _description(slot, public=public))
    location = _location(slot, public=public)
    if location:
        event.add("LOCATION", location)
    if slot.modality == Modality.VIRTUAL and slot.video_url and not public:
        # RFC 7986 CONFERENCE: clients show a "join" button.
        event.add(
            "CONFERENCE",
            slot.video_url,
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": _("Classe virtuelle")},
        )
    event.add("URL", session_url(slot.session))
    if is_cancelled(slot):
        event.add("STATUS", "CANCELLED")
    elif slot.session.status == Session.Status.DRAFT:
        event.add("STATUS", "TENTATIVE")
    else:
        event.add("STATUS", "CONFIRMED")
    return event


# --- Documents ------------------------------------------------------------------------


def _calendar(
    slots: Iterable[Slot],
    host: str,
    *,
    public: bool = False,
    stamp: dt.datetime | None = None,
    sequences: Mapping[int, int] | None = None,
    **extra,
) -> Calendar:
    """A VCALENDAR with the slots (by start, then id, whatever order they came in) and,
    when an event uses it, the Europe/Paris VTIMEZONE (RFC 5545 3.2.19 requires it)."""
    slots = sorted(slots, key=lambda slot: (slot.start, slot.pk))
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    for name, value in extra.items():
        # RFC 5545 TEXT values (RFC 7986 NAME, X-WR-CALNAME) escaped: icalendar writes
        # the properties it does not know as given, commas and newlines raw.
        calendar.add(name.replace("_", "-"), vText(value) if isinstance(value, str) else value)
    timed = [slot for slot in slots if slot.modality != Modality.SELF_PACED]
    if timed:
        calendar.add_component(
            paris_vtimezone(
                min(slot.start for slot in timed).astimezone(PARIS).date(),
                max(slot.end for slot in timed).astimezone(PARIS).date(),
            )
        )
    for slot in slots:
        sequence = None if sequences is None else sequences.get(slot.pk)
        calendar.add_component(
            slot_event(slot, host, public=public, stamp=stamp, sequence=sequence)
        )
    return calendar


def _in_site_language(build):
    """Calendar programs do not negotiate a language, and one feed's bytes (and ETag)
    are shared by all who read it: documents are written in the site's language."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return build(*args, **kwargs)

    return wrapper


@_in_site_language
def feed(*, name: str, slots: Iterable[Slot], host: str, public: bool = False) -> bytes:
    """A subscribed calendar: no METHOD (not a scheduling message), no ORGANIZER or
    ATTENDEE (nobody's address in a URL that gets shared), refresh hints of an hour."""
    calendar = _calendar(
        slots,
        host,
        public=public,
        NAME=name,
        X_WR_CALNAME=name,
        X_WR_TIMEZONE=TZID,
        REFRESH_INTERVAL=REFRESH,
        X_PUBLISHED_TTL="PT1H",
    )
    # RFC 7986 3.7: REFRESH-INTERVAL's value type must be given.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    return calendar.to_ical()


@_in_site_language
def download(*, slot: Slot, host: str) -> bytes:
    """One slot as a file to open once (no refresh hints: nothing comes back to it)."""
    return _calendar([slot], host).to_ical()


@_in_site_language
def invitation(
    *,
    method: str,
    slots: Iterable[Slot],
    organizer_email: str,
    attendee_email: str,
    host: str,
    stamp: dt.datetime | None = None,
    sequences: Mapping[int, int] | None = None,
) -> bytes:
    """An iTIP message (RFC 5546) for one attendee: REQUEST to add or update the slots
    in his calendar, CANCEL to remove them.

    ``stamp`` is when the message was created (the notification's ``created_at``): with
    a METHOD, DTSTAMP is the message's date, and clients use it to order two messages
    of the same SEQUENCE. ``sequences`` (slot id → SEQUENCE) overrides the slots' own
    for this attendee: a withdrawal's CANCEL must be above the REQUEST he last received
    although the slot did not change (see ``training.notifications``)."""
    method = method.upper()
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"unsupported iTIP method: {method}")
    calendar = _calendar(slots, host, stamp=stamp, sequences=sequences, METHOD=method)
    for event in calendar.walk("VEVENT"):
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["CN"] = "Dune"
        event.add("ORGANIZER", organizer)
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params.update(
            {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                # Replies would go to an address nobody reads: do not ask for them.
                "RSVP": "FALSE",
            }
        )
        event.add("ATTENDEE", attendee)
        if method == "CANCEL":
            event.pop("STATUS", None)
            event.add("STATUS", "CANCELLED")
    return calendar.to_ical()
