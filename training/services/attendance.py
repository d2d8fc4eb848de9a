"""Attendance, the hours ledger and C2i2e evidence.

The ledger (``HoursEntry``) is append-only. What a person is credited for a slot is the
sum of his entries for it; recording or changing a mark writes the difference as a
reversing entry and a new one, never an edit. The minutes credited for a slot never
exceed its length. Once the school year is closed, nothing of it changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.models import (
    Attendance,
    Enrolment,
    HoursEntry,
    Item,
    ItemEvidence,
    Modality,
    SchoolYear,
    Session,
    Slot,
    Staff,
    TeachingSituation,
)
from training.permissions import can_manage_session, is_national
from training.services.closing import refuse_if_frozen

Status = Attendance.Status


@dataclass(frozen=True)
class Mark:
    staff_id: int
    status: str
    minutes: int | None = None  # for a partial presence


def _slot(slot_id: int) -> Slot:
    return (
        Slot.objects.select_for_update(of=("self",))
        .select_related(
            "session__module__programme__school_year", "session__module__programme__priority"
        )
        .get(pk=slot_id)
    )


def _year(slot: Slot) -> SchoolYear:
    return slot.session.module.programme.school_year


def _academy_id(slot: Slot) -> int:
    return slot.session.module.programme.academy_id


def refuse_if_closed(year: SchoolYear, academy=None) -> None:
    """Refuse a ledger write once the year is closed, nationally or (given the
    académie that runs the training) for that académie."""
    refuse_if_frozen(academy, year)


def can_take_attendance(user, session: Session) -> bool:
    """The session's trainers, and the académie's managers (to correct a sheet)."""
    return session.trainers.filter(pk=user.pk).exists() or can_manage_session(user, session)


def credited(staff_id: int, slot_id: int) -> int:
    return (
        HoursEntry.objects.filter(staff_id=staff_id, slot_id=slot_id).aggregate(
            total=Sum("minutes")
        )["total"]
        or 0
    )


def _credit(
    *,
    slot: Slot,
    staff_id: int,
    attendance: Attendance,
    minutes: int,
    author,
    source: str,
    reason: str,
) -> None:
    """Bring what ``staff`` is credited for ``slot`` to ``minutes``: a reversing entry for
    what was credited before, then the new amount."""
    minutes = max(0, min(minutes, slot.minutes))
    before = credited(staff_id, slot.pk)
    if before == minutes:
        return
    programme = slot.session.module.programme
    common = {
        "staff_id": staff_id,
        "slot": slot,
        "attendance": attendance,
        "priority": programme.priority,
        "modality": slot.modality,
        "school_year": programme.school_year,
        "author": author,
    }
    if before:
        HoursEntry.objects.create(
            minutes=-before, source=HoursEntry.Source.CORRECTION, reason=reason, **common
        )
    if minutes:
        HoursEntry.objects.create(
            minutes=minutes, source=source, reason=reason if before else "", **common
        )


def _in_progress_from_session(staff_id: int, session: Session, author) -> None:
    """Attending a module marks its competence items "in progress" (unless better)."""
    for item_id in session.module.items.values_list("pk", flat=True):
        evidence = ItemEvidence.objects.filter(staff_id=staff_id, item_id=item_id).first()
        if evidence is None:
            ItemEvidence.objects.create(
                staff_id=staff_id,
                item_id=item_id,
                state=ItemEvidence.State.IN_PROGRESS,
                source=ItemEvidence.Source.SESSION,
                session=session,
                author=author,
            )
        elif evidence.state == ItemEvidence.State.POSITIONED:
            evidence.state = ItemEvidence.State.IN_PROGRESS
            evidence.source = ItemEvidence.Source.SESSION
            evidence.session = session
            evidence.author = author
            evidence.save(update_fields=["state", "source", "session", "author", "at"])


@transaction.atomic
def record_attendance(
    *, user, slot: Slot, marks: Iterable[Mark], reason: str = ""
) -> list[Attendance]:
    """The trainer's sheet for a timed slot. All marks are checked before anything is
    written: one bad line refuses the sheet and leaves it as it was."""
    slot = _slot(slot.pk)
    session = slot.session
    if not can_take_attendance(user, session):
        raise TrainingError(
            _("Seuls les formateurs de la session remplissent sa feuille d'émargement."), status=403
        )
    refuse_if_closed(_year(slot), _academy_id(slot))
    if slot.status == Slot.Status.CANCELLED:
        raise TrainingError(_("Cette séance est annulée : pas d'émargement."), status=409)
    if slot.modality == Modality.SELF_PACED:
        raise TrainingError(
            _("Le travail en ligne est déclaré par chacun puis validé, pas émargé."), status=409
        )
    if timezone.now() < slot.start:
        raise TrainingError(_("La séance n'a pas encore commencé."), status=409)
    marks = list(marks)
    if len({m.staff_id for m in marks}) != len(marks):
        raise TrainingError(_("Une même personne figure deux fois sur la feuille."))
    booked = set(session.enrolments.booked().values_list("staff_id", flat=True))
    existing = {a.staff_id: a for a in Attendance.objects.filter(slot=slot)}
    length = slot.minutes
    for mark in marks:
        if mark.staff_id not in booked:
            raise TrainingError(
                _("Une personne de la feuille n'est pas inscrite à cette session."), status=400
            )
        if mark.status not in (Status.PRESENT, Status.PARTIAL, Status.ABSENT, Status.EXCUSED):
            raise TrainingError(_("Émargement inconnu : %(status)s.") % {"status": mark.status})
        if mark.status == Status.PARTIAL and not (mark.minutes and 0 < mark.minutes < length):
            raise TrainingError(
                _(
                    "Une présence partielle compte entre 1 et %(max)s minutes "
                    "(la séance en dure %(length)s)."
                )
                % {"max": length - 1, "length": length}
            )
        previous = existing.get(mark.staff_id)
        if previous and (previous.status, previous.minutes) != (
            mark.status,
            _minutes(mark, length),
        ):
            if not reason.strip():
                raise TrainingError(
                    _("Indiquez le motif de la correction d'un émargement déjà saisi.")
                )
    saved = []
    for mark in marks:
        minutes = _minutes(mark, length)
        attendance = existing.get(mark.staff_id)
        if attendance is not None and (attendance.status, attendance.minutes) == (
            mark.status,
            minutes,
        ):
            continue  # unchanged: keep who recorded it and when
        if attendance is None:
            attendance = Attendance(slot=slot, staff_id=mark.staff_id)
        attendance.status, attendance.minutes, attendance.recorded_by = mark.status, minutes, user
        attendance.full_clean(validate_unique=False)
        attendance.save()
        _credit(
            slot=slot,
            staff_id=mark.staff_id,
            attendance=attendance,
            minutes=minutes,
            author=user,
            source=HoursEntry.Source.ATTENDANCE,
            reason=reason.strip(),
        )
        if minutes:
            _in_progress_from_session(mark.staff_id, session, user)
        saved.append(attendance)
    return saved


def _minutes(mark: Mark, length: int) -> int:
    if mark.status == Status.PRESENT:
        return length
    if mark.status == Status.PARTIAL:
        return int(mark.minutes or 0)
    return 0


@transaction.atomic
def mark_all_present(*, user, slot: Slot) -> list[Attendance]:
    """Quick entry: everyone booked and not yet marked is present."""
    slot = _slot(slot.pk)  # locked first: two clicks at once mark each person once
    marked = set(Attendance.objects.filter(slot=slot).values_list("staff_id", flat=True))
    booked = slot.session.enrolments.booked().values_list("staff_id", flat=True)
    return record_attendance(
        user=user, slot=slot, marks=[Mark(pk, Status.PRESENT) for pk in booked if pk not in marked]
    )


@transaction.atomic
def declare_work(*, user, slot: Slot, minutes: int) -> Attendance:
    """A teacher declares online work done, for a trainer to validate."""
    slot = _slot(slot.pk)
    staff = Staff.objects.filter(user=user, active=True).first()
    if staff is None or not slot.session.enrolments.booked().filter(staff=staff).exists():
        raise TrainingError(_("Vous n'êtes pas inscrit à cette session."), status=403)
    refuse_if_closed(_year(slot), _academy_id(slot))
    if slot.modality != Modality.SELF_PACED:
        raise TrainingError(
            _("Seul un travail en ligne se déclare ; les séances sont émargées."), status=409
        )
    if slot.status == Slot.Status.CANCELLED:
        raise TrainingError(_("Cette séance est annulée."), status=409)
    if timezone.now() < slot.start:
        raise TrainingError(
            _("Ce travail en ligne ouvre le %(date)s.")
            % {"date": timezone.localtime(slot.start).strftime("%d/%m/%Y")},
            status=409,
        )
    if not minutes or minutes < 1 or minutes > slot.minutes:
        raise TrainingError(
            _("Déclarez entre 1 et %(max)s minutes pour ce travail.") % {"max": slot.minutes}
        )
    attendance = Attendance.objects.filter(slot=slot, staff=staff).first()
    if attendance and attendance.status in Attendance.CREDITING:
        raise TrainingError(_("Ce travail est déjà validé."), status=409)
    attendance = attendance or Attendance(slot=slot, staff=staff)
    attendance.status, attendance.minutes = Status.DECLARED, 0
    attendance.declared_minutes, attendance.recorded_by = minutes, user
    attendance.full_clean(validate_unique=False)
    attendance.save()
    return attendance


@transaction.atomic
def review_declaration(
    *, user, attendance: Attendance, accept: bool, reason: str = ""
) -> Attendance:
    """The trainer validates (credits the declared minutes) or rejects a declaration."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    slot = _slot(attendance.slot_id)
    if not can_take_attendance(user, slot.session):
        raise TrainingError(
            _("Seuls les formateurs de la session valident ce travail."), status=403
        )
    refuse_if_closed(_year(slot), _academy_id(slot))
    if attendance.status != Status.DECLARED:
        raise TrainingError(_("Il n'y a pas de déclaration à examiner."), status=409)
    if accept:
        attendance.status = Status.PRESENT
        attendance.minutes = min(attendance.declared_minutes or 0, slot.minutes)
    else:
        if not reason.strip():
            raise TrainingError(_("Indiquez le motif du refus : la personne le verra."))
        attendance.status, attendance.minutes = Status.REJECTED, 0
    attendance.recorded_by = user
    attendance.save()
    _credit(
        slot=slot,
        staff_id=attendance.staff_id,
        attendance=attendance,
        minutes=attendance.minutes,
        author=user,
        source=HoursEntry.Source.SELF_PACED,
        reason=reason.strip(),
    )
    if attendance.minutes:
        _in_progress_from_session(attendance.staff_id, slot.session, user)
    return attendance


@transaction.atomic
def close_school_year(*, user, school_year: SchoolYear) -> SchoolYear:
    """Freeze a year's ledgers (the full closing check comes with the audit)."""
    if not is_national(user):
        raise TrainingError(_("Seul le ministère clôt une année scolaire."), status=403)
    year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if year.closed_at is None:
        year.closed_at = timezone.now()
        year.save(update_fields=["closed_at"])
    return year


# --- C2i2e ----------------------------------------------------------------------------


def _refuse_if_current_year_closed(staff: Staff) -> None:
    """Evidence carries no year: it belongs to the year in which it is given."""
    year = SchoolYear.objects.containing(timezone.localdate()).first()
    if year is not None:
        refuse_if_closed(year, staff.school.academy_id)


@transaction.atomic
def position_items(*, user, items: Iterable[Item]) -> int:
    """The teacher says which items he thinks he masters (never lowers a state)."""
    staff = Staff.objects.filter(user=user, active=True).first()
    if staff is None:
        raise TrainingError(_("Votre compte n'est rattaché à aucun établissement."), status=403)
    _refuse_if_current_year_closed(staff)
    count = 0
    for item in items:
        _evidence, created = ItemEvidence.objects.get_or_create(
            staff=staff,
            item=item,
            defaults={
                "state": ItemEvidence.State.POSITIONED,
                "source": ItemEvidence.Source.SELF,
                "author": user,
            },
        )
        count += created
    return count


def trains(user, staff: Staff) -> bool:
    """Whether ``user`` trains a session the person is (or was) booked on."""
    return Enrolment.objects.filter(
        staff=staff, state=Enrolment.State.BOOKED, session__trainers=user
    ).exists()


@transaction.atomic
def validate_items(
    *, user, staff: Staff, items: Iterable[Item], session: Session | None = None
) -> int:
    if session is not None and not session.trainers.filter(pk=user.pk).exists():
        # The session is recorded as the evidence: it must be one the trainer runs.
        raise TrainingError(_("Vous n'animez pas cette session."), status=403)
    if not trains(user, staff):
        raise TrainingError(
            _("Vous ne formez pas cette personne : vous ne pouvez pas valider ses compétences."),
            status=403,
        )
    if session is not None:
        programme = session.module.programme
        refuse_if_closed(programme.school_year, programme.academy_id)
    else:
        _refuse_if_current_year_closed(staff)
    count = 0
    for item in items:
        evidence = ItemEvidence.objects.select_for_update().filter(staff=staff, item=item).first()
        if evidence and evidence.state == ItemEvidence.State.VALIDATED:
            continue
        evidence = evidence or ItemEvidence(staff=staff, item=item)
        evidence.state = ItemEvidence.State.VALIDATED
        evidence.source = ItemEvidence.Source.TRAINER
        evidence.session, evidence.author = session, user
        evidence.reason = ""
        evidence.save()
        count += 1
    return count


@transaction.atomic
def withdraw_item(*, user, staff: Staff, item: Item, reason: str) -> ItemEvidence:
    """A trainer withdraws a validation, with a reason (the trail keeps the validation
    it replaces: who, when, from which session)."""
    if not trains(user, staff):
        raise TrainingError(
            _("Vous ne formez pas cette personne : vous ne pouvez pas retirer ses validations."),
            status=403,
        )
    _refuse_if_current_year_closed(staff)
    if not (reason or "").strip():
        raise TrainingError(_("Indiquez pourquoi la validation est retirée."))
    evidence = ItemEvidence.objects.select_for_update().filter(staff=staff, item=item).first()
    if evidence is None or evidence.state != ItemEvidence.State.VALIDATED:
        raise TrainingError(_("Cet item n'est pas validé."), status=409)
    evidence.state = ItemEvidence.State.WITHDRAWN
    evidence.source, evidence.author = ItemEvidence.Source.TRAINER, user
    evidence.reason = reason.strip()[:500]
    evidence.save()
    return evidence


@transaction.atomic
def record_situation(
    *, user, staff: Staff, date: dt.date, group: str, description: str = ""
) -> TeachingSituation:
    """A trainer validates a teaching or training situation the candidate led (date,
    class or group): the C2i2e certification asks for at least one."""
    if not trains(user, staff):
        raise TrainingError(
            _("Vous ne formez pas cette personne : vous ne pouvez pas valider ses situations."),
            status=403,
        )
    _refuse_if_current_year_closed(staff)
    if date > timezone.localdate():
        raise TrainingError(_("Une situation se valide une fois menée, pas à l'avance."))
    group = (group or "").strip()
    if not group:
        raise TrainingError(_("Indiquez la classe ou le groupe."))
    situation = TeachingSituation(
        staff=staff, date=date, group=group, description=(description or "").strip(),
        validated_by=user,
    )  # fmt: skip
    situation.full_clean()
    situation.save()
    return situation
