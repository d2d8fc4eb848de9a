"""Calendar details (issue 14, item 9): calendar names escaped as TEXT, a withdrawal's
CANCEL above the last REQUEST, conditional requests on the one-slot download and the
feeds, feeds that see renames at once, and places and titles that say nothing twice."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from icalendar import Calendar

from tests.conftest import at
from training import ical, services
from training.models import Module, Notification, Programme, School, Slot

pytestmark = pytest.mark.django_db

HOST = "dune.example.fr"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def load(*slots):
    return list(
        Slot.objects.select_related("session__module__programme", "session__host_school", "school")
        .filter(pk__in=[slot.pk for slot in slots])
        .order_by("pk")
    )


def event_of(content: bytes):
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return event


def feed_of(*slots, name="Mes formations"):
    return ical.feed(name=name, slots=load(*slots), host=HOST)


def unfolded(content: bytes) -> list[str]:
    return content.decode().replace("\r\n ", "").split("\r\n")


def unescape(raw: str) -> str:
    """An RFC 5545 TEXT value read back (icalendar keeps unknown properties raw)."""
    return re.sub(r"\\(.)", lambda match: "\n" if match[1] in "nN" else match[1], raw)


def book(user, session):
    enrolment = services.request_enrolment(user=user, session=session, staff=user.staff)
    assert enrolment.state == "booked"
    return enrolment


def personal_url(user) -> str:
    _token, raw = services.rotate_calendar_token(user=user)
    return reverse("training:ical_personal", args=[raw])


# --- 1. Calendar names are TEXT -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Formations — Lycée A, B; C\\D\nE", "Formations — Lycée A\\, B\\; C\\\\D\\nE"),
        # The boundary: a name with nothing to escape is written as it is.
        ("Formations — Collège Jean Moulin", "Formations — Collège Jean Moulin"),
    ],
)
def test_the_calendar_name_is_escaped_like_every_text_value(session, name, written):
    lines = unfolded(feed_of(session.slots.get(), name=name))
    assert f"NAME:{written}" in lines
    assert f"X-WR-CALNAME:{written}" in lines
    calendar = Calendar.from_ical(feed_of(session.slots.get(), name=name))
    for prop in ("NAME", "X-WR-CALNAME"):
        assert unescape(str(calendar[prop])) == name


def test_the_other_calendar_properties_are_unchanged(session):
    lines = unfolded(feed_of(session.slots.get()))
    assert "X-WR-TIMEZONE:Europe/Paris" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines


def test_a_school_feed_names_a_school_with_a_comma_escaped(client, head, school, make_session):
    school.name = "Collège Jean Moulin, site Nord"
    school.save()
    make_session(host_school=school)
    _token, raw = services.rotate_calendar_token(user=head)
    response = client.get(reverse("training:ical_school", args=[raw, school.uai]))
    assert response.status_code == 200
    assert "X-WR-CALNAME:Formations — Collège Jean Moulin\\, site Nord" in unfolded(
        response.content
    )


# --- 2. A withdrawal's CANCEL is above the last REQUEST -------------------------------


def calendar_in(message, method):
    for part in message.attachments:
        if part.get_param("method") == method:
            return Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError(f"no {method} in {message.subject!r}")


def sequence_in(message, method) -> int:
    [event] = calendar_in(message, method).walk("VEVENT")
    return int(event["SEQUENCE"])


def last_message(user, phrase):
    return [m for m in mail.outbox if m.to == [user.email] and phrase in m.subject][-1]


@pytest.fixture
def open_session(make_session):
    return make_session(approval="none")


def test_a_withdrawal_cancel_is_above_the_request_although_the_slot_did_not_change(
    teacher, open_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = book(teacher, open_session)
    request = sequence_in(last_message(teacher, "Inscription confirmée"), "REQUEST")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
    cancel = sequence_in(last_message(teacher, "Désistement enregistré"), "CANCEL")
    assert open_session.slots.get().sequence == 0  # the slot itself did not change
    assert (request, cancel) == (0, 1)


def test_booking_again_after_a_withdrawal_goes_above_the_cancel_each_time(
    teacher, open_session, django_capture_on_commit_callbacks
):
    sent = []
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = book(teacher, open_session)
        sent.append(sequence_in(last_message(teacher, "Inscription confirmée"), "REQUEST"))
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
        sent.append(sequence_in(last_message(teacher, "Désistement enregistré"), "CANCEL"))
    assert sent == [0, 1, 2, 3]


def test_a_withdrawal_after_a_move_is_above_the_moved_request(
    teacher, manager, open_session, django_capture_on_commit_callbacks
):
    enrolment = book(teacher, open_session)
    slot = open_session.slots.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    moved = sequence_in(last_message(teacher, "Changement de dates ou de lieu"), "REQUEST")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
    cancel = sequence_in(last_message(teacher, "Désistement enregistré"), "CANCEL")
    assert (moved, cancel) == (1, 2)


def test_a_cancelled_session_keeps_the_slots_own_next_sequence(
    teacher, manager, open_session, django_capture_on_commit_callbacks
):
    """The boundary: the session's cancellation already moved each slot's SEQUENCE past
    the last REQUEST; nothing is added to it."""
    book(teacher, open_session)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(user=manager, session=open_session, reason="Formateur absent")
    assert sequence_in(last_message(teacher, "Session annulée"), "CANCEL") == 1


def test_a_withdrawal_sent_late_keeps_the_sequence_of_its_own_time(
    teacher, open_session, django_capture_on_commit_callbacks
):
    """The worker sends the withdrawal after the person booked again: its CANCEL stays
    below the new booking's REQUEST, which calendar programs then keep."""
    enrolment = book(teacher, open_session)
    with django_capture_on_commit_callbacks() as withdrawal:
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
    with django_capture_on_commit_callbacks(execute=True):
        book(teacher, open_session)
    for callback in withdrawal:
        callback()
    cancel = sequence_in(last_message(teacher, "Désistement enregistré"), "CANCEL")
    request = sequence_in(last_message(teacher, "Inscription confirmée"), "REQUEST")
    assert cancel == 1
    assert request == 2
    assert Notification.objects.filter(template="enrolment_cancelled").count() == 1


def test_invitation_sequences_override_the_slots_own(session):
    slot = session.slots.get()
    content = ical.invitation(
        method="CANCEL",
        slots=load(slot),
        organizer_email="noreply@dune.invalid",
        attendee_email="claire@example.org",
        host=HOST,
        sequences={slot.pk: 5},
    )
    assert int(event_of(content)["SEQUENCE"]) == 5
    # Without it, the slot's own; feeds never carry anything else.
    assert int(event_of(feed_of(slot))["SEQUENCE"]) == slot.sequence == 0


# --- 3. Conditional requests ----------------------------------------------------------


def slot_url(slot):
    return reverse("training:ical_slot", args=[slot.pk])


def test_the_slot_download_answers_304_to_its_etag(client_for, teacher, session):
    client = client_for(teacher)
    url = slot_url(session.slots.get())
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Last-Modified"] == first["Last-Modified"]
        assert response["Cache-Control"] == "private, max-age=300"
        assert "Content-Disposition" not in response


def test_the_slot_download_sends_the_file_to_another_etag(client_for, teacher, manager, session):
    client = client_for(teacher)
    slot = session.slots.get()
    old = client.get(slot_url(slot))["ETag"]
    assert client.get(slot_url(slot), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    response = client.get(slot_url(slot), HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response["ETag"] != old
    assert int(event_of(response.content)["SEQUENCE"]) == 1


def test_the_slot_download_does_not_answer_if_modified_since(client_for, teacher, session):
    """Its Last-Modified misses a renamed module or school: only the ETag decides."""
    client = client_for(teacher)
    url = slot_url(session.slots.get())
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_the_slot_download_stays_out_of_scope_whatever_the_etag(
    client_for, outsider, teacher, make_session
):
    slot = make_session().slots.get()
    etag = client_for(teacher).get(slot_url(slot))["ETag"]
    assert client_for(outsider).get(slot_url(slot), HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.fixture
def booked(teacher, make_session):
    session = make_session(approval="none")
    book(teacher, session)
    return session


def test_if_modified_since_answers_304_without_building(
    client, teacher, booked, monkeypatch, django_assert_num_queries
):
    url = personal_url(teacher)
    first = client.get(url)
    last_modified = first["Last-Modified"]

    def no_build(**kwargs):
        raise AssertionError("the calendar was built for a 304")

    monkeypatch.setattr(ical, "feed", no_build)
    with django_assert_num_queries(2):  # the link, the change marker
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == last_modified
    # A later date too.
    later = http_date(parse_http_date(last_modified) + 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304


def test_if_modified_since_before_the_last_modified_gets_the_calendar(client, teacher, booked):
    url = personal_url(teacher)
    last_modified = client.get(url)["Last-Modified"]
    earlier = http_date(parse_http_date(last_modified) - 1)
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=earlier)
    assert response.status_code == 200
    assert response["Last-Modified"] == last_modified
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="not a date").status_code == 200


def test_if_none_match_wins_over_if_modified_since(client, teacher, booked):
    """RFC 9110 13.2.2: with If-None-Match, If-Modified-Since is not looked at."""
    url = personal_url(teacher)
    first = client.get(url)
    response = client.get(
        url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert response.status_code == 200
    early = http_date(0)
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=early)
    assert response.status_code == 304


def test_a_withdrawal_is_never_hidden_by_if_modified_since(client, teacher, booked):
    """The withdrawal takes slots out of the feed and moves no slot's updated_at: the
    Last-Modified must still move past what the program holds."""
    url = personal_url(teacher)
    first = client.get(url)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        services.cancel_enrolment(
            user=teacher, enrolment=teacher.staff.enrolments.get(), reason="Malade"
        )
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert Calendar.from_ical(response.content).walk("VEVENT") == []
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_the_same_bytes_keep_their_last_modified_the_next_day(client, teacher, booked):
    url = personal_url(teacher)
    first = client.get(url)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304
    assert response["Last-Modified"] == first["Last-Modified"]


def test_a_feed_that_forgot_its_version_sends_it_again(client, teacher, booked):
    url = personal_url(teacher)
    first = client.get(url)
    cache.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert response.content == first.content
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_a_name_changed_back_still_moves_the_last_modified(client, teacher, booked, module):
    """Bytes seen before do not bring back their old date: the program holding the
    renamed version must get the name back."""
    url = personal_url(teacher)
    client.get(url)
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False):
        Module.objects.filter(pk=module.pk).update(title="Intégrer l'ENT au collège")
        renamed = client.get(url)
    with time_machine.travel(now + dt.timedelta(minutes=10), tick=False):
        Module.objects.filter(pk=module.pk).update(title="Intégrer l'ENT")
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=renamed["Last-Modified"])
    assert response.status_code == 200
    assert event_of(response.content)["SUMMARY"] == "Intégrer l'ENT"


def test_the_catalogue_answers_if_modified_since(client, session):
    url = reverse("training:ical_catalogue", args=[session.module.programme.academy.code])
    first = client.get(url)
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304
    assert response["Cache-Control"] == "public, max-age=300"


# --- 4. Renames change the feeds at once ----------------------------------------------


def rename_module(module):
    Module.objects.filter(pk=module.pk).update(title="Intégrer l'ENT au collège")


def rename_programme(module):
    Programme.objects.filter(pk=module.programme_id).update(title="Numérique éducatif")


def rename_slot_school(module):
    School.objects.filter(name="Lycée Condorcet").update(name="Lycée Condorcet (site Est)")


def move_slot_school_city(module):
    School.objects.filter(name="Lycée Condorcet").update(city="Montreuil")


@pytest.mark.parametrize(
    ("rename", "shown"),
    [
        (rename_module, "Intégrer l'ENT au collège"),
        (rename_programme, "Numérique éducatif"),
        (rename_slot_school, "site Est"),
        (move_slot_school_city, "Montreuil"),
    ],
)
def test_a_rename_changes_the_etag_at_once(client, teacher, booked, module, rename, shown):
    url = personal_url(teacher)
    old = client.get(url)
    assert shown not in old.content.decode().replace("\r\n ", "")
    assert client.get(url, HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 304  # remembered
    rename(module)
    response = client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])
    assert response.status_code == 200
    assert response["ETag"] != old["ETag"]
    assert shown in response.content.decode().replace("\r\n ", "")


def test_renaming_the_host_school_changes_the_school_feed_at_once(
    client, head, school, make_session
):
    session = make_session(host_school=school)
    Slot.objects.filter(session=session).update(school=None)
    _token, raw = services.rotate_calendar_token(user=head)
    url = reverse("training:ical_session", args=[raw, session.pk])
    old = client.get(url)
    assert "Collège Jean Moulin" in event_of(old.content)["LOCATION"]
    School.objects.filter(pk=school.pk).update(name="Collège Jean-Moulin (Versailles)")
    response = client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])
    assert response.status_code == 200
    assert event_of(response.content)["LOCATION"].startswith("Collège Jean-Moulin (Versailles)")


def test_a_change_the_feed_does_not_show_keeps_the_304(client, teacher, booked, module):
    url = personal_url(teacher)
    etag = client.get(url)["ETag"]
    Module.objects.filter(pk=module.pk).update(planned_in_person_minutes=720, code="M1bis")
    School.objects.filter(name="Lycée Condorcet").update(kind="lpo")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


# --- 5. Places and titles say nothing twice -------------------------------------------


def place(session, *, name="Lycée Condorcet", city="", room="B12"):
    slot = session.slots.get()
    School.objects.filter(pk=slot.school_id).update(name=name, city=city)
    Slot.objects.filter(pk=slot.pk).update(room=room)
    return str(event_of(feed_of(slot))["LOCATION"])


@pytest.mark.parametrize(
    ("name", "city", "location"),
    [
        ("Lycée Condorcet", "Paris", "Lycée Condorcet, Paris, salle B12"),
        ("Lycée Condorcet Paris", "Paris", "Lycée Condorcet Paris, salle B12"),
        ("Lycée Condorcet (PARIS)", "Paris", "Lycée Condorcet (PARIS), salle B12"),
        ("Collège de Sèvres", "SEVRES", "Collège de Sèvres, salle B12"),
        (
            "Lycée Paul-Éluard, Saint-Denis",
            "Saint Denis",
            "Lycée Paul-Éluard, Saint-Denis, salle B12",
        ),
        # Boundaries: a name holding the city's letters but not the city as a word.
        ("Lycée Parisien", "Paris", "Lycée Parisien, Paris, salle B12"),
        ("Lycée Condorcet", "", "Lycée Condorcet, salle B12"),
    ],
)
def test_the_city_is_said_once(session, name, city, location):
    assert place(session, name=name, city=city) == location


@pytest.mark.parametrize(
    ("room", "location"),
    [
        ("Salle 12", "Lycée Condorcet, Salle 12"),
        ("salle polyvalente", "Lycée Condorcet, salle polyvalente"),
        ("SALLE B12", "Lycée Condorcet, SALLE B12"),
        ("Salles 3 et 4", "Lycée Condorcet, Salles 3 et 4"),
        # Boundaries: a room whose name does not start with the word « salle ».
        ("B12", "Lycée Condorcet, salle B12"),
        ("Salon d'honneur", "Lycée Condorcet, salle Salon d'honneur"),
        ("", "Lycée Condorcet"),
    ],
)
def test_salle_is_said_once(session, room, location):
    assert place(session, room=room) == location


def test_a_session_place_without_school_keeps_its_room(session):
    slot = session.slots.get()
    session.location = "Maison des enseignants, Versailles"
    session.save()
    Slot.objects.filter(pk=slot.pk).update(school=None, room="Salle Jules Ferry")
    location = str(event_of(feed_of(slot))["LOCATION"])
    assert location == "Maison des enseignants, Versailles, Salle Jules Ferry"


def summary(session, title, *, cancelled=False):
    slot = session.slots.get()
    Slot.objects.filter(pk=slot.pk).update(
        title=title, status="cancelled" if cancelled else "scheduled"
    )
    return str(event_of(feed_of(slot))["SUMMARY"])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Intégrer l'ENT", "Intégrer l'ENT"),
        ("intégrer l’ENT", "Intégrer l'ENT"),
        ("Intégrer l'ENT : atelier 2", "Intégrer l'ENT : atelier 2"),
        ("Atelier 2 — Intégrer l'ENT", "Atelier 2 — Intégrer l'ENT"),
        ("ENT", "Intégrer l'ENT"),
        # Boundaries: titles that do not hold the module's title, nor it theirs.
        ("Atelier", "Intégrer l'ENT — Atelier"),
        ("ENT et vie scolaire", "Intégrer l'ENT — ENT et vie scolaire"),
        ("", "Intégrer l'ENT"),
    ],
)
def test_the_module_title_is_said_once(session, title, expected):
    assert summary(session, title) == expected


def test_a_cancelled_slot_repeating_the_module_title_says_it_once(session):
    assert summary(session, "Intégrer l'ENT", cancelled=True) == "[ANNULÉ] Intégrer l'ENT"
