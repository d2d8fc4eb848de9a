"""Mission logs: what a référent did, dated within his appointment."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.errors import ReferentError
from referents.models import (
    Appointment,
    MissionLog,
)
from training.formatting import duration
from training.models import Session, Slot, Staff
from training.roles import staff_of
from training.services.closing import is_frozen
from training.validators import TEXT_MAX_LENGTH

DESCRIPTION_MAX = TEXT_MAX_LENGTH


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
        .select_related("school_year", "school")
        .order_by("-start")  # appointed again each year: the designation of that date
        .first()
        if staff
        else None
    )
    if appointment is None:
        raise ReferentError(_("Vous n'étiez pas référent nommé à cette date."), status=403)
    if date > timezone.localdate():
        raise ReferentError(_("On ne note pas une mission à venir."))
    year = appointment.school_year
    if not (year.start <= date <= year.end):
        raise ReferentError(
            _("La mission doit être datée dans l'année scolaire %(year)s de votre désignation.")
            % {"year": year.name}
        )
    if is_frozen(appointment.school.academy_id, year.pk):
        raise ReferentError(
            _("Cette année scolaire est close : on n'y note plus de mission."), status=409
        )
    if len(description) > DESCRIPTION_MAX:
        raise ReferentError(
            _("La description tient en %(n)d caractères au plus.") % {"n": DESCRIPTION_MAX}
        )
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
    # One person's logs are counted under his row's lock: two logs at once cannot both
    # pass the daily limit.
    list(Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk"))
    day_total = (
        MissionLog.objects.filter(appointment__staff=staff, date=date).aggregate(
            total=Sum("minutes")
        )["total"]
        or 0
    )
    if day_total + minutes > settings.DUNE_MISSION_MAX_MINUTES_PER_DAY:
        raise ReferentError(
            _("Au plus %(limit)s de missions par jour : %(logged)s déjà notées le %(day)s.")
            % {
                "limit": duration(settings.DUNE_MISSION_MAX_MINUTES_PER_DAY),
                "logged": duration(day_total),
                "day": date.strftime("%d/%m/%Y"),
            }
        )
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
