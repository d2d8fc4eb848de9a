"""The académie's summary of its référents and the network directory."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referents import services
from referents.models import AllowanceInstalment, AllowanceScheme, Envelope
from tests.conftest import make_school
from training.formatting import euros
from training.models import District

pytestmark = pytest.mark.django_db
D = dt.date
SUMMARY = reverse("referents:summary") + "?annee=2010-2011"
DIRECTORY = reverse("referents:directory") + "?annee=2010-2011"


@pytest.fixture
def bassin(academy, school, other_school):
    district = District.objects.create(academy=academy, kind="bassin", name="Versailles-Nord")
    for s in (school, other_school):  # other_school, a lycée, has no référent
        s.district = district
        s.save()
    return district


def appoint_referent(school, school_year, make_user, *, username, cents=120000):
    from training.models import RoleMembership

    head = make_user(f"head-{username}")
    RoleMembership.objects.create(user=head, role=RoleMembership.Role.HEAD, school=school)
    user = make_user(username, school=school, first_name="Anne", last_name=username.title())
    with time_machine.travel(D(2010, 9, 1)):
        appointment = services.volunteer(user=user, school_year=school_year, motivation="")
    services.appoint(
        user=head,
        appointment=appointment,
        scheme=AllowanceScheme.objects.get(code="fic2010-12"),
        annual_cents=cents,
        mission_letter="Missions",
    )
    return user, appointment


@pytest.fixture
def network(bassin, school, school_year, academy, make_user):
    Envelope.objects.create(academy=academy, school_year=school_year, amount_cents=500000)
    user, appointment = appoint_referent(school, school_year, make_user, username="dupont")
    for month, exported in ((D(2010, 9, 1), True), (D(2010, 10, 1), False)):
        AllowanceInstalment.objects.create(
            appointment=appointment,
            month=month,
            amount_cents=10000,
            exported_at=dt.datetime(2010, 11, 1, tzinfo=dt.UTC) if exported else None,
        )
    for day in (4, 5):
        services.log_mission(user=user, date=D(2010, 10, day), category="1c", minutes=45)
    return user


def test_the_auditor_sees_coverage_and_amounts(client_for, auditor, network):
    response = client_for(auditor).get(SUMMARY)
    assert response.status_code == 200
    text = response.text
    assert "Versailles-Nord" in text
    assert "<td>Versailles-Nord</td><td>2</td><td>1</td><td>50 %</td>" in text
    assert euros(120000) in text  # committed
    assert euros(10000) in text  # paid: the exported instalment only
    assert euros(500000) in text  # envelope
    assert euros(380000) in text  # remaining
    assert "1,5 h" in text  # 2 × 45 minutes of 1c


def test_the_csv_has_a_bom_and_semicolons(client_for, manager, network):
    response = client_for(manager).get(SUMMARY + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    lines = content.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Académie;Bassin;Établissements;Avec référent;Couverture (%)")
    row = next(line for line in lines if ";Versailles-Nord;" in line).split(";")
    assert row[2:9] == ["2", "1", "50", "1200,00", "100,00", "", ""]
    total = next(line for line in lines if ";Total;" in line).split(";")
    assert total[7:9] == ["5000,00", "3800,00"]
    assert "1,5" in total[9:]


@pytest.mark.parametrize("url", [reverse("referents:summary"), reverse("referents:directory")])
def test_outsiders_and_teachers_get_404(client_for, outsider, teacher, network, url):
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(teacher).get(url).status_code == 404


def test_a_head_cannot_read_the_summary(client_for, head, network):
    assert client_for(head).get(SUMMARY).status_code == 404


def test_a_referent_sees_the_network(client_for, network, auditor, bassin):
    with time_machine.travel(D(2010, 10, 1)):
        response = client_for(network).get(DIRECTORY)
    assert response.status_code == 200
    text = response.text
    assert "Anne Dupont" in text and "dupont@example.org" in text
    assert "Collège Jean Moulin" in text and "Versailles-Nord" in text
    assert client_for(network).get(SUMMARY).status_code == 404  # the summary is the rectorate's
    assert client_for(auditor).get(DIRECTORY).status_code == 200


def test_the_directory_filters_by_bassin(client_for, auditor, network, academy):
    other = District.objects.create(academy=academy, kind="bassin", name="Mantes")
    client = client_for(auditor)
    assert (
        "Anne Dupont" not in client.get(DIRECTORY + f"&bassin={other.pk}").text.split("<tbody>")[1]
    )
    assert "Anne Dupont" in client.get(DIRECTORY + "&bassin=").text.split("<tbody>")[1]


def _grow(academy, school_year, make_user, bassin, n, start):
    for i in range(n):
        school = make_school(academy, f"078{start + i:04d}X", f"Collège {start + i}")
        school.district = bassin
        school.save()
        user, _a = appoint_referent(
            school, school_year, make_user, username=f"ref{start + i}", cents=40000
        )
        services.log_mission(user=user, date=D(2010, 10, 4), category="2a", minutes=30)


@pytest.mark.parametrize("url", [SUMMARY, SUMMARY + "&format=csv", DIRECTORY])
def test_constant_queries(
    client_for,
    auditor,
    network,
    academy,
    school_year,
    make_user,
    bassin,
    url,
    django_assert_max_num_queries,
):
    client = client_for(auditor)
    _grow(academy, school_year, make_user, bassin, 1, 100)
    client.get(url)  # session, caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(academy, school_year, make_user, bassin, 5, 200)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
