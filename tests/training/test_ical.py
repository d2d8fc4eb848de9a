"""The iCalendar documents themselves (``training.ical``): what calendar programs need to
keep a slot in step (stable UID, SEQUENCE, Paris time zone, all-day online work,
cancellations) and what feeds must never carry (anyone's address)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.conftest import at
from training import ical, services
from training.models import Slot

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HOST = "dune.example.fr"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = f"https://{HOST}"


def load(*slots):
    """Slots as the views hand them over: session, module, programme and place loaded."""
    return list(
        Slot.objects.select_related("session__module__programme", "session__host_school", "school")
        .filter(pk__in=[slot.pk for slot in slots])
        .order_by("pk")
    )


def build(*slots, **kwargs):
    kwargs.setdefault("name", "Mes formations")
    return ical.feed(slots=load(*slots), host=HOST, **kwargs)


def events_of(content: bytes) -> dict:
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def event_of(content: bytes):
    [event] = events_of(content).values()
    return event


def add_slot(session, **fields):
    return Slot.objects.create(session=session, **fields)


# --- Identity and changes -------------------------------------------------------------


def test_uid_is_the_slot_id_at_the_site_host_and_never_changes(session, manager):
    slot = session.slots.get()
    uid = f"slot-{slot.pk}@{HOST}"
    assert set(events_of(build(slot))) == {uid}
    services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    assert set(events_of(build(slot))) == {uid}
    services.cancel_slot(user=manager, slot=slot)
    assert set(events_of(build(slot))) == {uid}


def test_the_host_comes_from_site_url(settings):
    settings.SITE_URL = "https://formation.ac-versailles.fr:8443"
    assert ical.site_host() == "formation.ac-versailles.fr"


def test_sequence_counts_changes_of_time_and_status(session, manager):
    slot = session.slots.get()
    assert int(event_of(build(slot))["SEQUENCE"]) == 0
    services.update_slot(user=manager, slot=slot, title="Atelier")  # not time nor place
    assert int(event_of(build(slot))["SEQUENCE"]) == 0
    services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    assert int(event_of(build(slot))["SEQUENCE"]) == 1
    services.update_slot(user=manager, slot=slot, room="C3")
    assert int(event_of(build(slot))["SEQUENCE"]) == 2
    services.cancel_slot(user=manager, slot=slot)
    assert int(event_of(build(slot))["SEQUENCE"]) == 3


def test_dtstamp_and_last_modified_are_the_last_change(session, manager):
    slot = session.slots.get()
    services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    slot.refresh_from_db()
    session.refresh_from_db()
    changed = max(slot.updated_at, session.updated_at).replace(microsecond=0)
    event = event_of(build(slot))
    assert event.decoded("DTSTAMP") == changed
    assert event.decoded("LAST-MODIFIED") == changed
    assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)


def test_unchanged_data_gives_the_same_bytes(session, make_session):
    other = make_session(days=40).slots.get()
    slot = session.slots.get()
    first = build(slot, other)
    assert build(other, slot) == first  # whatever order the slots come in
    assert ical.feed(name="Mes formations", slots=load(slot, other), host=HOST) == first


def test_building_runs_no_query(session, django_assert_num_queries):
    slots = load(session.slots.get())
    with django_assert_num_queries(0):
        ical.feed(name="x", slots=slots, host=HOST)
        ical.invitation(
            method="REQUEST",
            slots=slots,
            organizer_email="noreply@dune.invalid",
            attendee_email="claire@example.org",
            host=HOST,
        )


# --- Time -----------------------------------------------------------------------------


def test_timed_slots_are_in_paris_time_with_their_vtimezone(session):
    slot = session.slots.get()
    content = build(slot)
    event = event_of(content)
    for name in ("DTSTART", "DTEND"):
        assert event[name].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == at(30, 9)
    assert event.decoded("DTEND") == at(30, 12)
    assert event.decoded("DTSTART").astimezone(PARIS).hour == 9
    [zone] = Calendar.from_ical(content).walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"
    assert content.index(b"BEGIN:VTIMEZONE") < content.index(b"BEGIN:VEVENT")


def test_the_vtimezone_gives_the_offsets_of_the_tz_database():
    """The yearly rules written out (Outlook reads them, not RDATE lists) must say what
    zoneinfo says, summer and winter, for the years feeds will cover."""
    zone = Calendar.from_ical(
        ical.paris_vtimezone(dt.date(2025, 1, 1), dt.date(2037, 12, 31)).to_ical(),
        multiple=True,
    )[0]
    tz = zone.to_tz()
    moment = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    while moment.year < 2038:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(PARIS).utcoffset(), moment
        moment += dt.timedelta(days=3, hours=7)


def test_the_vtimezone_follows_the_tz_database_if_the_eu_rule_stops(monkeypatch):
    monkeypatch.setattr(ical, "_eu_rule_holds", lambda year: False)
    content = ical.paris_vtimezone(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).to_ical()
    assert b"RRULE" not in content
    assert b"TZID:Europe/Paris" in content


def test_every_event_has_an_end(session):
    slot = session.slots.get()
    online = add_slot(
        session, modality="self_paced", start=at(31, 0), end=at(38, 0), credited_minutes=90
    )
    for event in events_of(build(slot, online)).values():
        assert "DTEND" in event
        assert "DURATION" not in event


def test_self_paced_work_is_an_all_day_span_with_an_exclusive_end(session):
    week = add_slot(
        session, modality="self_paced", start=at(31, 0), end=at(38, 0), credited_minutes=90
    )
    evening = add_slot(
        session, modality="self_paced", start=at(40, 0), end=at(42, 18), credited_minutes=60
    )
    events = events_of(build(week, evening))
    first = events[f"slot-{week.pk}@{HOST}"]
    assert first["DTSTART"].params["VALUE"] == "DATE"
    assert first.decoded("DTSTART") == at(31).date()
    # Open until midnight starting day 38: its last day is day 37, DTEND the day after.
    assert first.decoded("DTEND") == at(38).date()
    assert first["TRANSP"] == "TRANSPARENT"
    assert "TZID" not in first["DTSTART"].params
    second = events[f"slot-{evening.pk}@{HOST}"]
    # Open until 18:00 on day 42: day 42 is included.
    assert second.decoded("DTEND") == at(43).date()
    assert "120 minutes" not in second["DESCRIPTION"]
    assert "60 minutes créditées" in second["DESCRIPTION"]


def test_only_self_paced_work_needs_no_vtimezone(session):
    online = add_slot(
        session, modality="self_paced", start=at(31, 0), end=at(38, 0), credited_minutes=90
    )
    assert b"VTIMEZONE" not in build(online)


# --- What the event says --------------------------------------------------------------


def test_summary_description_and_url(session):
    slot = session.slots.get()
    slot.title = "Atelier"
    slot.save()
    event = event_of(build(slot))
    assert event["SUMMARY"] == "Intégrer l'ENT — Atelier"
    description = str(event["DESCRIPTION"])
    assert "10A0250001 Usages du numérique" in description
    assert f"Groupe : {session.group}" in description
    assert "Modalité : Présentiel" in description
    url = f"https://{HOST}/formations/sessions/{session.pk}/"
    assert url in description
    assert event["URL"] == url
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "OPAQUE"


def test_location_is_the_school_and_room(session, other_school):
    other_school.city = "Paris"
    other_school.save()
    event = event_of(build(session.slots.get()))
    assert event["LOCATION"] == "Lycée Condorcet, Paris, salle B12"


def test_location_of_a_virtual_class_is_its_link_except_in_public_feeds(session):
    virtual = add_slot(
        session,
        modality="virtual",
        start=at(32, 14),
        end=at(32, 15),
        video_url="https://visio.example.org/salle-42",
    )
    event = event_of(build(virtual))
    assert event["LOCATION"] == "https://visio.example.org/salle-42"
    assert "https://visio.example.org/salle-42" in str(event["CONFERENCE"])
    public = build(virtual, public=True)
    assert b"visio.example.org" not in public
    assert event_of(public)["LOCATION"] == "Classe virtuelle"


def test_a_cancelled_slot_says_so(session, manager):
    slot = session.slots.get()
    services.cancel_slot(user=manager, slot=slot)
    event = event_of(build(slot))
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("[ANNULÉ] ")
    assert "Cette séance est annulée." in event["DESCRIPTION"]


def test_the_slots_of_a_cancelled_session_say_so(session, manager):
    services.cancel_session(user=manager, session=session, reason="Formateur indisponible")
    event = event_of(build(session.slots.get()))
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("[ANNULÉ] ")


def test_a_session_in_preparation_is_tentative(make_session):
    draft = make_session(status="draft")
    assert event_of(build(draft.slots.get()))["STATUS"] == "TENTATIVE"


def test_the_text_is_french_whatever_language_is_active(session):
    from django.utils import translation

    slot = session.slots.get()
    french = build(slot)
    with translation.override("en"):
        assert build(slot) == french


# --- Feeds ----------------------------------------------------------------------------


def test_a_feed_names_itself_and_asks_for_hourly_refresh(session):
    content = build(session.slots.get(), name="Formations — Collège Jean Moulin")
    calendar = Calendar.from_ical(content)
    assert calendar["NAME"] == "Formations — Collège Jean Moulin"
    assert calendar["X-WR-CALNAME"] == "Formations — Collège Jean Moulin"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar


def test_a_feed_carries_no_attendee_organizer_nor_method(session, teacher):
    content = build(session.slots.get())
    assert b"ATTENDEE" not in content
    assert b"ORGANIZER" not in content
    assert b"METHOD" not in content
    assert teacher.email.encode() not in content


def test_an_empty_feed_is_a_valid_calendar():
    calendar = Calendar.from_ical(ical.feed(name="Rien", slots=[], host=HOST))
    assert calendar.walk("VEVENT") == []
    assert calendar["X-WR-CALNAME"] == "Rien"


# --- Invitations (iTIP) ---------------------------------------------------------------


def invitation(slots, method, **kwargs):
    return ical.invitation(
        method=method,
        slots=load(*slots),
        organizer_email="noreply@dune.invalid",
        attendee_email="claire.martin@example.org",
        host=HOST,
        **kwargs,
    )


def test_a_request_names_the_organizer_and_the_attendee(session):
    slot = session.slots.get()
    content = invitation([slot], "REQUEST")
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    event = event_of(content)
    assert event["UID"] == f"slot-{slot.pk}@{HOST}"
    assert str(event["ORGANIZER"]) == "mailto:noreply@dune.invalid"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:claire.martin@example.org"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_a_request_is_stamped_with_the_message_date(session):
    stamp = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    event = event_of(invitation([session.slots.get()], "REQUEST", stamp=stamp))
    assert event.decoded("DTSTAMP") == stamp.replace(microsecond=0)


def test_a_cancel_cancels_every_slot(session):
    slot = session.slots.get()
    other = add_slot(session, modality="in_person", start=at(35, 9), end=at(35, 12))
    content = invitation([slot, other], "CANCEL")
    assert Calendar.from_ical(content)["METHOD"] == "CANCEL"
    events = events_of(content)
    assert set(events) == {f"slot-{slot.pk}@{HOST}", f"slot-{other.pk}@{HOST}"}
    for event in events.values():
        assert event["STATUS"] == "CANCELLED"
        assert str(event["ATTENDEE"]) == "mailto:claire.martin@example.org"


def test_only_request_and_cancel_are_sent(session):
    with pytest.raises(ValueError):
        invitation([session.slots.get()], "PUBLISH")
