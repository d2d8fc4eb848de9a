"""Writes on the catalogue: programmes, modules, sessions and their slots, with the
conflict checks (trainer, room, booked teachers) and the holiday warning."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.formatting import describe_place, describe_slot, duration
from training.models import (
    AcademyZone,
    Enrolment,
    HolidayPeriod,
    Item,
    Modality,
    Module,
    ParcoursTemplate,
    Priority,
    Programme,
    School,
    SchoolYear,
    Session,
    Slot,
)
from training.permissions import can_manage_academy
from training.services import enrolment, notify
from training.services.attendance import refuse_if_closed


@dataclass
class SlotResult:
    slot: Slot
    warnings: list[str] = field(default_factory=list)


def _refuse_if_year_closed(session: Session) -> None:
    refuse_if_closed(session.module.programme.school_year, session.module.programme.academy_id)


def _require_manager(user, academy) -> None:
    if not can_manage_academy(user, academy):
        raise TrainingError(
            _("Seul le rectorat de l'académie peut modifier son offre."), status=403
        )


@transaction.atomic
def create_programme(
    *,
    user,
    academy,
    school_year: SchoolYear,
    code: str,
    title: str,
    priority: Priority,
    kind: str = Programme.Kind.INDIVIDUAL,
    degree: int | None = None,
    disciplines: str = "",
    description: str = "",
) -> Programme:
    _require_manager(user, academy)
    programme = Programme(
        academy=academy,
        school_year=school_year,
        code=code.strip().upper(),
        title=title.strip(),
        priority=priority,
        kind=kind,
        degree=degree,
        disciplines=disciplines.strip(),
        description=description,
        national=Programme.is_national_code(code),
    )
    _check_programme(programme)
    programme.full_clean()
    programme.save()
    return programme


# What a manager may change on a dispositif. Its académie and school year are its
# identity with its GAIA code: another year's offer is a new dispositif.
PROGRAMME_FIELDS = ("code", "title", "priority", "kind", "degree", "disciplines", "description")
MODULE_FIELDS = ("code", "title", "planned_in_person_minutes", "planned_online_minutes", "parcours")


def _check_programme(programme: Programme) -> None:
    """A GAIA code not already used in the académie that year, said in words of its own
    (``full_clean`` would name the constraint's fields) next to the code."""
    taken = Programme.objects.filter(
        academy_id=programme.academy_id,
        school_year_id=programme.school_year_id,
        code=programme.code,
    ).exclude(pk=programme.pk)
    if programme.code and taken.exists():
        raise ValidationError(
            {
                "code": _("L'académie a déjà un dispositif %(code)s cette année.")
                % {"code": programme.code}
            }
        )


def _check_module(module: Module) -> None:
    taken = Module.objects.filter(programme_id=module.programme_id, code=module.code).exclude(
        pk=module.pk
    )
    if module.code and taken.exists():
        raise ValidationError(
            {"code": _("Ce dispositif a déjà un module %(code)s.") % {"code": module.code}}
        )


def _cleaned(fields: dict, allowed: tuple[str, ...], kind: str) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {kind} fields: {sorted(unknown)}")
    # Texts are kept without their surrounding spaces, as at creation.
    return {name: v.strip() if isinstance(v, str) else v for name, v in fields.items()}


@transaction.atomic
def update_programme(*, user, programme: Programme, **fields) -> Programme:
    """Change a dispositif. Its académie and school year stay: another year's offer is
    a new dispositif (its sessions, hours and plans belong to this one's year)."""
    programme = (
        Programme.objects.select_for_update(of=("self",))
        .select_related("academy", "school_year")
        .get(pk=programme.pk)
    )
    _require_manager(user, programme.academy)
    for name, current in (("academy", programme.academy), ("school_year", programme.school_year)):
        if name in fields and fields.pop(name) != current:
            raise TrainingError(
                _(
                    "Un dispositif garde son académie et son année scolaire : "
                    "créez-en un nouveau pour une autre."
                )
            )
    fields = _cleaned(fields, PROGRAMME_FIELDS, "programme")
    if isinstance(fields.get("code"), str):
        fields["code"] = fields["code"].upper()
    for name, value in fields.items():
        setattr(programme, name, value)
    changed = list(fields)
    if "code" in fields:
        programme.national = Programme.is_national_code(programme.code)
        changed.append("national")
    # A priority of the year's national plan: the form and the API offer no other, and
    # a change keeps to it. (``create_programme`` leaves it to its callers.)
    if programme.priority_id and programme.priority.plan.school_year_id != (
        programme.school_year_id
    ):
        raise ValidationError(
            {"priority": _("Choisissez une priorité du plan national de l'année du dispositif.")}
        )
    _check_programme(programme)
    programme.full_clean()
    programme.save(update_fields=changed)
    return programme


@transaction.atomic
def create_module(
    *,
    user,
    programme: Programme,
    code: str,
    title: str,
    planned_in_person_minutes: int = 0,
    planned_online_minutes: int = 0,
    items: list[Item] | None = None,
    parcours: ParcoursTemplate | None = None,
) -> Module:
    _require_manager(user, programme.academy)
    module = Module(
        programme=programme,
        code=code.strip(),
        title=title.strip(),
        planned_in_person_minutes=planned_in_person_minutes,
        planned_online_minutes=planned_online_minutes,
        parcours=parcours,
    )
    _check_module(module)
    module.full_clean()
    module.save()
    if items:
        module.items.set(items)
    return module


@transaction.atomic
def update_module(*, user, module: Module, items: list[Item] | None = None, **fields) -> Module:
    """Change a module; ``items`` (the C2i2e items it covers) replace the former ones
    when given. It stays in its dispositif."""
    module = (
        Module.objects.select_for_update(of=("self",))
        .select_related("programme__academy")
        .get(pk=module.pk)
    )
    _require_manager(user, module.programme.academy)
    if "programme" in fields and fields.pop("programme") != module.programme:
        raise TrainingError(_("Un module reste dans son dispositif : créez-en un dans l'autre."))
    fields = _cleaned(fields, MODULE_FIELDS, "module")
    for name, value in fields.items():
        setattr(module, name, value)
    _check_module(module)
    module.full_clean()
    if fields:
        module.save(update_fields=list(fields))
    if items is not None:
        module.items.set(items)
    return module


SESSION_FIELDS = (
    "capacity",
    "waitlist_enabled",
    "enrolment_opens",
    "enrolment_closes",
    "approval",
    "external_trainers",
    "host_school",
    "district",
    "location",
    "promotion_cutoff_days",
    "cancellation_cutoff_days",
)


def _check_session_scope(session: Session) -> None:
    academy_id = session.module.programme.academy_id
    if session.host_school and session.host_school.academy_id != academy_id:
        raise TrainingError(_("L'établissement d'accueil doit appartenir à l'académie."))
    if session.district and session.district.academy_id != academy_id:
        raise TrainingError(_("Le bassin doit appartenir à l'académie."))


def _check_trainers(trainers, academy) -> None:
    from training.roles import staff_of

    for trainer in trainers:
        staff = staff_of(trainer)
        member = trainer.memberships.filter(academy=academy).exists()
        if not member and (staff is None or staff.school.academy_id != academy.pk):
            raise TrainingError(
                _("%(name)s n'est pas formateur ni personnel de l'académie.")
                % {"name": trainer.get_full_name() or trainer.get_username()}
            )


@transaction.atomic
def create_session(
    *,
    user,
    module: Module,
    group: str,
    capacity: int,
    trainers=(),
    first_day: dt.date | None = None,
    **fields,
) -> Session:
    """Create a session (draft). From a module with a parcours template and a
    ``first_day``, one slot per phase is laid out (to adjust afterwards)."""
    academy = module.programme.academy
    _require_manager(user, academy)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    session = Session(module=module, group=group, capacity=capacity, **fields)
    _check_session_scope(session)
    session.full_clean()
    session.save()
    trainers = list(trainers)
    _check_trainers(trainers, academy)
    session.trainers.set(trainers)
    if module.parcours and first_day:
        lay_out_parcours(session, module.parcours, first_day)
    return session


def lay_out_parcours(session: Session, template: ParcoursTemplate, first_day: dt.date) -> None:
    """One slot per phase, as a first draft the manager then adjusts: in-person and
    virtual phases at 9:00 on their day, online work open from its day until the next
    phase starts (a week for the last one)."""
    tz = timezone.get_current_timezone()
    phases = list(template.phases.order_by("order"))
    days, day = [], first_day
    for index, phase in enumerate(phases):
        if index:
            day = day + dt.timedelta(days=phase.offset_days)
        days.append(day)
    for index, phase in enumerate(phases):
        if phase.modality == Modality.SELF_PACED:
            start = dt.datetime.combine(days[index], dt.time(0, 0), tz)
            following = days[index + 1] if index + 1 < len(days) else None
            if following is None or following <= days[index]:
                following = days[index] + dt.timedelta(days=7)
            end = dt.datetime.combine(following, dt.time(0, 0), tz)
            credited = phase.minutes
        else:
            start = dt.datetime.combine(days[index], dt.time(9, 0), tz)
            end = start + dt.timedelta(minutes=phase.minutes)
            credited = None
        slot = Slot(
            session=session,
            modality=phase.modality,
            title=phase.title,
            start=start,
            end=end,
            credited_minutes=credited,
            school=session.host_school if phase.modality == Modality.IN_PERSON else None,
            phase=phase,
        )
        slot.full_clean()
        slot.save()


@transaction.atomic
def update_session(*, user, session: Session, trainers=None, **fields) -> Session:
    """Change a session's settings. The capacity never drops below the seats booked."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_manager(user, session.module.programme.academy)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Cette session est annulée."), status=409)
    booked = session.enrolments.booked().count()
    # A null capacity (PATCH ``{"capacity": null}``) is left to ``full_clean`` below.
    if fields.get("capacity") is not None and fields["capacity"] < booked:
        raise TrainingError(
            _(
                "Impossible de réduire à %(capacity)s places : "
                "%(booked)s personnes sont déjà inscrites."
            )
            % {"capacity": fields["capacity"], "booked": booked},
            status=409,
        )
    place_before = (session.host_school_id, session.location)
    for name, value in fields.items():
        setattr(session, name, value)
    _check_session_scope(session)
    session.full_clean()
    session.save(update_fields=[*fields, "updated_at"])
    if (session.host_school_id, session.location) != place_before:
        # The place shown for slots without a school of their own moved: calendars must
        # see a change (SEQUENCE) and the people booked are told.
        session.slots.exclude(status=Slot.Status.CANCELLED).update(sequence=F("sequence") + 1)
        notify.session_changed(
            session=session,
            reason=_("Nouveau lieu : %(place)s.")
            % {"place": session.location or (session.host_school and session.host_school.name)},
        )
    if trainers is not None:
        trainers = list(trainers)
        _check_trainers(trainers, session.module.programme.academy)
        session.trainers.set(trainers)
    if "capacity" in fields:
        enrolment.schedule_promotion(session)
    return session


@transaction.atomic
def publish_session(*, user, session: Session) -> Session:
    _require_manager(user, session.module.programme.academy)
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Une session annulée ne peut pas être publiée."), status=409)
    session.status = Session.Status.PUBLISHED
    session.save(update_fields=["status", "updated_at"])
    return session


# --- Slots and conflicts --------------------------------------------------------------


def _timed(queryset):
    """Slots that occupy a time: self-paced work (done whenever one likes within its
    window) never conflicts with anything."""
    return queryset.exclude(modality=Modality.SELF_PACED).exclude(status=Slot.Status.CANCELLED)


def find_conflicts(
    *, session: Session, start, end, school: School | None, room: str, exclude: Slot | None = None
) -> list[str]:
    """Messages naming each slot that the proposed one would collide with: a trainer of
    the session, the room, or a person booked on the session, busy elsewhere."""
    others = _timed(Slot.objects.filter(start__lt=end, end__gt=start)).select_related(
        "session__module"
    )
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    messages = []
    trainer_ids = list(session.trainers.values_list("pk", flat=True))
    if trainer_ids:
        for other in others.filter(session__trainers__in=trainer_ids).distinct():
            messages.append(
                _("Un formateur de la session anime déjà %(slot)s.")
                % {"slot": describe_slot(other)}
            )
    if school is not None and room.strip():
        for other in others.filter(school=school, room__iexact=room.strip()):
            messages.append(
                _("La salle %(room)s est déjà occupée par %(slot)s.")
                % {"room": other.room, "slot": describe_slot(other)}
            )
    booked_staff = session.enrolments.booked().values("staff")
    clashes = (
        others.exclude(session=session)
        .filter(
            session__enrolments__staff__in=booked_staff,
            session__enrolments__state=Enrolment.State.BOOKED,
        )
        .distinct()
    )
    for other in clashes:
        messages.append(
            _("Des inscrits de la session sont déjà inscrits à %(slot)s.")
            % {"slot": describe_slot(other)}
        )
    return messages


def holiday_warnings(*, session: Session, start, end) -> list[str]:
    """Holidays of the zone of the schools concerned (host school, or the académie)."""
    academy = session.module.programme.academy
    year = session.module.programme.school_year
    zone = (
        AcademyZone.objects.filter(academy=academy, school_year=year)
        .values_list("zone", flat=True)
        .first()
    )
    if zone is None:
        return []
    first, last = timezone.localdate(start), timezone.localdate(end)
    warnings = []
    for period in HolidayPeriod.objects.for_zone(year, zone):
        if period.classes_end < last and first < period.classes_resume:
            warnings.append(
                _("Attention : cette séance tombe pendant les vacances (%(name)s, zone %(zone)s).")
                % {"name": period.name, "zone": zone}
            )
    return warnings


def _check_slot_times(slot: Slot) -> None:
    """Times that make sense: a séance in person or virtual within one day and at most
    ``DUNE_SLOT_MAX_MINUTES`` (multi-day training is several séances). Online work is a
    window: its own rule."""
    if not (slot.start and slot.end):
        return
    start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
    year = slot.session.module.programme.school_year
    # A window ending at midnight ends on the day before.
    last_day = timezone.localtime(slot.end - dt.timedelta(microseconds=1)).date()
    if start.date() < year.start or last_day > year.end:
        raise TrainingError(
            _(
                "Une séance de ce programme a lieu pendant l'année scolaire %(year)s "
                "(du %(start)s au %(end)s)."
            )
            % {
                "year": year.name,
                "start": year.start.strftime("%d/%m/%Y"),
                "end": year.end.strftime("%d/%m/%Y"),
            }
        )
    if slot.modality == Modality.SELF_PACED:
        return
    if start.date() != end.date():
        raise TrainingError(
            _(
                "Une séance en présence ou en classe virtuelle tient dans une journée : "
                "une formation sur plusieurs jours compte une séance par jour."
            )
        )
    limit = settings.DUNE_SLOT_MAX_MINUTES
    if (slot.end - slot.start).total_seconds() / 60 > limit:
        raise TrainingError(
            _("Une séance dure au plus %(hours)s (une journée de formation).")
            % {"hours": duration(limit)}
        )


def _save_slot(
    *, user, slot: Slot, override: bool, override_reason: str, changed: bool
) -> SlotResult:
    session = slot.session
    if slot.modality == Modality.SELF_PACED:
        if not slot.credited_minutes:
            raise TrainingError(_("Un travail en ligne doit indiquer la durée créditée."))
    else:
        slot.credited_minutes = None
    if slot.modality == Modality.VIRTUAL and not slot.video_url:
        raise TrainingError(_("Une classe virtuelle doit avoir son lien."))
    if slot.start and slot.end and slot.end <= slot.start:
        raise TrainingError(_("La fin de la séance doit être après son début."))
    _check_slot_times(slot)
    slot.full_clean()
    conflicts = []
    if slot.modality != Modality.SELF_PACED:
        conflicts = find_conflicts(
            session=session,
            start=slot.start,
            end=slot.end,
            school=slot.school,
            room=slot.room,
            exclude=slot,
        )
    if conflicts:
        if not override:
            raise TrainingError(" ".join(conflicts), status=409)
        if not override_reason.strip():
            raise TrainingError(_("Indiquez pourquoi vous passez outre le conflit."))
        slot.conflict_override_by = user
        slot.conflict_override_reason = override_reason.strip()
    if changed and slot.pk:
        slot.sequence += 1
    slot.save()
    return SlotResult(
        slot=slot, warnings=holiday_warnings(session=session, start=slot.start, end=slot.end)
    )


@transaction.atomic
def add_slot(
    *,
    user,
    session: Session,
    modality: str,
    start: dt.datetime,
    end: dt.datetime,
    title: str = "",
    credited_minutes: int | None = None,
    school: School | None = None,
    room: str = "",
    video_url: str = "",
    override: bool = False,
    override_reason: str = "",
) -> SlotResult:
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_manager(user, session.module.programme.academy)
    _refuse_if_year_closed(session)
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Cette session est annulée."), status=409)
    had_dates = session.active_slots().exists()
    slot = Slot(
        session=session,
        modality=modality,
        title=title.strip(),
        start=start,
        end=end,
        credited_minutes=credited_minutes,
        school=school,
        room=room.strip(),
        video_url=video_url.strip(),
    )
    result = _save_slot(
        user=user, slot=slot, override=override, override_reason=override_reason, changed=False
    )
    if had_dates:
        notify.session_changed(
            session=session,
            reason=_("Séance ajoutée : %(slot)s.") % {"slot": describe_slot(result.slot)},
        )
    else:
        # Dates are set: the approved requests waiting for them get their seats.
        enrolment.book_waiting_for_dates(session=session)
    return result


SLOT_FIELDS = (
    "modality",
    "title",
    "start",
    "end",
    "credited_minutes",
    "school",
    "room",
    "video_url",
)
# A change of these moves the event in people's calendars (iCalendar SEQUENCE).
SLOT_SCHEDULE_FIELDS = ("modality", "start", "end", "school", "room", "video_url")


@transaction.atomic
def update_slot(
    *, user, slot: Slot, override: bool = False, override_reason: str = "", **fields
) -> SlotResult:
    slot = (
        Slot.objects.select_for_update(of=("self",))
        .select_related("session__module__programme", "school")
        .get(pk=slot.pk)
    )
    _require_manager(user, slot.session.module.programme.academy)
    _refuse_if_year_closed(slot.session)
    if slot.status == Slot.Status.CANCELLED:
        raise TrainingError(_("Cette séance est annulée."), status=409)
    unknown = set(fields) - set(SLOT_FIELDS)
    if unknown:
        raise TypeError(f"unknown slot fields: {sorted(unknown)}")
    changed = any(
        getattr(slot, name) != value
        for name, value in fields.items()
        if name in SLOT_SCHEDULE_FIELDS
    )
    before = f"{describe_slot(slot)}, {describe_place(slot)}"
    for name, value in fields.items():
        setattr(slot, name, value)
    result = _save_slot(
        user=user, slot=slot, override=override, override_reason=override_reason, changed=changed
    )
    if changed:
        after = f"{describe_slot(slot)}, {describe_place(slot)}"
        notify.session_changed(
            session=slot.session,
            reason=_("Séance modifiée : %(before)s ; désormais %(after)s.")
            % {"before": before, "after": after},
        )
    return result


@transaction.atomic
def cancel_slot(*, user, slot: Slot) -> Slot:
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    _require_manager(user, slot.session.module.programme.academy)
    _refuse_if_year_closed(slot.session)
    if slot.status != Slot.Status.CANCELLED:
        slot.status = Slot.Status.CANCELLED
        slot.sequence += 1
        slot.save(update_fields=["status", "sequence", "updated_at"])
        notify.session_changed(
            session=slot.session, reason=_("séance annulée : %(slot)s") % {"slot": slot}
        )
    return slot


__all__ = [
    "SlotResult",
    "add_slot",
    "cancel_slot",
    "create_module",
    "create_programme",
    "create_session",
    "find_conflicts",
    "holiday_warnings",
    "publish_session",
    "update_module",
    "update_programme",
    "update_session",
    "update_slot",
]
