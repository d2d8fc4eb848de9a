"""The calendar feeds over HTTP: who may read which, what each holds, and how they
answer calendar programs that poll them (ETag, 304, no download prompt)."""

import datetime as dt
import hashlib
import secrets

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from icalendar import Calendar

from tests.conftest import at
from training import ical, services
from training.models import District, Module, Programme, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """The feeds remember ETags in Django's cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


def link(user) -> str:
    _token, raw = services.rotate_calendar_token(user=user)
    return raw


def personal_url(raw: str) -> str:
    return reverse("training:ical_personal", args=[raw])


def uids(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def uid(slot) -> str:
    return f"slot-{slot.pk}@{ical.site_host()}"


def book(user, session):
    enrolment = services.request_enrolment(user=user, session=session, staff=user.staff)
    assert enrolment.state == "booked"
    return enrolment


@pytest.fixture
def booked(teacher, make_session):
    """A session the teacher is booked on."""
    session = make_session(approval="none")
    book(teacher, session)
    return session


# --- Personal feed --------------------------------------------------------------------


def test_personal_feed_holds_booked_and_trained_slots_only(
    client, teacher, trainer, make_session, booked
):
    requested = make_session(days=40)  # awaiting the head: not in the calendar yet
    services.request_enrolment(user=teacher, session=requested, staff=teacher.staff)
    trained = make_session(days=50)
    trained.trainers.add(trainer)
    unrelated = make_session(days=60)

    mine = uids(client.get(personal_url(link(teacher))))
    assert mine == {uid(booked.slots.get())}
    theirs = uids(client.get(personal_url(link(trainer))))
    assert theirs == {uid(trained.slots.get())}
    assert uid(unrelated.slots.get()) not in mine | theirs


def test_personal_feed_keeps_30_days_back_and_a_year_ahead(client, teacher, booked):
    def slot(days):
        return Slot.objects.create(
            session=booked, modality="in_person", start=at(days, 9), end=at(days, 12)
        )

    inside = [slot(-29), slot(364)]
    outside = [slot(-31), slot(366)]
    held = uids(client.get(personal_url(link(teacher))))
    assert {uid(s) for s in inside} <= held
    assert not {uid(s) for s in outside} & held


def test_a_cancelled_slot_stays_30_days(client, teacher, manager, booked):
    slot = booked.slots.get()
    services.cancel_slot(user=manager, slot=slot)
    url = personal_url(link(teacher))
    response = client.get(url)
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("[ANNULÉ]")
    with time_machine.travel(timezone.now() + dt.timedelta(days=29), tick=False):
        assert uids(client.get(url)) == {uid(slot)}
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        assert uids(client.get(url)) == set()


def test_a_cancelled_session_stays_in_the_calendar_of_those_booked(
    client, teacher, manager, booked
):
    services.cancel_session(user=manager, session=booked, reason="Formateur indisponible")
    response = client.get(personal_url(link(teacher)))
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["UID"] == uid(booked.slots.get())
    assert event["STATUS"] == "CANCELLED"


def test_a_withdrawal_takes_the_slots_out(client, teacher, booked):
    services.cancel_enrolment(user=teacher, enrolment=booked.enrolments.get(), reason="Malade")
    assert uids(client.get(personal_url(link(teacher)))) == set()


def test_an_unknown_link_is_not_found(client, booked):
    assert client.get(personal_url(secrets.token_urlsafe(32))).status_code == 404


def test_a_rotated_link_stops_at_once_and_the_new_one_works(client, teacher, booked):
    old = link(teacher)
    assert client.get(personal_url(old)).status_code == 200
    new = link(teacher)
    assert client.get(personal_url(old)).status_code == 404
    assert uids(client.get(personal_url(new))) == {uid(booked.slots.get())}


def test_a_revoked_link_is_not_found(client, teacher, booked):
    raw = link(teacher)
    services.revoke_calendar_token(user=teacher)
    assert client.get(personal_url(raw)).status_code == 404


def test_the_link_of_a_deactivated_account_is_not_found(client, teacher, booked):
    raw = link(teacher)
    teacher.is_active = False
    teacher.save()
    assert client.get(personal_url(raw)).status_code == 404


def test_a_feed_needs_no_session_cookie_and_ignores_the_login(client_for, teacher, outsider):
    """The link alone stands for its owner, whoever's browser opens it."""
    raw = link(teacher)
    response = client_for(outsider).get(personal_url(raw))
    assert response.status_code == 200


# --- School and session feeds ---------------------------------------------------------


def school_url(raw, uai):
    return reverse("training:ical_school", args=[raw, uai])


def test_school_feed_holds_the_sessions_at_or_for_the_school(
    client, head, school, make_session, module
):
    in_school = make_session(host_school=school, days=35)
    at_school = make_session(days=40)
    at_school.slots.update(school=school)
    elsewhere = make_session(days=45)
    draft = make_session(host_school=school, status="draft", days=50)
    held = uids(client.get(school_url(link(head), school.uai)))
    assert held == {uid(in_school.slots.get()), uid(at_school.slots.get())}
    assert uid(elsewhere.slots.get()) not in held
    assert uid(draft.slots.get()) not in held


def test_school_feed_accepts_a_lower_case_uai(client, head, school, make_session):
    in_school = make_session(host_school=school)
    held = uids(client.get(school_url(link(head), school.uai.lower())))
    assert held == {uid(in_school.slots.get())}


def test_school_feed_outside_ones_scope_is_not_found(
    client, outsider, head, school, outsider_school, make_session
):
    make_session(host_school=school)
    assert client.get(school_url(link(outsider), school.uai)).status_code == 404
    assert client.get(school_url(link(head), outsider_school.uai)).status_code == 404
    assert client.get(school_url(link(head), "0000000A")).status_code == 404
    assert client.get(school_url("not-a-token", school.uai)).status_code == 404


def test_school_feed_hides_sessions_the_person_may_not_see(
    client, teacher, school, other_school, make_session
):
    """A teacher's own school: a session of another school held in his school's rooms
    is the other school's business."""
    theirs = make_session(host_school=other_school)
    theirs.slots.update(school=school)
    assert uids(client.get(school_url(link(teacher), school.uai))) == set()


def session_url(raw, session):
    return reverse("training:ical_session", args=[raw, session.pk])


def test_session_feed_for_those_who_may_see_the_session(client, teacher, outsider, session):
    other = Slot.objects.create(
        session=session, modality="in_person", start=at(31, 9), end=at(31, 12)
    )
    held = uids(client.get(session_url(link(teacher), session)))
    assert held == {uid(session.slots.get(pk__lt=other.pk)), uid(other)}
    assert client.get(session_url(link(outsider), session)).status_code == 404
    assert client.get(session_url("not-a-token", session)).status_code == 404


def test_session_feed_of_an_in_school_session_of_another_school_is_not_found(
    client, teacher, other_school, make_session
):
    theirs = make_session(host_school=other_school)
    assert client.get(session_url(link(teacher), theirs)).status_code == 404


# --- Public catalogue -----------------------------------------------------------------


def catalogue_url(code="25"):
    return reverse("training:ical_catalogue", args=[code])


def test_catalogue_feed_is_public_and_lists_sessions_open_to_all(
    client, academy, school, programme, make_session, module
):
    open_to_all = make_session()
    in_school = make_session(host_school=school, days=31)
    district = District.objects.create(academy=academy, kind="bassin", name="Bassin de Mantes")
    reserved = make_session(district=district, days=32)
    draft = make_session(status="draft", days=33)
    designated = Programme.objects.create(
        academy=academy,
        school_year=programme.school_year,
        code="10A0250002",
        title="Public désigné",
        priority=programme.priority,
        kind=Programme.Kind.DESIGNATED,
    )
    designated_module = Module.objects.create(programme=designated, code="M2", title="Désigné")
    designated_session = make_session(module=designated_module, days=34)

    response = client.get(catalogue_url())
    assert response["Cache-Control"] == "public, max-age=300"
    held = uids(response)
    assert held == {uid(open_to_all.slots.get())}
    for other in (in_school, reserved, draft, designated_session):
        assert uid(other.slots.get()) not in held


def test_catalogue_feed_shows_a_cancelled_session_as_cancelled(client, manager, session):
    services.cancel_session(user=manager, session=session, reason="Formateur indisponible")
    [event] = Calendar.from_ical(client.get(catalogue_url()).content).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"


def test_catalogue_feed_gives_no_virtual_class_link(client, session):
    Slot.objects.create(
        session=session,
        modality="virtual",
        start=at(31, 14),
        end=at(31, 15),
        video_url="https://visio.example.org/salle-42",
    )
    response = client.get(catalogue_url())
    assert len(uids(response)) == 2
    assert b"visio.example.org" not in response.content


def test_catalogue_feed_of_an_unknown_academie_is_not_found(client):
    assert client.get(catalogue_url("ZZ")).status_code == 404


# --- HTTP -----------------------------------------------------------------------------


def test_feed_headers(client, teacher, booked):
    url = personal_url(link(teacher))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        response = client.get(url)
        served = timezone.now()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response
    etag = response["ETag"]
    assert not etag.startswith("W/")
    assert etag == f'"{hashlib.sha256(response.content).hexdigest()}"'
    # Since when the feed serves these bytes (a withdrawal or a rename moves no
    # ``updated_at``): here, first served now, after the slot's last change.
    assert response["Last-Modified"] == http_date(served.timestamp())
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_feed_bytes_do_not_change_without_a_change(client, teacher, booked):
    url = personal_url(link(teacher))
    first = client.get(url)
    cache.clear()
    second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_feed_bytes_do_not_depend_on_the_readers_language(client, teacher, booked):
    url = personal_url(link(teacher))
    french = client.get(url)
    client.cookies["django_language"] = "en"
    cache.clear()
    english = client.get(url)
    assert english.content == french.content


def test_if_none_match_answers_304_without_building(
    client, teacher, booked, monkeypatch, django_assert_num_queries
):
    url = personal_url(link(teacher))
    etag = client.get(url)["ETag"]

    def no_build(**kwargs):
        raise AssertionError("the calendar was built for a 304")

    monkeypatch.setattr(ical, "feed", no_build)
    # The link, then the change marker: no slot loaded.
    with django_assert_num_queries(2):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "Last-Modified" in response


def test_a_weak_or_listed_if_none_match_still_matches(client, teacher, booked):
    url = personal_url(link(teacher))
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_a_stale_etag_gets_the_new_calendar(client, teacher, manager, booked):
    url = personal_url(link(teacher))
    old = client.get(url)["ETag"]
    services.update_slot(user=manager, slot=booked.slots.get(), start=at(31, 14), end=at(31, 17))
    response = client.get(url, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response["ETag"] != old
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_new_booking_changes_the_etag(client, teacher, booked, make_session):
    url = personal_url(link(teacher))
    old = client.get(url)["ETag"]
    book(teacher, make_session(approval="none", days=45))
    response = client.get(url, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert len(uids(response)) == 2


def test_catalogue_304(client, session):
    etag = client.get(catalogue_url())["ETag"]
    response = client.get(catalogue_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Cache-Control"] == "public, max-age=300"


def add_slots(session, count):
    Slot.objects.bulk_create(
        Slot(session=session, modality="in_person", start=at(32 + i, 9), end=at(32 + i, 12))
        for i in range(count)
    )


@pytest.mark.parametrize("extra", [1, 19])
def test_personal_feed_query_count_does_not_grow_with_slots(
    client, teacher, trainer, booked, make_session, extra, django_assert_num_queries
):
    trained = make_session(days=80)
    trained.trainers.add(trainer)
    add_slots(booked, extra)
    url = personal_url(link(teacher))
    client.get(url)  # records the link's first use
    # The link, the change marker, the slots with their session, module and places.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(uids(response)) == extra + 1


@pytest.mark.parametrize("extra", [1, 19])
def test_catalogue_query_count_does_not_grow_with_slots(
    client, session, extra, django_assert_num_queries
):
    add_slots(session, extra)
    # The académie, the change marker, the slots.
    with django_assert_num_queries(3):
        response = client.get(catalogue_url())
    assert len(uids(response)) == extra + 1


def test_school_and_session_feeds_query_count_does_not_grow_with_slots(
    client, head, school, make_session
):
    session = make_session(host_school=school)
    raw = link(head)
    client.get(personal_url(raw))  # records the link's first use
    counts = {}
    for size in (2, 20):
        add_slots(session, size - session.slots.count())
        for name, url in (
            ("school", school_url(raw, school.uai)),
            ("session", session_url(raw, session)),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert len(uids(response)) == size
            counts[name, size] = len(queries)
    assert counts["school", 2] == counts["school", 20]
    assert counts["session", 2] == counts["session", 20]


def test_feeds_answer_only_get_and_head(client, teacher, booked):
    url = personal_url(link(teacher))
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


# --- One slot -------------------------------------------------------------------------


def slot_url(slot):
    return reverse("training:ical_slot", args=[slot.pk])


def test_slot_download_is_a_file_for_those_who_may_see_it(client_for, teacher, session):
    slot = session.slots.get()
    response = client_for(teacher).get(slot_url(slot))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    day = timezone.localdate(slot.start)
    assert response["Content-Disposition"] == (
        f'attachment; filename="integrer-lent-{day:%Y-%m-%d}.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    assert [str(event["UID"]) for event in calendar.walk("VEVENT")] == [uid(slot)]
    assert "REFRESH-INTERVAL" not in calendar


def test_slot_download_needs_a_login(client, session):
    response = client.get(slot_url(session.slots.get()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_slot_download_outside_ones_scope_is_not_found(
    client_for, outsider, teacher, other_school, make_session
):
    assert client_for(outsider).get(slot_url(make_session().slots.get())).status_code == 404
    theirs = make_session(host_school=other_school, days=40)
    assert client_for(teacher).get(slot_url(theirs.slots.get())).status_code == 404
