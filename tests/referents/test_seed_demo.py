import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from referents.models import AllowanceInstalment, Appointment, MissionLog
from training.models import District, RoleMembership, School, Staff
from training.roles import roles_of
from training.validators import validate_uai

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_demo", quiet=True, stdout=open("/dev/null", "w"), **options)


def snapshot():
    User = get_user_model()
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            User,
            School,
            District,
            Staff,
            RoleMembership,
            Appointment,
            AllowanceInstalment,
            MissionLog,
            MissionLog.colleagues.through,
        )
    ]


def test_seed_demo_twice_changes_nothing():
    seed(schools=12, staff=60)
    first = snapshot()
    seed(schools=12, staff=60)
    assert snapshot() == first


def test_demo_directory_is_realistic():
    seed(schools=20, staff=200)
    schools = School.objects.filter(academy__code="25")
    assert schools.count() == 20
    for uai in schools.values_list("uai", flat=True):
        validate_uai(uai)
    assert {s.kind for s in schools} >= {
        "ecole_maternelle",
        "ecole_elementaire",
        "college",
        "legt",
        "lp",
    }
    # 200 generated + the named accounts' staff profiles
    assert Staff.objects.count() == 203
    # one head per school (the named "directeur" is a second head of the collège)
    assert RoleMembership.objects.filter(role="head").values("school").distinct().count() == 20
    # first-degree schools hang off a circonscription, the others off a bassin
    for school in schools.select_related("district"):
        expected = "circonscription" if school.degree == 1 else "bassin"
        assert school.district.kind == expected


def test_a_referent_in_most_secondary_schools():
    seed(schools=40, staff=400)
    secondary = School.objects.filter(degree=2)
    with_referent = secondary.filter(appointments__state="appointed").distinct().count()
    assert with_referent >= 0.6 * secondary.count()
    assert not School.objects.filter(degree=1, appointments__isnull=False).exists()


def test_named_accounts_hold_their_roles_and_log_in(client, settings):
    seed(schools=10, staff=30)
    User = get_user_model()
    expected = {
        "enseignant": ["teacher"],
        "referent": ["teacher", "referent"],
        "directeur": ["head"],
        "formateur": ["teacher", "trainer"],
        "auditeur": ["auditor"],
        "gestionnaire": ["manager"],
        "national": ["national"],
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert sorted(r.code for r in roles_of(user)) == sorted(roles), username
        assert client.login(username=username, password=settings.DUNE_DEMO_PASSWORD), username


def test_scale_options_generate_large_data():
    seed(schools=100, staff=3000)
    assert School.objects.count() == 100
    assert Staff.objects.count() == 3003


def test_too_small_a_demo_is_refused_with_a_message():
    with pytest.raises(CommandError, match="au moins 7 établissements"):
        seed(schools=3, staff=10)


def test_demo_referents_have_a_year_of_activity():
    seed(schools=12, staff=60)
    appointments = Appointment.objects.filter(school_year__name="2010-2011", state="appointed")
    assert appointments.exists()
    assert not appointments.filter(scheme__isnull=True).exists()
    assert set(appointments.values_list("annual_cents", flat=True)) == {120_000}
    instalments = AllowanceInstalment.objects.filter(appointment__in=appointments)
    # 12 monthly instalments each, summing to the annual amount
    assert instalments.count() == 12 * appointments.count()
    for appointment in appointments:
        assert sum(appointment.instalments.values_list("amount_cents", flat=True)) == 120_000
    autumn = instalments.filter(month__lte="2010-12-01")
    assert autumn.count() == 4 * appointments.count()
    assert not autumn.filter(service_done_at__isnull=True).exists()
    assert not autumn.filter(exported_at__isnull=True).exists()
    assert not instalments.filter(month__gt="2010-12-01", exported_at__isnull=False).exists()
    logs = MissionLog.objects.filter(appointment__staff__user__username="referent")
    assert {log.category for log in logs} == {"1a", "1c", "2b"}
    for log in logs:
        assert 30 <= log.minutes <= 90
        assert "2010-10-01" <= log.date.isoformat() <= "2010-11-30"
        assert all(c.school_id == log.appointment.school_id for c in log.colleagues.all())
