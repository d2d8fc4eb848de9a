"""The audit dashboards (« Pilotage ») and the audit API: who sees which, and what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_school
from training.models import District, HoursEntry, RoleMembership

pytestmark = pytest.mark.django_db

ACADEMY = reverse("training:audit_academy")
NATIONAL = reverse("training:audit_national")


def school_url(school):
    return reverse("training:audit_school", args=[school.uai])


def test_auditor_sees_the_academy_dashboard_with_charts_and_tables(client_for, auditor, audit_data):
    response = client_for(auditor).get(ACADEMY, {"annee": audit_data["year"].name})
    assert response.status_code == 200
    html = response.content.decode()
    assert "académie de Versailles" in html
    assert 'data-testid="section-hours_by_priority"' in html
    assert 'data-testid="section-target_attainment"' in html
    assert 'data-testid="section-referent_coverage"' in html
    assert "<svg" in html and "<rect" in html
    # The priority's 5 h (300 min) are in the table under the chart.
    assert "<td>300</td>" in html
    assert reverse("training:audit_export", args=["hours_by_school", "xlsx"]) in html


def test_manager_sees_the_academy_dashboard(client_for, manager, audit_data):
    assert client_for(manager).get(ACADEMY).status_code == 200


def test_head_sees_his_school_dashboard_only(client_for, head, school, other_school, audit_data):
    client = client_for(head)
    response = client.get(school_url(school), {"annee": audit_data["year"].name})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Collège Jean Moulin" in html
    assert "Claire" in html  # his teacher, in the per-person table
    assert "Durand" not in html  # the lycée's colleague
    assert client.get(school_url(other_school)).status_code == 404
    assert client.get(ACADEMY).status_code == 404
    assert client.get(NATIONAL).status_code == 404


def test_rectorate_sees_any_school_of_its_academy(client_for, auditor, other_school, audit_data):
    assert client_for(auditor).get(school_url(other_school)).status_code == 200


@pytest.mark.parametrize("persona", ["teacher", "referent", "trainer", "outsider"])
def test_others_get_404_on_versailles_dashboards(persona, request, client_for, school, audit_data):
    client = client_for(request.getfixturevalue(persona))
    for url in (ACADEMY, NATIONAL, school_url(school)):
        assert client.get(url).status_code == 404, url


def test_auditor_of_another_academy_sees_nothing_of_versailles(
    client_for, make_user, other_academy, school, audit_data
):
    paris = make_user("paris-auditor", role=RoleMembership.Role.AUDITOR, academy=other_academy)
    client = client_for(paris)
    assert client.get(school_url(school)).status_code == 404
    assert client.get(ACADEMY, {"academie": "25"}).status_code == 404
    response = client.get(ACADEMY)
    assert response.status_code == 200
    assert "Collège Jean Moulin" not in response.content.decode()
    export = reverse("training:audit_export", args=["hours_by_school", "csv"])
    assert client.get(export, {"academie": "25"}).status_code == 404
    assert client.get(export, {"uai": school.uai}).status_code == 404
    assert school.uai not in client.get(export).content.decode("utf-8-sig")


def test_national_sees_every_dashboard(client_for, national, school, audit_data):
    client = client_for(national)
    response = client.get(NATIONAL, {"annee": audit_data["year"].name})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Versailles" in html and "Paris" in html
    assert client.get(ACADEMY, {"academie": "25"}).status_code == 200
    assert client.get(school_url(school)).status_code == 200


def test_pilotage_menu_leads_to_the_widest_dashboard(
    client_for, auditor, head, national, school, audit_data
):
    home = reverse("training:audit_home")
    assert client_for(auditor).get(home).url == ACADEMY
    assert client_for(head).get(home).url == school_url(school)
    assert client_for(national).get(home).url == NATIONAL


def test_pilotage_is_in_the_menu_of_the_rectorate_not_of_teachers(
    client_for, auditor, teacher, audit_data
):
    assert "Pilotage" in client_for(auditor).get(reverse("home")).content.decode()
    assert "Pilotage" not in client_for(teacher).get(reverse("home")).content.decode()


def test_bad_filters(client_for, auditor, other_academy, audit_data):
    client = client_for(auditor)
    assert client.get(ACADEMY, {"annee": "1999-2000"}).status_code == 404
    paris = District.objects.create(academy=other_academy, kind="bassin", name="Paris Centre")
    assert client.get(ACADEMY, {"bassin": paris.pk}).status_code == 404
    # Malformed values are ignored.
    assert client.get(ACADEMY, {"degre": "x", "type": "nope", "priorite": "?"}).status_code == 200


def test_filters_narrow_the_dashboard(client_for, auditor, audit_data):
    client = client_for(auditor)
    response = client.get(ACADEMY, {"annee": audit_data["year"].name, "degre": 1})
    assert "<td>300</td>" not in response.content.decode()


def test_anonymous_goes_to_login(client, school, audit_data):
    for url in (ACADEMY, NATIONAL, school_url(school)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def _more_data(academy, slot, trainer, make_user, n):
    district = District.objects.create(academy=academy, kind="bassin", name="Bassin Nord")
    for i in range(n):
        number = 7800100 + i
        uai = f"{number:07d}" + "ABCDEFGHJKLMNPRSTUVWXYZ"[number % 23]
        school = make_school(academy, uai, f"Collège {i}")
        school.district = district
        school.save()
        for _j in range(2):
            user = make_user(school=school)
            HoursEntry.objects.create(
                staff=user.staff,
                slot=slot,
                minutes=60,
                priority=slot.session.module.programme.priority,
                modality="in_person",
                school_year=slot.session.module.programme.school_year,
                source="correction",
                reason="test",
                author=trainer,
            )


def test_dashboard_queries_do_not_grow_with_data(
    client_for, auditor, academy, trainer, make_user, audit_data
):
    client = client_for(auditor)
    params = {"annee": audit_data["year"].name}
    client.get(ACADEMY, params)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(ACADEMY, params).status_code == 200
    _more_data(academy, audit_data["slot"], trainer, make_user, 6)
    with CaptureQueriesContext(connection) as large:
        response = client.get(ACADEMY, params)
    assert "Bassin Nord" in response.content.decode()
    assert len(large) <= len(small) + 1  # +1: the new bassin's row of the filter form


# --- API ---------------------------------------------------------------------------------


def api_url(key):
    return f"/api/audit/reports/{key}"


def test_api_report_as_json(client_for, auditor, school, audit_data):
    response = client_for(auditor).get(
        api_url("hours_by_school"), {"annee": audit_data["year"].name}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    rows = {row["uai"]: row for row in data["rows"]}
    assert rows[school.uai]["minutes"] == 180
    assert {"key": "uai", "label": "UAI"} in data["columns"]


def test_api_paginates_rows(client_for, auditor, audit_data):
    response = client_for(auditor).get(api_url("hours_by_teacher"), {"limit": 1, "offset": 1})
    data = response.json()
    assert data["count"] == 4 and len(data["rows"]) == 1


def test_api_lists_reports_including_the_referents_sections(client_for, auditor, audit_data):
    keys = {r["key"] for r in client_for(auditor).get("/api/audit/reports").json()}
    assert {"hours_by_school", "hours_by_teacher", "referent_coverage"} <= keys


@pytest.mark.parametrize("persona", ["teacher", "trainer", "referent"])
def test_api_refuses_people_without_an_audit_scope(persona, request, client_for, audit_data):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(api_url("hours_by_school")).status_code == 404
    assert client.get("/api/audit/reports").status_code == 404


def test_api_outsider_sees_nothing_of_versailles(client_for, outsider, school, audit_data):
    client = client_for(outsider)
    assert client.get(api_url("hours_by_school"), {"uai": school.uai}).status_code == 404
    rows = client.get(api_url("hours_by_teacher")).json()["rows"]
    assert {row["academy"] for row in rows} == {"Paris"}


def test_api_anonymous_is_401(client, audit_data):
    assert client.get(api_url("hours_by_school")).status_code == 401
