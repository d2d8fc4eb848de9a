"""The work finds the person: each role's home page lists what waits, counted, each
with the page where it is done; the trainer's « Sessions que j'anime »; the national
dashboard's académies."""

from __future__ import annotations

import html

import pytest
from django.utils import timezone

from tests.conftest import at
from training import services
from training.models import Enrolment, Slot


def text(response) -> str:
    return html.unescape(response.content.decode())


def worklist(client) -> dict[str, str]:
    """label → link of the home page's work list."""
    import re

    page = client.get("/").content.decode()
    block = page.split('data-testid="worklist"', 1)[1].split("</ul>", 1)[0]
    return {
        html.unescape(label): url
        for url, label in re.findall(r'<a class="fr-link" href="([^"]+)">([^<]+)</a>', block)
    }


def book(user, session):
    return Enrolment.objects.create(session=session, staff=user.staff, state="booked")


def test_a_teacher_sees_sessions_starting_soon_and_online_work_to_declare(
    client_for, teacher, make_session
):
    soon = make_session(days=5)
    later = make_session(days=40)
    online = make_session(slots=False)
    Slot.objects.create(
        session=online,
        modality="self_paced",
        start=at(-3),
        end=at(10),
        credited_minutes=120,
    )
    for session in (soon, later, online):
        book(teacher, session)
    tasks = worklist(client_for(teacher))
    assert tasks == {
        "1 session commence dans les deux semaines": "/mes-formations/",
        "1 travail en ligne à déclarer": "/mon-parcours/",
    }
    # Declared: nothing left to declare.
    services.declare_work(user=teacher, slot=online.slots.get(), minutes=60)
    assert "1 travail en ligne à déclarer" not in worklist(client_for(teacher))


def test_a_trainer_sees_sheets_to_fill_and_work_to_review(
    client_for, trainer, teacher, make_session
):
    held = make_session(days=-2)
    held.trainers.add(trainer)
    book(teacher, held)
    online = make_session(slots=False)
    online.trainers.add(trainer)
    slot = Slot.objects.create(
        session=online, modality="self_paced", start=at(-3), end=at(10), credited_minutes=120
    )
    book(teacher, online)
    services.declare_work(user=teacher, slot=slot, minutes=60)
    client = client_for(trainer)
    assert worklist(client) == {
        "1 feuille d'émargement à remplir": "/sessions-animees/",
        "1 travail en ligne déclaré à examiner": "/sessions-animees/",
    }
    page = text(client.get("/sessions-animees/"))
    assert "Sessions que j'anime" in page and held.module.title in page
    assert "1 feuille d'émargement à remplir" in page
    services.mark_all_present(user=trainer, slot=held.slots.get())
    assert "1 feuille d'émargement à remplir" not in worklist(client)


def test_the_trainers_page_lists_only_his_sessions(client_for, trainer, make_session, manager):
    mine, other = make_session(), make_session()
    mine.trainers.add(trainer)
    table = client_for(trainer).get("/sessions-animees/").context["table"]
    assert [row.record.pk for row in table.page.object_list] == [mine.pk]
    assert other.pk not in [row.record.pk for row in table.page.object_list]


def test_who_animates_nothing_and_is_no_trainer_gets_a_404(client_for, teacher):
    assert client_for(teacher).get("/sessions-animees/").status_code == 404


def test_a_head_sees_requests_to_decide_and_plans_to_approve(
    client_for, head, teacher, make_session, referent, school, current_year
):
    session = make_session(approval="head")
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    tasks = worklist(client_for(head))
    assert tasks["1 demande d'inscription à décider"] == "/validation/"


def test_the_rectorate_sees_open_anomalies(client_for, auditor, academy, current_year):
    from django.contrib.contenttypes.models import ContentType

    from training.models import Anomaly, School

    Anomaly.objects.create(
        academy=academy,
        school_year=current_year,
        code="missing_attendance",
        content_type=ContentType.objects.get_for_model(School),
        object_id=1,
        message="Une feuille d'émargement manque.",
        found_at=timezone.now(),
        seen_at=timezone.now(),
    )
    assert worklist(client_for(auditor)) == {
        "1 anomalie ouverte dans les registres": "/audit/anomalies/"
    }


def test_nothing_waiting_says_so(client_for, auditor):
    page = text(client_for(auditor).get("/"))
    assert "Rien ne vous attend pour l'instant." in page


@pytest.mark.parametrize("persona", ["teacher", "head", "trainer", "auditor", "manager"])
def test_the_home_page_costs_a_bounded_number_of_queries(
    request, persona, client_for, session, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    client.get("/")
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200


def test_the_national_dashboard_lists_every_academie_to_drill_down(client_for, national):
    from training.models import Academy

    page = client_for(national).get("/audit/national/").content.decode()
    links = page.split('data-testid="academy-links"', 1)[1].split("</ul>", 1)[0]
    for academy in Academy.objects.all():
        assert f"?academie={academy.code}&amp;annee=" in links
    assert Academy.objects.count() == 30
    drilled = client_for(national).get("/audit/", {"academie": "01"})
    assert drilled.status_code == 200
    assert "Pilotage de l'académie de Paris" in text(drilled)


def test_hours_by_academie_has_every_academie_with_zero(national, session):
    from training.reports import REGISTRY
    from training.reports.base import parse_filters

    filters = parse_filters(national, {})
    frame = REGISTRY["hours_by_academy"].builder(national, filters)
    assert len(frame) == 30
    assert set(frame.loc[frame["academy"] == "Corse", "hours"]) == {0.0}


def test_the_rectorate_sees_instalments_awaiting_service_fait_and_payroll(
    client_for, auditor, manager, referent, school_year
):
    import datetime as dt

    from referents.models import AllowanceInstalment, AllowanceScheme, Appointment

    appointment = Appointment.objects.get(staff=referent.staff)
    Appointment.objects.filter(pk=appointment.pk).update(
        scheme=AllowanceScheme.objects.get(code="fic2010-12"), annual_cents=120_000
    )
    AllowanceInstalment.objects.create(
        appointment=appointment, month=dt.date(2010, 9, 1), amount_cents=10_000
    )
    AllowanceInstalment.objects.create(
        appointment=appointment,
        month=dt.date(2010, 10, 1),
        amount_cents=10_000,
        service_done_at=timezone.now(),
    )
    late = "1 mensualité d'un mois passé attend le service fait"
    assert worklist(client_for(auditor))[late] == "/referents/rapports/academie/"
    tasks = worklist(client_for(manager))
    assert tasks[late] == "/referents/rapports/academie/"
    assert tasks["1 mensualité attestée à exporter en paie"] == "/referents/paie/"


def test_the_work_list_speaks_english_when_asked(client_for, teacher, make_session, settings):
    book(teacher, make_session(days=5))
    client = client_for(teacher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get("/"))
    assert "Waiting for you" in page
    assert "1 session starts within two weeks" in page
