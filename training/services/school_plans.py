"""School training plans (plan de formation d'établissement) and teachers' needs.

Who does what:
- a member of staff submits his training needs for his school's plan;
- the school's référent, or its head, drafts the plan (lines) and submits it;
- only the head of the school returns it with a comment, or approves it;
- a returned plan is editable again; an approved one is read-only, and a new version
  can be opened from it (its lines copied);
- the rectorate (auditors, managers of the académie) and the ministry read the
  submitted and approved plans, and how much of each was realised.

Every write is one transaction that locks the plan row, re-checks the state inside it,
and writes a ``SchoolPlanEvent``; a refusal is a ``TrainingError`` and changes nothing.

Who may see which plan and need is in ``training.permissions``; how much of a plan was
realised, in ``training.realisation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.models import (
    Item,
    Modality,
    Module,
    Priority,
    RoleMembership,
    School,
    SchoolPlan,
    SchoolPlanEvent,
    SchoolPlanLine,
    SchoolYear,
    Staff,
    TrainingNeed,
)
from training.permissions import can_decide, can_draft
from training.roles import staff_of
from training.services import notify
from training.services.closing import is_frozen

Role = RoleMembership.Role
Status = SchoolPlan.Status
Action = SchoolPlanEvent.Action

# --- Needs ----------------------------------------------------------------------------


def _refuse_if_closed(year: SchoolYear, academy_id: int) -> None:
    """Once the rectorate closed the year (for the académie, or nationally), its plans
    are part of the stable record and change no more."""
    if is_frozen(academy_id, year):
        raise TrainingError(
            _("L'année scolaire %(year)s est close : son plan de formation ne change plus.")
            % {"year": year.name},
            status=409,
        )


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise TrainingError(" ".join(exc.messages)) from exc


@transaction.atomic
def submit_need(
    *,
    user,
    theme: str,
    school_year: SchoolYear | None = None,
    items: Iterable[Item] = (),
    modality: str = "",
    description: str = "",
) -> TrainingNeed:
    """A member of staff expresses a need for his school's training plan."""
    staff = staff_of(user)
    if staff is None:
        raise TrainingError(
            _("Seuls les personnels d'un établissement expriment des besoins de formation."),
            status=403,
        )
    school_year = school_year or SchoolYear.objects.current()
    if school_year is None:
        raise TrainingError(_("Aucune année scolaire n'est définie."))
    _refuse_if_closed(school_year, staff.school.academy_id)
    theme = (theme or "").strip()
    if not theme:
        raise TrainingError(_("Indiquez le thème de la formation souhaitée."))
    if modality and modality not in Modality.values:
        raise TrainingError(_("Modalité inconnue : %(value)s.") % {"value": modality})
    need = TrainingNeed(
        staff=staff,
        school=staff.school,
        school_year=school_year,
        theme=theme,
        description=(description or "").strip(),
        modality=modality or "",
    )
    _clean(need)
    need.save()
    need.items.set(list(items))
    return need


@transaction.atomic
def withdraw_need(*, user, need: TrainingNeed) -> None:
    """The author of a need withdraws it."""
    if need.staff.user_id != user.pk:
        raise TrainingError(_("Seul son auteur retire un besoin de formation."), status=403)
    _refuse_if_closed(need.school_year, need.school.academy_id)
    need.delete()


# --- Plans ----------------------------------------------------------------------------


def _event(
    plan: SchoolPlan, *, user, action: str, from_status: str = "", detail: str = ""
) -> SchoolPlanEvent:
    return SchoolPlanEvent.objects.create(
        plan=plan,
        action=action,
        from_status=from_status,
        to_status=plan.status,
        detail=detail,
        author=user,
    )


def _locked(plan: SchoolPlan) -> SchoolPlan:
    return (
        SchoolPlan.objects.select_for_update(of=("self",))
        .select_related("school", "school_year")
        .get(pk=plan.pk)
    )


def _refuse_unless_drafter(user, plan: SchoolPlan) -> None:
    if not can_draft(user, plan.school):
        raise TrainingError(
            _(
                "Seuls le référent numérique et le chef d'établissement préparent le plan "
                "de formation de l'établissement."
            ),
            status=403,
        )


def _refuse_unless_editable(plan: SchoolPlan) -> None:
    if plan.status == Status.APPROVED:
        raise TrainingError(
            _(
                "Ce plan est approuvé : il ne se modifie plus. Ouvrez une nouvelle version "
                "pour le faire évoluer."
            ),
            status=409,
        )
    if plan.status == Status.SUBMITTED:
        raise TrainingError(
            _(
                "Ce plan est soumis au chef d'établissement : il ne se modifie plus avant "
                "sa décision."
            ),
            status=409,
        )


@transaction.atomic
def create_plan(*, user, school: School, school_year: SchoolYear) -> SchoolPlan:
    """The first version of a school's plan for a year."""
    if not can_draft(user, school):
        raise TrainingError(
            _(
                "Seuls le référent numérique et le chef d'établissement préparent le plan "
                "de formation de l'établissement."
            ),
            status=403,
        )
    _refuse_if_closed(school_year, school.academy_id)
    # Lock the school row so that two drafters do not both create a version 1.
    School.objects.select_for_update().filter(pk=school.pk).first()
    if SchoolPlan.objects.filter(school=school, school_year=school_year).exists():
        raise TrainingError(
            _("Le plan de formation %(year)s de cet établissement existe déjà.")
            % {"year": school_year.name},
            status=409,
        )
    plan = SchoolPlan(school=school, school_year=school_year, version=1, created_by=user)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise TrainingError(
            _("Le plan de formation %(year)s de cet établissement existe déjà.")
            % {"year": school_year.name},
            status=409,
        ) from exc
    _event(plan, user=user, action=Action.CREATED)
    return plan


@transaction.atomic
def open_new_version(*, user, plan: SchoolPlan) -> SchoolPlan:
    """A new draft from the latest approved version, with its lines copied."""
    plan = _locked(plan)
    _refuse_unless_drafter(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    versions = SchoolPlan.objects.filter(school=plan.school, school_year=plan.school_year)
    if versions.exclude(status=Status.APPROVED).exists():
        raise TrainingError(
            _("Une version de ce plan est déjà en préparation : modifiez-la."), status=409
        )
    latest = versions.aggregate(latest=Max("version"))["latest"]
    if plan.version != latest:
        raise TrainingError(
            _("Seule la dernière version approuvée sert de base à une nouvelle version."),
            status=409,
        )
    new = SchoolPlan(
        school=plan.school,
        school_year=plan.school_year,
        version=plan.version + 1,
        created_by=user,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        raise TrainingError(
            _("Une version de ce plan est déjà en préparation : modifiez-la."), status=409
        ) from exc
    for line in plan.lines.prefetch_related("target_staff"):
        copy = SchoolPlanLine.objects.create(
            plan=new,
            theme=line.theme,
            module_id=line.module_id,
            priority_id=line.priority_id,
            planned_minutes=line.planned_minutes,
            modality=line.modality,
            order=line.order,
        )
        copy.target_staff.set(line.target_staff.all())
    _event(
        new,
        user=user,
        action=Action.VERSION_OPENED,
        detail=_("À partir de la version %(version)s.") % {"version": plan.version},
    )
    return new


@dataclass
class LineData:
    """What a line says; ``planned_minutes`` is per person."""

    planned_minutes: int
    theme: str = ""
    module: Module | None = None
    priority: Priority | None = None
    modality: str = ""
    target_staff: list[Staff] = field(default_factory=list)


def _check_line(plan: SchoolPlan, data: LineData) -> None:
    if not (data.theme or "").strip() and data.module is None:
        raise TrainingError(_("Une ligne porte un thème ou un module du catalogue."))
    if data.planned_minutes is None or data.planned_minutes <= 0:
        raise TrainingError(_("La durée prévue doit être positive."))
    if data.modality and data.modality not in Modality.values:
        raise TrainingError(_("Modalité inconnue : %(value)s.") % {"value": data.modality})
    if data.module is not None:
        programme = data.module.programme
        if (
            programme.academy_id != plan.school.academy_id
            or programme.school_year_id != plan.school_year_id
        ):
            raise TrainingError(
                _("Ce module n'est pas au catalogue de l'académie pour l'année %(year)s.")
                % {"year": plan.school_year.name}
            )
    if data.priority is not None and data.priority.plan.school_year_id != plan.school_year_id:
        raise TrainingError(
            _("Cette priorité n'est pas celle du plan national %(year)s.")
            % {"year": plan.school_year.name}
        )
    strangers = [s for s in data.target_staff if s.school_id != plan.school_id]
    if strangers:
        raise TrainingError(
            _("%(names)s ne fait pas partie des personnels de l'établissement.")
            % {"names": ", ".join(s.full_name for s in strangers)}
        )


def _fill(line: SchoolPlanLine, data: LineData) -> None:
    line.theme = (data.theme or "").strip()
    line.module = data.module
    # A module's priority is its programme's: the line follows it unless told otherwise.
    line.priority = data.priority or (data.module.programme.priority if data.module else None)
    line.planned_minutes = data.planned_minutes
    line.modality = data.modality or ""


@transaction.atomic
def add_line(*, user, plan: SchoolPlan, data: LineData) -> SchoolPlanLine:
    plan = _locked(plan)
    _refuse_unless_drafter(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    _refuse_unless_editable(plan)
    _check_line(plan, data)
    order = (plan.lines.aggregate(last=Max("order"))["last"] or 0) + 1
    line = SchoolPlanLine(plan=plan, order=order)
    _fill(line, data)
    _clean(line)
    line.save()
    line.target_staff.set(data.target_staff)
    _event(plan, user=user, action=Action.LINE_ADDED, from_status=plan.status, detail=line.label)
    return line


@transaction.atomic
def update_line(*, user, line: SchoolPlanLine, data: LineData) -> SchoolPlanLine:
    plan = _locked(line.plan)
    _refuse_unless_drafter(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    _refuse_unless_editable(plan)
    _check_line(plan, data)
    line = SchoolPlanLine.objects.select_for_update().get(pk=line.pk, plan=plan)
    _fill(line, data)
    _clean(line)
    line.save(update_fields=["theme", "module", "priority", "planned_minutes", "modality"])
    line.target_staff.set(data.target_staff)
    _event(plan, user=user, action=Action.LINE_CHANGED, from_status=plan.status, detail=line.label)
    return line


@transaction.atomic
def remove_line(*, user, line: SchoolPlanLine) -> None:
    plan = _locked(line.plan)
    _refuse_unless_drafter(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    _refuse_unless_editable(plan)
    label = line.label
    SchoolPlanLine.objects.filter(pk=line.pk, plan=plan).delete()
    _event(plan, user=user, action=Action.LINE_REMOVED, from_status=plan.status, detail=label)


@transaction.atomic
def submit_plan(*, user, plan: SchoolPlan) -> SchoolPlan:
    plan = _locked(plan)
    _refuse_unless_drafter(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    if plan.status == Status.SUBMITTED:
        raise TrainingError(_("Ce plan est déjà soumis au chef d'établissement."), status=409)
    _refuse_unless_editable(plan)
    if not plan.lines.exists():
        raise TrainingError(_("Un plan sans ligne ne peut pas être soumis."), status=409)
    before = plan.status
    plan.status = Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    event = _event(plan, user=user, action=Action.SUBMITTED, from_status=before)
    notify.school_plan_changed(plan=plan, event=event)
    return plan


def _refuse_unless_head(user, plan: SchoolPlan) -> None:
    if not can_decide(user, plan.school):
        raise TrainingError(
            _("Seul le chef d'établissement approuve ou renvoie le plan de formation."),
            status=403,
        )


def _refuse_unless_submitted(plan: SchoolPlan) -> None:
    if plan.status != Status.SUBMITTED:
        raise TrainingError(
            _("Ce plan n'est pas soumis (état : %(status)s) : il n'y a rien à décider.")
            % {"status": plan.get_status_display()},
            status=409,
        )


@transaction.atomic
def return_plan(*, user, plan: SchoolPlan, comment: str) -> SchoolPlan:
    """The head sends the plan back to the référent, saying why."""
    plan = _locked(plan)
    _refuse_unless_head(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    _refuse_unless_submitted(plan)
    comment = (comment or "").strip()
    if not comment:
        raise TrainingError(_("Dites au référent ce qui est à revoir : le commentaire manque."))
    plan.status = Status.RETURNED
    plan.head_comment = comment
    plan.save(update_fields=["status", "head_comment"])
    event = _event(
        plan, user=user, action=Action.RETURNED, from_status=Status.SUBMITTED, detail=comment
    )
    notify.school_plan_changed(plan=plan, event=event)
    return plan


@transaction.atomic
def approve_plan(*, user, plan: SchoolPlan, comment: str = "") -> SchoolPlan:
    plan = _locked(plan)
    _refuse_unless_head(user, plan)
    _refuse_if_closed(plan.school_year, plan.school.academy_id)
    _refuse_unless_submitted(plan)
    if not plan.lines.exists():
        raise TrainingError(_("Un plan sans ligne ne peut pas être approuvé."), status=409)
    comment = (comment or "").strip()
    plan.status = Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = user
    plan.head_comment = comment
    plan.save(update_fields=["status", "approved_at", "approved_by", "head_comment"])
    event = _event(
        plan, user=user, action=Action.APPROVED, from_status=Status.SUBMITTED, detail=comment
    )
    notify.school_plan_changed(plan=plan, event=event)
    return plan
