"""The référents' pages: candidature, the head's page, the dashboard and payroll."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from referents import services
from referents.models import (
    AllowanceInstalment,
    AllowanceScheme,
    Appointment,
    MissionLog,
    PayrollExport,
)

pytestmark = pytest.mark.django_db
D = dt.date


def appoint_data(appointment, scheme, euros):
    prefix = f"appoint-{appointment.pk}"
    return {
        f"{prefix}-scheme": scheme.pk,
        f"{prefix}-annual_euros": euros,
        f"{prefix}-start": "2010-09-01",
        f"{prefix}-mission_letter": "Missions 1a à 2c",
    }


# --- Each page for its role, a 404 outside its scope ----------------------------------


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("teacher", reverse("referents:candidature")),
        ("head", reverse("referents:school")),
        ("head", reverse("referents:school_detail", args=["0783288A"])),
        ("referent", reverse("referents:dashboard")),
        ("manager", reverse("referents:payroll")),
        ("manager", reverse("referents:payroll_academy", args=["25"])),
    ],
)
def test_each_page_for_its_role(request, client_for, school, persona, url):
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        reverse("referents:school_detail", args=["0783288A"]),
        reverse("referents:dashboard"),
        reverse("referents:payroll"),
        reverse("referents:payroll_academy", args=["25"]),
    ],
)
def test_the_outsider_gets_404(client_for, outsider, school, academy, url):
    assert client_for(outsider).get(url).status_code == 404


def test_the_outsider_cannot_act_on_versailles(client_for, outsider, candidate, fic, school):
    _user, appointment = candidate
    client = client_for(outsider)
    response = client.post(
        reverse("referents:appoint", args=[appointment.pk]), appoint_data(appointment, fic, "1200")
    )
    assert response.status_code == 404
    assert client.post(reverse("referents:end", args=[appointment.pk])).status_code == 404
    url = reverse("referents:service_done", args=[school.uai])
    assert client.post(url, {"month": "2010-09"}).status_code == 404
    assert client.post(reverse("referents:export", args=["25"])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.VOLUNTEERED


def test_pages_outside_ones_role_are_404(client_for, teacher, head, referent, manager):
    assert client_for(head).get(reverse("referents:candidature")).status_code == 404  # no staff
    assert client_for(teacher).get(reverse("referents:dashboard")).status_code == 404
    assert client_for(teacher).get(reverse("referents:school")).status_code == 404
    assert client_for(referent).get(reverse("referents:payroll")).status_code == 404
    assert client_for(manager).get(reverse("referents:school")).status_code == 404


def test_nav_lists_the_referent_pages(client_for, head, referent):
    assert reverse("referents:school") in client_for(head).get("/").content.decode()
    assert reverse("referents:dashboard") in client_for(referent).get("/").content.decode()


# --- Candidature ----------------------------------------------------------------------


def test_a_teacher_volunteers(client_for, teacher, current_year):
    client = client_for(teacher)
    url = reverse("referents:candidature")
    response = client.post(url, {"motivation": "  Le numérique au collège  "})
    assert response.status_code == 302
    appointment = Appointment.objects.get(staff=teacher.staff)
    assert (appointment.state, appointment.school_year, appointment.motivation) == (
        "volunteered",
        current_year,
        "Le numérique au collège",
    )
    assert "Votre candidature est enregistrée" in client.get(url).content.decode()


# --- The head's page ------------------------------------------------------------------


def test_the_head_sees_the_volunteer_with_a_prefilled_letter(client_for, head, candidate):
    content = client_for(head).get(reverse("referents:school")).content.decode()
    assert "Paul Durand" in content
    assert "interface numérique de l&#x27;établissement" in content


def test_an_amount_outside_the_regime_is_refused(client_for, head, candidate, fic):
    _user, appointment = candidate
    response = client_for(head).post(
        reverse("referents:appoint", args=[appointment.pk]), appoint_data(appointment, fic, "2500")
    )
    assert response.status_code == 400
    assert "Le montant annuel doit être compris entre 400,00 € et 2 400,00 €" in (
        response.content.decode()
    )
    appointment.refresh_from_db()
    assert (appointment.state, appointment.annual_cents, appointment.scheme) == (
        "volunteered",
        None,
        None,
    )


def test_the_head_appoints(client_for, head, candidate, fic, school):
    _user, appointment = candidate
    response = client_for(head).post(
        reverse("referents:appoint", args=[appointment.pk]),
        appoint_data(appointment, fic, "1234,56"),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.state, appointment.annual_cents, appointment.scheme) == (
        "appointed",
        123456,
        fic,
    )
    assert appointment.appointed_by == head


def test_the_head_ends_an_appointment(client_for, head, appointed):
    _user, appointment = appointed
    url = reverse("referents:end", args=[appointment.pk])
    prefix = f"end-{appointment.pk}"
    response = client_for(head).post(url, {f"{prefix}-end": "2011-03-15", f"{prefix}-reason": ""})
    assert response.status_code == 400
    response = client_for(head).post(
        url, {f"{prefix}-end": "2011-03-15", f"{prefix}-reason": "Mutation"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.state, appointment.end, appointment.end_reason) == (
        "ended",
        D(2011, 3, 15),
        "Mutation",
    )


def test_the_head_confirms_service_fait(client_for, head, appointed, school):
    services.compute_instalments(month=D(2010, 9, 1))
    client = client_for(head)
    page = client.get(reverse("referents:school_detail", args=[school.uai]), {"month": "2010-09"})
    assert "100,00" in page.content.decode()
    response = client.post(
        reverse("referents:service_done", args=[school.uai]), {"month": "2010-09"}
    )
    assert response.status_code == 302
    assert response.url.endswith("?month=2010-09")
    row = AllowanceInstalment.objects.get()
    assert row.service_done_at is not None and row.service_done_by == head


# --- The référent's dashboard -----------------------------------------------------------


def test_the_referent_logs_a_mission(client_for, appointed, make_user, school):
    user, appointment = appointed
    colleague = make_user("colleague", school=school)
    client = client_for(user)
    url = reverse("referents:dashboard")
    data = {"date": "2010-10-01", "category": "1c", "description": "ENT"}
    response = client.post(url, {**data, "minutes": "0"})
    assert response.status_code == 400
    assert "La durée doit être positive." in response.content.decode()
    assert not MissionLog.objects.exists()
    response = client.post(url, {**data, "minutes": "45", "colleagues": [colleague.staff.pk]})
    assert response.status_code == 302
    log = MissionLog.objects.get()
    assert (log.appointment, log.minutes, log.category) == (appointment, 45, "1c")
    assert list(log.colleagues.all()) == [colleague.staff]
    content = client.get(url).content.decode()
    assert "1c — Accompagnement des usages des collègues : 45 min" in content


def test_a_colleague_of_another_school_is_not_offered(client_for, appointed, outsider):
    user, _appointment = appointed
    response = client_for(user).post(
        reverse("referents:dashboard"),
        {
            "date": "2010-10-01",
            "category": "1a",
            "minutes": "30",
            "colleagues": [outsider.staff.pk],
        },
    )
    assert response.status_code == 400
    assert not MissionLog.objects.exists()


# --- Payroll --------------------------------------------------------------------------


def test_the_manager_exports_payroll_once(client_for, head, manager, appointed, school):
    user, _appointment = appointed
    services.compute_instalments(month=D(2010, 9, 1))
    services.confirm_service_done(user=head, school=school, month=D(2010, 9, 1))
    client = client_for(manager)
    assert "100,00" in client.get(reverse("referents:payroll")).content.decode()
    response = client.post(reverse("referents:export", args=["25"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    lines = content.lstrip("\ufeff").splitlines()
    assert lines[0] == "Identifiant agent;Nom;UAI;Mois;Montant (€)"
    assert lines[1:] == [f"{user.staff.staff_id};Paul Durand;0783288A;2010-09;100,00"]
    assert AllowanceInstalment.objects.get().exported_at is not None
    second = client.post(reverse("referents:export", args=["25"]), follow=True)
    assert "Aucune mensualité à exporter" in second.content.decode()
    assert PayrollExport.objects.count() == 1
    # The past export can be downloaded again, as XLSX too, without exporting anything.
    export = PayrollExport.objects.get()
    again = client.get(reverse("referents:export_file", args=["25", export.pk, "xlsx"]))
    assert again.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(again.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Identifiant agent", "Nom", "UAI", "Mois", "Montant (€)"],
        [user.staff.staff_id, "Paul Durand", "0783288A", "2010-09", "100,00"],
    ]
    assert (
        client.get(reverse("referents:export_file", args=["25", export.pk, "pdf"])).status_code
        == 404
    )


def test_payroll_exports_as_xlsx_and_stays_in_its_academy(
    client_for, head, manager, outsider, appointed, school
):
    services.compute_instalments(month=D(2010, 9, 1))
    services.confirm_service_done(user=head, school=school, month=D(2010, 9, 1))
    response = client_for(manager).post(
        reverse("referents:export", args=["25"]), {"format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2 and rows[1][4] == "100,00"
    export = PayrollExport.objects.get()
    for persona in (outsider, head):
        client = client_for(persona)
        assert (
            client.get(reverse("referents:export_file", args=["25", export.pk, "csv"])).status_code
            == 404
        )
        assert client.post(reverse("referents:export", args=["25"])).status_code == 404


# --- Annual activity report --------------------------------------------------------------


def test_the_activity_report_equals_the_logs(
    client_for, head, referent_logs, school, auditor, outsider
):
    url = f"/referents/rapports/{school.uai}/?annee=2010-2011"
    text = client_for(head).get(url).text
    assert "Rapport d'activité du référent numérique" in text
    assert "1c — Accompagnement des usages des collègues" in text
    assert "1,5 h" in text  # 45 + 45 minutes of 1c
    assert "1 collègue concerné." in text
    assert client_for(auditor).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    csv_text = client_for(head).get(url + "&format=csv").content.decode("utf-8-sig")
    assert "Missions;1c — Accompagnement des usages des collègues;2;1,5" in csv_text


@pytest.fixture
def referent_logs(head, school, school_year, make_user):
    from referents import services as referent_services

    user = make_user("ref-report", school=school)
    colleague = make_user("colleague-report", school=school)
    with time_machine.travel(dt.date(2010, 9, 1)):
        appointment = referent_services.volunteer(user=user, school_year=school_year, motivation="")
    referent_services.appoint(
        user=head,
        appointment=appointment,
        scheme=AllowanceScheme.objects.get(code="fic2010-12"),
        annual_cents=120000,
        mission_letter="Missions",
    )
    for day in (4, 5):
        referent_services.log_mission(
            user=user,
            date=dt.date(2010, 10, day),
            category="1c",
            minutes=45,
            colleagues=[colleague.staff],
        )
    return user


# --- Declining, sharing, training delivered -------------------------------------------


def test_the_head_declines_a_candidature_from_his_page(client_for, head, candidate, outsider):
    user, appointment = candidate
    url = reverse("referents:decline", args=[appointment.pk])
    assert (
        client_for(outsider).post(url, {f"decline-{appointment.pk}-reason": "x"}).status_code == 404
    )
    client = client_for(head)
    response = client.post(url, {f"decline-{appointment.pk}-reason": ""})
    assert response.status_code == 400
    assert "Indiquez au candidat le motif du refus." in response.content.decode()
    response = client.post(url, {f"decline-{appointment.pk}-reason": "Poste pourvu"}, follow=True)
    page = response.content.decode()
    assert "Candidatures non retenues" in page and "Poste pourvu" in page
    appointment.refresh_from_db()
    assert appointment.state == "declined"
    # The volunteer sees the answer on his candidature page (of that school year).
    with time_machine.travel(D(2010, 9, 20)):
        page = client_for(user).get(reverse("referents:candidature")).content.decode()
    assert "Candidature non retenue" in page


def test_the_head_shares_the_mission_between_two(
    client_for, head, appointed, make_user, school, school_year, fic
):
    with time_machine.travel(D(2010, 9, 1)):
        second = services.volunteer(
            user=make_user("second", school=school), school_year=school_year, motivation="Moi aussi"
        )
    client = client_for(head)
    url = reverse("referents:appoint", args=[second.pk])
    response = client.post(url, appoint_data(second, fic, "600"))
    assert "déjà un référent nommé" in response.content.decode()
    client.post(reverse("referents:mission_share", args=[school.uai]), {"shared": "True"})
    response = client.post(url, appoint_data(second, fic, "1300"))
    assert "il reste 1 200,00 €" in response.content.decode()
    response = client.post(url, appoint_data(second, fic, "1200"))
    assert response.status_code == 302
    assert Appointment.objects.active(D(2010, 10, 1)).filter(school=school).count() == 2
    # Back to one référent is refused while two are in post.
    assert client.post(reverse("referents:mission_share", args=[school.uai]), {}).status_code == 400
    response = client.post(
        reverse("referents:mission_share", args=[school.uai]), {"shared": "False"}
    )
    assert response.status_code == 409
    assert "Deux référents sont en poste" in response.content.decode()


def test_the_referent_logs_training_delivered_from_his_session(client_for, appointed, make_session):
    user, _appointment = appointed
    session = make_session(days=-2)
    session.trainers.add(user)
    upcoming = make_session(days=5)
    upcoming.trainers.add(user)
    client = client_for(user)
    url = reverse("referents:dashboard")
    page = client.get(url).content.decode()
    assert (
        "Mes sessions à animer" in page
        and reverse("training:session_detail", args=[upcoming.pk]) in page
    )
    response = client.post(url, {"date": str(dt.date.today()), "category": "training"})
    assert response.status_code == 400
    assert "Choisissez la session que vous avez animée." in response.content.decode()
    response = client.post(
        url, {"date": "2011-03-01", "category": "training", "session": session.pk}
    )
    assert response.status_code == 302
    log = MissionLog.objects.get()
    assert (log.session, log.minutes) == (session, sum(s.minutes for s in session.slots.all()))
