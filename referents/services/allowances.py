"""The allowance ledger. Money is integer cents: one regular row per appointment and month
(a unique constraint, so the monthly job may run twice or on two workers at once),
corrections as new rows with a reason, and no change once a row was exported to payroll.
"""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.errors import ReferentError
from referents.models import (
    AllowanceInstalment,
    AllowanceScheme,
    Appointment,
)
from referents.permissions import is_head_of
from training.models import School, SchoolYear
from training.permissions import can_manage_academy
from training.services.closing import is_frozen


def schedule(scheme: AllowanceScheme, year: SchoolYear) -> list[dt.date]:
    """The months (first days) in which the scheme pays, within the school year."""
    months, month, year_number = [], scheme.first_month, year.start.year
    if month < year.start.month:
        year_number += 1
    for _i in range(scheme.instalments):
        months.append(dt.date(year_number, month, 1))
        month += 1
        if month == 13:
            month, year_number = 1, year_number + 1
    return months


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def served_fraction(
    month: dt.date, start: dt.date, end: dt.date | None, by_days: bool
) -> tuple[int, int]:
    """(days served, days in the month) — or (1, 1) / (0, 1) when prorating by month."""
    last = _month_end(month)
    first_day, last_day = max(month, start), min(last, end or last)
    served = max(0, (last_day - first_day).days + 1)
    if not by_days:
        return (1, 1) if served else (0, 1)
    return served, last.day


def instalment_amounts(
    *, annual_cents: int, months: list[dt.date], start: dt.date, end: dt.date | None, by_days: bool
) -> dict[dt.date, int]:
    """Each month's amount: the annual amount split into equal instalments, each
    prorated by the share of its month served; the last month served absorbs the
    rounding, so the total is exactly the prorated annual amount (to the cent).
    Exact rational arithmetic: no float ever touches money."""
    n = len(months)
    shares = {m: Fraction(*served_fraction(m, start, end, by_days)) for m in months}
    served = [m for m in months if shares[m]]
    if not served:
        return {}
    due = Fraction(annual_cents) * sum(shares.values()) / n
    total = int(due + Fraction(1, 2))  # rounded half up, to the cent
    amounts = {m: int(Fraction(annual_cents) * shares[m] / n) for m in served[:-1]}
    amounts[served[-1]] = total - sum(amounts.values())
    return amounts


def compute_instalments(*, month: dt.date) -> int:
    """The monthly job: the month's instalment of every appointment that pays then.
    Idempotent: the unique constraint keeps one regular row per appointment and month."""
    month = month.replace(day=1)
    created = 0
    appointments = Appointment.objects.filter(
        state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED],
        scheme__isnull=False,
        annual_cents__isnull=False,
        school_year__start__lte=_month_end(month),
        school_year__end__gte=month,
    ).select_related("scheme", "school_year", "school")
    for appointment in appointments:
        if is_frozen(appointment.school.academy_id, appointment.school_year_id):
            continue  # the year is closed for this académie: its ledger is frozen
        months = schedule(appointment.scheme, appointment.school_year)
        if month not in months:
            continue
        amounts = instalment_amounts(
            annual_cents=appointment.annual_cents,
            months=months,
            start=appointment.start,
            end=appointment.end,
            by_days=appointment.scheme.prorate_by_days,
        )
        if month not in amounts:
            continue
        # The last month served absorbs the rounding of what was actually paid before.
        if month == max(amounts):
            paid = (
                appointment.instalments.filter(
                    kind=AllowanceInstalment.Kind.REGULAR, month__lt=month
                ).aggregate(total=Sum("amount_cents"))["total"]
                or 0
            )
            amount = sum(amounts.values()) - paid
        else:
            amount = amounts[month]
        try:
            with transaction.atomic():
                AllowanceInstalment.objects.create(
                    appointment=appointment, month=month, amount_cents=amount
                )
            created += 1
        except IntegrityError:
            pass  # computed already (a second run, or another worker)
    return created


@transaction.atomic
def confirm_service_done(*, user, school: School, month: dt.date) -> int:
    """The head confirms *service fait* for the month, for his school (in bulk)."""
    if not is_head_of(user, school):
        raise ReferentError(_("Seul le chef d'établissement atteste le service fait."), status=403)
    year = SchoolYear.objects.containing(month).first()
    if year is not None and is_frozen(school.academy_id, year):
        raise ReferentError(
            _("Cette année scolaire est close : ses indemnités sont figées."), status=409
        )
    return AllowanceInstalment.objects.filter(
        appointment__school=school, month=month.replace(day=1), service_done_at__isnull=True
    ).update(service_done_at=timezone.now(), service_done_by=user)


@transaction.atomic
def correct_instalment(
    *, user, appointment: Appointment, month: dt.date, amount_cents: int, reason: str
):
    """A correction is a new row (positive or negative) with its reason; nothing is edited."""
    if not can_manage_academy(user, appointment.school.academy):
        raise ReferentError(_("Seul le rectorat corrige une indemnité."), status=403)
    if not reason.strip() or not amount_cents:
        raise ReferentError(_("Indiquez le montant et le motif de la correction."))
    if is_frozen(appointment.school.academy_id, appointment.school_year_id):
        raise ReferentError(
            _("Cette année scolaire est close : ses indemnités sont figées."), status=409
        )
    return AllowanceInstalment.objects.create(
        appointment=appointment,
        month=month.replace(day=1),
        kind=AllowanceInstalment.Kind.CORRECTION,
        amount_cents=amount_cents,
        reason=reason.strip(),
    )
