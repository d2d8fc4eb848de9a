"""Allowance regimes in force for their years, and an appointment ended mid-month after
its instalment was computed: the difference taken back to the day, to the cent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from referents import services
from referents.errors import ReferentError
from referents.models import AllowanceInstalment, AllowanceScheme, Appointment
from training.models import SchoolYear

D = dt.date


def test_the_shipped_regimes_have_their_years(db):
    fic = AllowanceScheme.objects.get(code="fic2010-12")
    imp = AllowanceScheme.objects.get(code="imp2015-9")
    assert (fic.in_force_from, fic.in_force_until) == (D(2010, 9, 1), D(2015, 8, 31))
    assert (imp.in_force_from, imp.in_force_until) == (D(2015, 9, 1), None)


def test_the_imp_is_the_regime_from_2015_and_keeps_its_rates(make_user, school, head):
    year = SchoolYear.objects.create(name="2015-2016", start=D(2015, 9, 1), end=D(2016, 8, 31))
    user = make_user("candidate2015", school=school)
    with time_machine.travel(D(2015, 9, 1)):
        appointment = services.volunteer(user=user, school_year=year, motivation="ENT")
    fic = AllowanceScheme.objects.get(code="fic2010-12")
    imp = AllowanceScheme.objects.get(code="imp2015-9")
    with pytest.raises(ReferentError, match="n'est pas en vigueur pour l'année 2015-2016"):
        services.appoint(
            user=head, appointment=appointment, scheme=fic, annual_cents=120000,
            mission_letter="Missions",
        )  # fmt: skip
    with pytest.raises(ReferentError, match="taux suivants"):
        services.appoint(
            user=head, appointment=appointment, scheme=imp, annual_cents=100000,
            mission_letter="Missions",
        )  # fmt: skip
    appointment = services.appoint(
        user=head, appointment=appointment, scheme=imp, annual_cents=125000,
        mission_letter="Missions",
    )  # fmt: skip
    assert appointment.state == Appointment.State.APPOINTED


def test_ended_mid_month_after_its_instalment_a_correction_to_the_day(appointed, head):
    _user, appointment = appointed
    for month in (D(2010, 9, 1), D(2010, 10, 1), D(2010, 11, 1)):
        services.compute_instalments(month=month)
    services.end_appointment(
        user=head, appointment=appointment, end=D(2010, 11, 10), reason="mutation"
    )
    correction = AllowanceInstalment.objects.get(kind=AllowanceInstalment.Kind.CORRECTION)
    assert (correction.month, correction.amount_cents) == (D(2010, 11, 1), -6667)
    assert "10/11/2010" in correction.reason
    paid = sum(AllowanceInstalment.objects.values_list("amount_cents", flat=True))
    assert paid == 23333  # 1 200 € × (2 months + 10/30) / 12


def test_ended_at_a_months_end_no_correction(appointed, head):
    _user, appointment = appointed
    for month in (D(2010, 9, 1), D(2010, 10, 1)):
        services.compute_instalments(month=month)
    services.end_appointment(user=head, appointment=appointment, end=D(2010, 10, 31), reason="fin")
    assert not AllowanceInstalment.objects.filter(kind=AllowanceInstalment.Kind.CORRECTION).exists()


def test_ended_before_the_months_instalment_the_monthly_job_prorates_it(appointed, head):
    _user, appointment = appointed
    services.compute_instalments(month=D(2010, 9, 1))
    services.end_appointment(user=head, appointment=appointment, end=D(2010, 10, 10), reason="x")
    assert not AllowanceInstalment.objects.filter(kind=AllowanceInstalment.Kind.CORRECTION).exists()
    services.compute_instalments(month=D(2010, 10, 1))
    october = AllowanceInstalment.objects.get(month=D(2010, 10, 1))
    assert october.amount_cents == 3226  # 100 € × 10/31
