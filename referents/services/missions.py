"""Mission logs: what a référent did, dated within his appointment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.errors import ReferentError
from referents.models import (
    Appointment,
    MissionLog,
)
from training.models import Session, Slot, Staff
from training.roles import staff_of


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
