"""A référent's appointment: candidature, appointment by the head (regime, amount,
mission letter), refusal, end; and a school's shared mission.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.errors import ReferentError
from referents.models import (
    AllowanceInstalment,
    AllowanceScheme,
    Appointment,
    Envelope,
    SchoolMission,
)
from referents.permissions import is_head_of
from referents.services.allowances import instalment_amounts, schedule
from training.formatting import euros
from training.models import RoleMembership, School, SchoolYear
from training.roles import staff_of
from training.services import notify
from training.services.closing import is_frozen


@transaction.atomic
def volunteer(*, user, school_year: SchoolYear, motivation: str) -> Appointment:
    staff = staff_of(user)
    if staff is None:
        raise ReferentError(_("Votre compte n'est rattaché à aucun établissement."), status=403)
    if staff.school.degree != 2:
        raise ReferentError(
            _("Les référents numériques sont nommés dans les établissements du 2nd degré.")
        )
    refuse_if_frozen(staff.school, school_year)
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


def refuse_if_frozen(school: School, school_year) -> None:
    """Every write of ``referents`` stops once the year is closed for the académie."""
    if is_frozen(school.academy_id, getattr(school_year, "pk", school_year)):
        raise ReferentError(
            _("Cette année scolaire est close : ses désignations et indemnités sont figées."),
            status=409,
        )


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
    if not is_head_of(user, school):
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
    if not is_head_of(user, appointment.school):
        raise ReferentError(
            _("Seul le chef d'établissement répond aux candidatures de son établissement."),
            status=403,
        )
    refuse_if_frozen(appointment.school, appointment.school_year_id)
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
    if not is_head_of(user, appointment.school):
        raise ReferentError(
            _("Seul le chef d'établissement nomme le référent de son établissement."), status=403
        )
    refuse_if_frozen(appointment.school, appointment.school_year_id)
    if appointment.state != Appointment.State.VOLUNTEERED:
        raise ReferentError(_("Cette candidature a déjà été traitée."), status=409)
    if not scheme.in_force_for(appointment.school_year):
        raise ReferentError(
            _("Le régime « %(scheme)s » n'est pas en vigueur pour l'année %(year)s.")
            % {"scheme": scheme.name, "year": appointment.school_year.name}
        )
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
        Appointment.objects.select_for_update(of=("self",))
        .select_related("school", "school_year", "scheme")
        .get(pk=appointment.pk)
    )
    if not is_head_of(user, appointment.school):
        raise ReferentError(_("Seul le chef d'établissement met fin à la mission."), status=403)
    refuse_if_frozen(appointment.school, appointment.school_year_id)
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
    _correct_after_end(appointment)
    return appointment


def _correct_after_end(appointment: Appointment) -> None:
    """Instalments already computed for the days after the end are taken back in one
    correction row, to the cent (ended on 10/11 after November's 100 € instalment at
    1 200 € a year: −66,67 €)."""
    if appointment.scheme_id is None or appointment.annual_cents is None:
        return
    year = appointment.school_year
    due = instalment_amounts(
        annual_cents=appointment.annual_cents,
        months=schedule(appointment.scheme, year),
        start=appointment.start,
        end=appointment.end,
        by_days=appointment.scheme.prorate_by_days,
    )
    computed = appointment.instalments.all()
    months = set(
        computed.filter(kind=AllowanceInstalment.Kind.REGULAR).values_list("month", flat=True)
    )
    if not months:
        return
    owed = sum(due.get(month, 0) for month in months)
    paid = computed.aggregate(total=Sum("amount_cents"))["total"] or 0
    if paid != owed:
        AllowanceInstalment.objects.create(
            appointment=appointment,
            month=appointment.end.replace(day=1),
            kind=AllowanceInstalment.Kind.CORRECTION,
            amount_cents=owed - paid,
            reason=_("Fin de mission au %(day)s : proratisation au jour.")
            % {"day": appointment.end.strftime("%d/%m/%Y")},
        )
