"""The référents' anomaly (an instalment in a month without any mission log) and the
allowance ledger frozen once the académie closed the year."""

import datetime as dt

import pytest
import time_machine

from referents import services
from referents.errors import ReferentError
from referents.models import AllowanceInstalment, AllowanceScheme, MissionLog
from training.models import Anomaly
from training.services import closing
from training.services.anomalies import run_checks

pytestmark = pytest.mark.django_db
D = dt.date
CODE = "instalment_without_mission_log"


@pytest.fixture
def appointment(make_user, head, school, school_year):
    user = make_user("candidate", school=school)
    with time_machine.travel(D(2010, 9, 1)):
        candidature = services.volunteer(user=user, school_year=school_year, motivation="Oui")
    return services.appoint(
        user=head,
        appointment=candidature,
        scheme=AllowanceScheme.objects.get(code="fic2010-12"),
        annual_cents=120000,
        mission_letter="Missions 1a à 2c",
    )


def log(appointment, day):
    return MissionLog.objects.create(appointment=appointment, date=day, minutes=60, category="1a")


def found(academy, school_year):
    run_checks(academy=academy, school_year=school_year, codes=[CODE])
    return set(Anomaly.objects.open().filter(code=CODE).values_list("object_id", flat=True))


def test_the_check_is_registered_by_referents():
    from training.services.anomalies import CHECKS

    assert CODE in CHECKS


def test_an_instalment_without_any_log_that_month_is_found(appointment, academy, school_year):
    services.compute_instalments(month=D(2010, 9, 1))
    services.compute_instalments(month=D(2010, 10, 1))
    september, october = AllowanceInstalment.objects.order_by("month")
    log(appointment, D(2010, 9, 20))
    log(appointment, D(2010, 11, 3))  # another month: does not cover October
    assert found(academy, school_year) == {october.pk}
    anomaly = Anomaly.objects.get(code=CODE)
    assert "10/2010" in anomaly.message
    assert anomaly.url == f"/referents/etablissement/{appointment.school.uai}/"
    # The référent's October log turns up: the next scan resolves the anomaly.
    log(appointment, D(2010, 10, 31))
    assert found(academy, school_year) == set()
    assert september.pk not in {a.object_id for a in Anomaly.objects.all()}


def test_the_month_in_progress_is_not_flagged(appointment, academy, school_year):
    with time_machine.travel(D(2010, 10, 5)):
        services.compute_instalments(month=D(2010, 10, 1))
        assert found(academy, school_year) == set()


def test_another_academy_sees_nothing_of_it(appointment, other_academy, school_year):
    services.compute_instalments(month=D(2010, 9, 1))
    assert found(other_academy, school_year) == set()


def test_instalments_are_frozen_once_the_year_is_closed(
    appointment, academy, school_year, auditor, manager, head, school
):
    services.compute_instalments(month=D(2010, 9, 1))
    closing.close_academy_year(user=auditor, academy=academy, school_year=school_year, confirm=True)
    assert services.compute_instalments(month=D(2010, 10, 1)) == 0
    with pytest.raises(ReferentError, match="close") as exc:
        services.correct_instalment(
            user=manager,
            appointment=appointment,
            month=D(2010, 9, 1),
            amount_cents=500,
            reason="Oubli",
        )
    assert exc.value.status == 409
    with pytest.raises(ReferentError, match="close"):
        services.confirm_service_done(user=head, school=school, month=D(2010, 9, 1))
    assert list(AllowanceInstalment.objects.values_list("month", "service_done_at")) == [
        (D(2010, 9, 1), None)
    ]
