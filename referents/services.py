"""Every write of ``referents``: appointments, the allowance ledger, mission logs.

Money is integer cents. The instalment ledger: one regular row per appointment and
month (a unique constraint, so the monthly job may run twice or on two workers at once),
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
    Envelope,
    MissionLog,
    PayrollExport,
    SchoolMission,
)
from training.models import RoleMembership, School, SchoolYear, Session, Slot, Staff
from training.roles import staff_of
from training.services import notify
from training.services.closing import is_frozen


def euros(cents: int) -> str:
    return f"{cents / 100:,.2f} €".replace(",", " ").replace(".", ",")


# --- Allowance arithmetic (pure) ------------------------------------------------------


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


# --- Appointments ---------------------------------------------------------------------


def _is_head(user, school: School) -> bool:
    return RoleMembership.objects.filter(
        user=user, role=RoleMembership.Role.HEAD, school=school
    ).exists()


@transaction.atomic
def volunteer(*, user, school_year: SchoolYear, motivation: str) -> Appointment:
    staff = staff_of(user)
    if staff is None:
        raise ReferentError(_("Votre compte n'est rattaché à aucun établissement."), status=403)
    if staff.school.degree != 2:
        raise ReferentError(
            _("Les référents numériques sont nommés dans les établissements du 2nd degré.")
        )
    appointment, created = Appointment.objects.get_or_create(
        staff=staff,
        school=staff.school,
        school_year=school_year,
        defaults={
            "start": max(school_year.start, timezone.localdate()),
            "motivation": motivation.strip(),
        },
    )
    if not created:
        raise ReferentError(_("Vous êtes déjà candidat ou nommé pour cette année."), status=409)
    for head in RoleMembership.objects.filter(
        role=RoleMembership.Role.HEAD, school=staff.school
    ).select_related("user"):
        notify.tell(
            key=f"referent-candidature:{appointment.pk}:{head.user_id}",
            recipient=head.user,
            template="referent_candidature_received",
            reason=f"{staff.full_name} — {school_year.name}",
        )
    return appointment


def _validate_amount(scheme: AllowanceScheme, annual_cents: int) -> None:
    if scheme.rates_cents:
        if annual_cents not in scheme.rates_cents:
            rates = ", ".join(euros(r) for r in scheme.rates_cents)
            raise ReferentError(
                _("Ce régime ne connaît que les taux suivants : %(rates)s.") % {"rates": rates}
            )
        return
    low, high = scheme.min_cents or 0, scheme.max_cents
    if annual_cents < low or (high is not None and annual_cents > high):
        raise ReferentError(
            _("Le montant annuel doit être compris entre %(low)s et %(high)s.")
            % {"low": euros(low), "high": euros(high or 0)}
        )


def _check_mission_share(
    school: School, scheme: AllowanceScheme, annual_cents: int, overlapping: list[Appointment]
) -> None:
    """One référent at a time, unless the school shares the mission between two: then
    the two amounts together stay within what the regime allows one person."""
    if not overlapping:
        return
    if not SchoolMission.is_shared(school):
        raise ReferentError(
            _("Cet établissement a déjà un référent nommé (%(name)s) sur cette période.")
            % {"name": overlapping[0].staff.full_name},
            status=409,
        )
    if len(overlapping) >= 2:
        raise ReferentError(
            _("La mission est déjà partagée entre deux référents sur cette période."),
            status=409,
        )
    ceiling = max(scheme.rates_cents) if scheme.rates_cents else scheme.max_cents
    partner = overlapping[0]
    if ceiling is not None and partner.annual_cents is not None:
        left = ceiling - partner.annual_cents
        if annual_cents > left:
            raise ReferentError(
                _(
                    "La mission est partagée avec %(name)s (%(partner)s) : les deux indemnités "
                    "ne peuvent dépasser ensemble %(ceiling)s ; il reste %(left)s."
                )
                % {
                    "name": partner.staff.full_name,
                    "partner": euros(partner.annual_cents),
                    "ceiling": euros(ceiling),
                    "left": euros(max(left, 0)),
                },
                status=409,
            )


@transaction.atomic
def set_mission_shared(*, user, school: School, shared: bool) -> SchoolMission:
    """The head lets two référents share the mission (or goes back to one). Going back
    is refused while two are in post."""
    if not _is_head(user, school):
        raise ReferentError(
            _("Seul le chef d'établissement règle la mission de son établissement."), status=403
        )
    mission, _created = SchoolMission.objects.select_for_update().get_or_create(school=school)
    if not shared and mission.shared:
        in_post = Appointment.objects.active().filter(school=school).count()
        if in_post > 1:
            raise ReferentError(
                _("Deux référents sont en poste : mettez d'abord fin à l'une des missions."),
                status=409,
            )
    mission.shared, mission.updated_by = shared, user
    mission.save()
    return mission


@transaction.atomic
def decline(*, user, appointment: Appointment, reason: str) -> Appointment:
    """The head turns down a candidature, with a reason the volunteer sees."""
    appointment = (
        Appointment.objects.select_for_update().select_related("school").get(pk=appointment.pk)
    )
    if not _is_head(user, appointment.school):
        raise ReferentError(
            _("Seul le chef d'établissement répond aux candidatures de son établissement."),
            status=403,
        )
    if appointment.state != Appointment.State.VOLUNTEERED:
        raise ReferentError(_("Cette candidature a déjà été traitée."), status=409)
    if not reason.strip():
        raise ReferentError(_("Indiquez au candidat le motif du refus."))
    appointment.state = Appointment.State.DECLINED
    appointment.end_reason = reason.strip()
    appointment.save(update_fields=["state", "end_reason"])
    notify.tell(
        key=f"referent-declined:{appointment.pk}",
        recipient=appointment.staff.user,
        template="referent_candidature_declined",
        reason=appointment.end_reason,
    )
    return appointment


@transaction.atomic
def appoint(
    *,
    user,
    appointment: Appointment,
    scheme: AllowanceScheme,
    annual_cents: int,
    mission_letter: str,
    start: dt.date | None = None,
) -> Appointment:
    """The head appoints a volunteer, within the académie's envelope for the year."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("school", "school_year")
        .get(pk=appointment.pk)
    )
    if not _is_head(user, appointment.school):
        raise ReferentError(
            _("Seul le chef d'établissement nomme le référent de son établissement."), status=403
        )
    if appointment.state != Appointment.State.VOLUNTEERED:
        raise ReferentError(_("Cette candidature a déjà été traitée."), status=409)
    _validate_amount(scheme, annual_cents)
    if not mission_letter.strip():
        raise ReferentError(_("La lettre de mission est obligatoire."))
    year = appointment.school_year
    start = start or appointment.start
    if not (year.start <= start <= year.end):
        raise ReferentError(_("La date de début doit être dans l'année scolaire."))
    others = (
        Appointment.objects.filter(
            school=appointment.school,
            school_year=year,
            state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED],
        )
        .exclude(pk=appointment.pk)
        .select_related("staff__user")
    )
    overlapping = [a for a in others if (a.end is None or a.end >= start)]
    _check_mission_share(appointment.school, scheme, annual_cents, overlapping)
    # The envelope row is the lock: two heads of the same académie appoint one at a time.
    envelope = (
        Envelope.objects.select_for_update()
        .filter(academy_id=appointment.school.academy_id, school_year=year)
        .first()
    )
    if envelope is not None:
        committed = (
            Appointment.objects.filter(
                school__academy_id=appointment.school.academy_id,
                school_year=year,
                state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED],
            ).aggregate(total=Sum("annual_cents"))["total"]
            or 0
        )
        remaining = envelope.amount_cents - committed
        if annual_cents > remaining:
            raise ReferentError(
                _("L'enveloppe académique ne le permet pas : il reste %(remaining)s pour l'année.")
                % {"remaining": euros(max(remaining, 0))},
                status=409,
            )
    appointment.state = Appointment.State.APPOINTED
    appointment.scheme, appointment.annual_cents = scheme, annual_cents
    appointment.mission_letter = mission_letter.strip()
    appointment.start = start
    appointment.appointed_by, appointment.appointed_at = user, timezone.now()
    appointment.full_clean()
    appointment.save()
    notify.tell(
        key=f"referent-appointed:{appointment.pk}",
        recipient=appointment.staff.user,
        template="referent_appointed",
        reason=f"{appointment.school.name} — {euros(annual_cents)}",
    )
    return appointment


@transaction.atomic
def end_appointment(*, user, appointment: Appointment, end: dt.date, reason: str) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update().select_related("school").get(pk=appointment.pk)
    )
    if not _is_head(user, appointment.school):
        raise ReferentError(_("Seul le chef d'établissement met fin à la mission."), status=403)
    if appointment.state != Appointment.State.APPOINTED:
        raise ReferentError(_("Cette mission n'est pas en cours."), status=409)
    if not reason.strip():
        raise ReferentError(_("Indiquez le motif (fin d'année, démission, mutation…)."))
    if end < appointment.start:
        raise ReferentError(_("La fin ne peut précéder le début de la mission."))
    exported_after = appointment.instalments.filter(
        month__gt=end, exported_at__isnull=False
    ).exists()
    if exported_after:
        raise ReferentError(
            _(
                "Des mensualités postérieures ont déjà été mises en paiement : "
                "corrigez-les d'abord."
            ),
            status=409,
        )
    appointment.end, appointment.end_reason = end, reason.strip()
    appointment.state = Appointment.State.ENDED
    appointment.save(update_fields=["end", "end_reason", "state"])
    return appointment


# --- The instalment ledger -------------------------------------------------------------


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
    if not _is_head(user, school):
        raise ReferentError(_("Seul le chef d'établissement atteste le service fait."), status=403)
    year = SchoolYear.objects.containing(month).first()
    if year is not None and is_frozen(school.academy_id, year):
        raise ReferentError(
            _("Cette année scolaire est close : ses indemnités sont figées."), status=409
        )
    return AllowanceInstalment.objects.filter(
        appointment__school=school, month=month.replace(day=1), service_done_at__isnull=True
    ).update(service_done_at=timezone.now(), service_done_by=user)


def pending_payroll(academy):
    """Confirmed (*service fait*), not yet exported instalments of the académie."""
    return (
        AllowanceInstalment.objects.filter(
            appointment__school__academy=academy,
            service_done_at__isnull=False,
            exported_at__isnull=True,
        )
        .select_related("appointment__staff__user", "appointment__school")
        .order_by("appointment__school__uai", "month", "pk")
    )


@transaction.atomic
def export_payroll(*, user, academy) -> PayrollExport:
    """Confirmed, not yet exported instalments of the académie, marked exported in one
    ``PayrollExport`` (the file is built from it, and can be built again). Refused when
    there is nothing to export."""
    from training.permissions import can_manage_academy

    if not can_manage_academy(user, academy):
        raise ReferentError(_("Seul le rectorat de l'académie exporte la paie."), status=403)
    ids = list(
        pending_payroll(academy).select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    if not ids:
        raise ReferentError(
            _("Aucune mensualité à exporter : le service fait n'a été attesté pour aucune."),
            status=409,
        )
    export = PayrollExport.objects.create(academy=academy, created_by=user)
    AllowanceInstalment.objects.filter(pk__in=ids, exported_at__isnull=True).update(
        exported_at=export.created_at, export=export
    )
    return export


@transaction.atomic
def correct_instalment(
    *, user, appointment: Appointment, month: dt.date, amount_cents: int, reason: str
):
    """A correction is a new row (positive or negative) with its reason; nothing is edited."""
    from training.permissions import can_manage_academy

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


# --- Mission logs ---------------------------------------------------------------------


def _session_minutes(session: Session) -> int:
    return sum(slot.minutes for slot in session.slots.exclude(status=Slot.Status.CANCELLED))


@transaction.atomic
def log_mission(
    *,
    user,
    date: dt.date,
    category: str,
    minutes: int | None = None,
    description: str = "",
    colleagues: list[Staff] = (),
    session: Session | None = None,
) -> MissionLog:
    staff = staff_of(user)
    appointment = (
        Appointment.objects.filter(
            staff=staff, state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED]
        )
        .filter(start__lte=date)
        .exclude(end__lt=date)
        .first()
        if staff
        else None
    )
    if appointment is None:
        raise ReferentError(_("Vous n'étiez pas référent nommé à cette date."), status=403)
    if date > timezone.localdate():
        raise ReferentError(_("On ne note pas une mission à venir."))
    if category not in MissionLog.Category.values:
        raise ReferentError(_("Mission inconnue."))
    if category == MissionLog.Category.TRAINING:
        if session is None or not session.trainers.filter(pk=user.pk).exists():
            raise ReferentError(_("Choisissez une session que vous animez."))
        minutes = minutes or _session_minutes(session)
    elif session is not None:
        raise ReferentError(_("Seule une formation dispensée se rattache à une session."))
    if not minutes or minutes <= 0:
        raise ReferentError(_("La durée doit être positive."))
    colleagues = list(colleagues)
    if any(c.school_id != appointment.school_id for c in colleagues):
        raise ReferentError(_("Les collègues concernés sont ceux de votre établissement."))
    log = MissionLog(
        appointment=appointment,
        date=date,
        minutes=minutes,
        category=category,
        session=session,
        description=description.strip(),
    )
    log.full_clean()
    log.save()
    log.colleagues.set(colleagues)
    return log
