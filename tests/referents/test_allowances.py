"""Appointments, the allowance ledger and mission logs, through the services."""

import datetime as dt

import pytest
import time_machine

from referents import services
from referents.errors import ReferentError
from referents.models import (
    AllowanceInstalment,
    AllowanceScheme,
    Appointment,
    Envelope,
    MissionLog,
    PayrollExport,
    SchoolMission,
)
from tests.conftest import make_school

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def imp(db):
    return AllowanceScheme.objects.get(code="imp2015-9")


def months_of(scheme, year):
    return services.schedule(scheme, year)


def test_schemes_are_shipped_as_data(fic, imp, school_year):
    assert (fic.min_cents, fic.max_cents, fic.instalments, fic.first_month) == (
        40000,
        240000,
        12,
        9,
    )
    assert imp.rates_cents == [31250, 62500, 125000, 250000, 375000]
    assert months_of(fic, school_year)[0] == D(2010, 9, 1) and months_of(fic, school_year)[-1] == D(
        2011, 8, 1
    )
    assert months_of(imp, school_year) == [D(2010, m, 1) for m in (10, 11, 12)] + [
        D(2011, m, 1) for m in range(1, 7)
    ]


@pytest.mark.parametrize("annual", [40000, 100001, 125000, 239999, 240000])
def test_a_full_year_sums_exactly_to_the_annual_amount(fic, imp, school_year, annual):
    for scheme in (fic, imp):
        amounts = services.instalment_amounts(
            annual_cents=annual,
            months=months_of(scheme, school_year),
            start=school_year.start,
            end=None,
            by_days=True,
        )
        assert len(amounts) == scheme.instalments
        assert sum(amounts.values()) == annual
        values = list(amounts.values())
        assert len(set(values[:-1])) == 1  # equal instalments, the last absorbs the rounding


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 12 × 100,00 €: from 16 January (16 of 31 days) to 31 August
        (D(2011, 1, 16), None, 10000 * 16 // 31 + 7 * 10000),
        # from 1 September to 15 March (15 of 31 days)
        (D(2010, 9, 1), D(2011, 3, 15), 6 * 10000 + 10000 * 15 // 31 + 1),
    ],
)
def test_proration_by_days_served_is_exact(fic, school_year, start, end, expected):
    amounts = services.instalment_amounts(
        annual_cents=120000, months=months_of(fic, school_year), start=start, end=end, by_days=True
    )
    from fractions import Fraction

    served = sum(
        Fraction(*services.served_fraction(m, start, end, True))
        for m in months_of(fic, school_year)
    )
    assert sum(amounts.values()) == int(Fraction(120000) * served / 12 + Fraction(1, 2))
    assert abs(sum(amounts.values()) - expected) <= 1


def test_proration_under_the_nine_month_schedule(imp, school_year):
    # appointed on 1 February: 5 of the 9 instalments (February to June)
    amounts = services.instalment_amounts(
        annual_cents=125000,
        months=months_of(imp, school_year),
        start=D(2011, 2, 1),
        end=None,
        by_days=True,
    )
    assert list(amounts) == [D(2011, m, 1) for m in range(2, 7)]
    # 5/9 of 1 250,00 € = 694,44… €: to the cent, the last instalment absorbing the rest
    assert list(amounts.values()) == [13888, 13888, 13888, 13888, 13892]


@pytest.fixture
def volunteer(make_user, school, school_year):
    user = make_user("candidate", school=school)
    with time_machine.travel(D(2010, 9, 1)):
        appointment = services.volunteer(
            user=user, school_year=school_year, motivation="J'aime le numérique"
        )
    return user, appointment


def appoint(head, appointment, scheme, cents=120000, start=None):
    return services.appoint(
        user=head,
        appointment=appointment,
        scheme=scheme,
        annual_cents=cents,
        mission_letter="Missions 1a à 2c",
        start=start,
    )


def test_only_the_head_appoints_within_the_regime(head, outsider, volunteer, fic, imp):
    _user, appointment = volunteer
    with pytest.raises(ReferentError) as exc:
        appoint(outsider, appointment, fic)
    assert exc.value.status == 403
    with pytest.raises(ReferentError, match="entre 400,00 € et 2 400,00 €"):
        appoint(head, appointment, fic, cents=250000)
    # The IMP (2015) is not the regime of 2010-2011 (see test_regimes_in_force below).
    with pytest.raises(ReferentError, match="n'est pas en vigueur pour l'année 2010-2011"):
        appoint(head, appointment, imp, cents=125000)
    appointment.refresh_from_db()
    assert appointment.state == "volunteered"
    appointment = appoint(head, appointment, fic, cents=125000)
    assert (appointment.state, appointment.annual_cents) == ("appointed", 125000)


def test_the_envelope_refuses_with_the_remaining_amount(head, volunteer, fic, academy, school_year):
    _user, appointment = volunteer
    Envelope.objects.create(academy=academy, school_year=school_year, amount_cents=100000)
    with pytest.raises(ReferentError, match="il reste 1 000,00 €"):
        appoint(head, appointment, fic, cents=120000)
    appointment.refresh_from_db()
    assert appointment.state == "volunteered"
    assert appoint(head, appointment, fic, cents=100000).state == "appointed"


def test_a_second_referent_for_the_same_period_is_refused(
    head, volunteer, fic, make_user, school, school_year
):
    _user, appointment = volunteer
    appoint(head, appointment, fic)
    other = make_user("second", school=school)
    with time_machine.travel(D(2010, 9, 2)):
        second = services.volunteer(user=other, school_year=school_year, motivation="")
    with pytest.raises(ReferentError, match="déjà un référent nommé"):
        appoint(head, second, fic)


def test_the_monthly_job_creates_each_instalment_once(head, volunteer, fic, school_year):
    _user, appointment = volunteer
    appoint(head, appointment, fic, cents=120001)
    for month in months_of(fic, school_year):
        assert services.compute_instalments(month=month) == 1
        assert services.compute_instalments(month=month) == 0
    amounts = list(AllowanceInstalment.objects.values_list("amount_cents", flat=True))
    assert len(amounts) == 12 and sum(amounts) == 120001


def test_ending_early_stops_future_instalments_and_prorates_the_last(
    head, volunteer, fic, school_year
):
    _user, appointment = volunteer
    appoint(head, appointment, fic, cents=120000)
    for month in months_of(fic, school_year)[:6]:  # September to February
        services.compute_instalments(month=month)
    services.end_appointment(
        user=head, appointment=appointment, end=D(2011, 3, 15), reason="Mutation"
    )
    for month in months_of(fic, school_year)[6:]:
        services.compute_instalments(month=month)
    rows = dict(AllowanceInstalment.objects.values_list("month", "amount_cents"))
    assert max(rows) == D(2011, 3, 1)
    assert sum(rows.values()) == int(120000 * (6 + 15 / 31) / 12 + 0.5)


def test_service_fait_is_confirmed_by_the_head_then_exported_once(
    head, outsider, manager, volunteer, fic, school, academy
):
    _user, appointment = volunteer
    appoint(head, appointment, fic)
    services.compute_instalments(month=D(2010, 9, 1))
    with pytest.raises(ReferentError):
        services.confirm_service_done(user=outsider, school=school, month=D(2010, 9, 1))
    with pytest.raises(ReferentError, match="Aucune mensualité à exporter"):
        services.export_payroll(user=manager, academy=academy)  # nothing confirmed yet
    assert not PayrollExport.objects.exists()
    assert services.confirm_service_done(user=head, school=school, month=D(2010, 9, 1)) == 1
    export = services.export_payroll(user=manager, academy=academy)
    assert [r.amount_cents for r in export.instalments.all()] == [10000]
    assert export.created_by == manager
    with pytest.raises(ReferentError, match="Aucune mensualité à exporter"):
        services.export_payroll(user=manager, academy=academy)
    with pytest.raises(ReferentError):
        services.export_payroll(user=head, academy=academy)
    assert PayrollExport.objects.count() == 1


def test_an_exported_instalment_never_changes(head, manager, volunteer, fic, school, academy):
    _user, appointment = volunteer
    appoint(head, appointment, fic)
    services.compute_instalments(month=D(2010, 9, 1))
    services.compute_instalments(month=D(2010, 10, 1))
    services.confirm_service_done(user=head, school=school, month=D(2010, 9, 1))
    services.export_payroll(user=manager, academy=academy)
    exported = AllowanceInstalment.objects.get(month=D(2010, 9, 1))
    exported.amount_cents = 1
    with pytest.raises(ReferentError, match="déjà été exportée"):
        exported.save()
    with pytest.raises(ReferentError, match="déjà été exportée"):
        AllowanceInstalment.objects.filter(appointment=appointment).update(amount_cents=1)
    with pytest.raises(ReferentError, match="déjà été exportée"):
        AllowanceInstalment.objects.get(month=D(2010, 9, 1)).delete()
    with pytest.raises(ReferentError, match="déjà été exportée"):
        AllowanceInstalment.objects.all().delete()
    assert sorted(AllowanceInstalment.objects.values_list("amount_cents", flat=True)) == [
        10000,
        10000,
    ]
    # The row not exported yet is still the ledger's to change (service fait, here).
    assert services.confirm_service_done(user=head, school=school, month=D(2010, 10, 1)) == 1


def test_the_head_declines_a_candidature_with_a_reason(head, outsider, volunteer, fic):
    _user, appointment = volunteer
    with pytest.raises(ReferentError):
        services.decline(user=outsider, appointment=appointment, reason="Non")
    with pytest.raises(ReferentError, match="motif"):
        services.decline(user=head, appointment=appointment, reason="  ")
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.VOLUNTEERED
    services.decline(user=head, appointment=appointment, reason="Poste déjà pourvu")
    appointment.refresh_from_db()
    assert (appointment.state, appointment.end_reason) == ("declined", "Poste déjà pourvu")
    with pytest.raises(ReferentError, match="déjà été traitée"):
        appoint(head, appointment, fic)
    with pytest.raises(ReferentError, match="déjà été traitée"):
        services.decline(user=head, appointment=appointment, reason="Encore")


def test_a_shared_mission_takes_two_referents_sharing_one_allowance(
    head, make_user, school, school_year, fic
):
    def candidate(username):
        user = make_user(username, school=school)
        with time_machine.travel(D(2010, 9, 1)):
            return services.volunteer(user=user, school_year=school_year, motivation="Volontaire")

    first, second, third = candidate("alice"), candidate("bruno"), candidate("chloe")
    appoint(head, first, fic, cents=150000)
    with pytest.raises(ReferentError, match="déjà un référent nommé"):
        appoint(head, second, fic, cents=90000)
    services.set_mission_shared(user=head, school=school, shared=True)
    with pytest.raises(ReferentError, match="il reste 900,00 €"):
        appoint(head, second, fic, cents=100000)
    second.refresh_from_db()
    assert second.state == Appointment.State.VOLUNTEERED
    appoint(head, second, fic, cents=90000)
    with pytest.raises(ReferentError, match="déjà partagée entre deux"):
        appoint(head, third, fic, cents=40000)
    with pytest.raises(ReferentError, match="Deux référents sont en poste"):
        services.set_mission_shared(user=head, school=school, shared=False)
    assert SchoolMission.is_shared(school)


def test_corrections_are_new_rows_with_a_reason(manager, head, volunteer, fic):
    _user, appointment = volunteer
    appoint(head, appointment, fic)
    with pytest.raises(ReferentError, match="motif"):
        services.correct_instalment(
            user=manager, appointment=appointment, month=D(2010, 9, 1), amount_cents=-500, reason=""
        )
    row = services.correct_instalment(
        user=manager,
        appointment=appointment,
        month=D(2010, 9, 17),
        amount_cents=-500,
        reason="Trop-perçu",
    )
    assert (row.kind, row.month, row.amount_cents) == ("correction", D(2010, 9, 1), -500)


def test_mission_logs_are_checked(head, volunteer, fic, school, make_user, outsider):
    user, appointment = volunteer
    with pytest.raises(ReferentError, match="pas référent nommé"):
        services.log_mission(user=user, date=D(2010, 10, 1), category="1a", minutes=60)
    appoint(head, appointment, fic)
    colleague = make_user("colleague", school=school)
    with pytest.raises(ReferentError, match="positive"):
        services.log_mission(user=user, date=D(2010, 10, 1), category="1a", minutes=0)
    with time_machine.travel(D(2010, 10, 2)), pytest.raises(ReferentError, match="à venir"):
        services.log_mission(user=user, date=D(2010, 10, 5), category="1a", minutes=30)
    with pytest.raises(ReferentError, match="votre établissement"):
        services.log_mission(
            user=user, date=D(2010, 10, 1), category="1c", minutes=30, colleagues=[outsider.staff]
        )
    log = services.log_mission(
        user=user,
        date=D(2010, 10, 1),
        category="1c",
        minutes=45,
        description="ENT",
        colleagues=[colleague.staff],
    )
    assert list(log.colleagues.all()) == [colleague.staff]
    assert MissionLog.objects.count() == 1


def test_training_delivered_takes_its_time_from_the_slots(head, volunteer, fic, make_session):
    user, appointment = volunteer
    appoint(head, appointment, fic)
    session = make_session(approval="none")
    with pytest.raises(ReferentError, match="session que vous animez"):
        services.log_mission(user=user, date=D(2010, 10, 1), category="training", session=session)
    session.trainers.add(user)
    log = services.log_mission(user=user, date=D(2010, 10, 1), category="training", session=session)
    assert log.minutes == 180


def test_a_school_of_the_first_degree_has_no_referent(make_user, academy, school_year):
    ecole = make_school(academy, "0910620E", "École", kind="ecole_elementaire")
    user = make_user(school=ecole)
    with pytest.raises(ReferentError, match="2nd degré"):
        services.volunteer(user=user, school_year=school_year, motivation="")
    assert not Appointment.objects.exists()


def test_the_candidature_and_its_answer_are_told_by_e_mail(
    make_user, head, school, school_year, fic, mailoutbox, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    first = make_user("first", school=school, first_name="Paul", last_name="Durand")
    second = make_user("second", school=school, first_name="Léa", last_name="Petit")
    with time_machine.travel(D(2010, 9, 1)), django_capture_on_commit_callbacks(execute=True):
        one = services.volunteer(user=first, school_year=school_year, motivation="ENT")
        two = services.volunteer(user=second, school_year=school_year, motivation="TNI")
    assert [m.to for m in mailoutbox] == [[head.email], [head.email]]
    assert mailoutbox[0].subject == (
        "[Dune] Candidature de référent numérique : Paul Durand — 2010-2011"
    )
    assert f"{settings.SITE_URL}/referents/etablissement/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        appoint(head, one, fic, cents=120000)
        services.decline(user=head, appointment=two, reason="Un seul référent cette année")
    appointed, declined = mailoutbox[2:]
    assert appointed.to == [first.email]
    assert "Collège Jean Moulin — 1 200,00 € par an" in appointed.body
    assert declined.to == [second.email]
    assert "« Un seul référent cette année »" in declined.body
