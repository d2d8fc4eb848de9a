"""How much of a school's training plan was realised: the credited minutes of each
line's target staff against its planned minutes (reads of the hours ledger, a fixed
number of queries for any number of plans)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from training.models import HoursEntry, SchoolPlan, SchoolPlanLine, Staff


@dataclass
class LineRealisation:
    """How much of a line was done: ``planned_minutes`` is per person; each person
    counts for at most that (someone's extra hours do not make up for a colleague's)."""

    line: SchoolPlanLine
    targets: int
    planned_minutes: int
    expected_minutes: int
    credited_minutes: int
    realised_minutes: int
    reached: int
    measurable: bool

    @property
    def rate(self) -> float | None:
        if not self.measurable or not self.expected_minutes:
            return None
        return round(100 * self.realised_minutes / self.expected_minutes, 1)


@dataclass
class PlanRealisation:
    plan: SchoolPlan
    lines: list[LineRealisation]

    @property
    def expected_minutes(self) -> int:
        return sum(r.expected_minutes for r in self.lines if r.measurable)

    @property
    def realised_minutes(self) -> int:
        return sum(r.realised_minutes for r in self.lines if r.measurable)

    @property
    def credited_minutes(self) -> int:
        return sum(r.credited_minutes for r in self.lines if r.measurable)

    @property
    def rate(self) -> float | None:
        if not self.expected_minutes:
            return None
        return round(100 * self.realised_minutes / self.expected_minutes, 1)


def plans_realisation(plans: Iterable[SchoolPlan]) -> dict[int, PlanRealisation]:
    """Realisation of several plans in a fixed number of queries.

    A line's target staff are its chosen people, or the school's active staff when none
    is chosen. What counts is the ledger (``HoursEntry``, corrections included) of those
    people in the plan's school year, on the line's module, or on the line's priority
    when it names no module. A line with neither (a theme only) is not measurable.
    """
    plans = list(plans)
    if not plans:
        return {}
    lines = list(SchoolPlanLine.objects.filter(plan__in=plans).select_related("module", "priority"))
    chosen: dict[int, set[int]] = defaultdict(set)
    for line_id, staff_id in SchoolPlanLine.target_staff.through.objects.filter(
        schoolplanline__plan__in=plans
    ).values_list("schoolplanline_id", "staff_id"):
        chosen[line_id].add(staff_id)
    by_plan = {plan.pk: plan for plan in plans}
    whole_school_ids = {
        by_plan[line.plan_id].school_id for line in lines if not chosen.get(line.pk)
    }
    school_staff: dict[int, set[int]] = defaultdict(set)
    for staff_id, school_id in Staff.objects.filter(
        school_id__in=whole_school_ids, active=True
    ).values_list("pk", "school_id"):
        school_staff[school_id].add(staff_id)

    explicit_ids = set().union(*chosen.values()) if chosen else set()
    modules = {line.module_id for line in lines if line.module_id}
    priorities = {line.priority_id for line in lines if not line.module_id and line.priority_id}
    credited: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    if modules or priorities:
        rows = (
            HoursEntry.objects.filter(
                Q(staff_id__in=explicit_ids)
                | Q(staff__school_id__in=whole_school_ids, staff__active=True),
                Q(slot__session__module_id__in=modules) | Q(priority_id__in=priorities),
                school_year_id__in={plan.school_year_id for plan in plans},
            )
            .values("staff_id", "school_year_id", "slot__session__module_id", "priority_id")
            .annotate(total=Sum("minutes"))
            .order_by()
        )
        for row in rows:
            credited[(row["staff_id"], row["school_year_id"])].append(
                (row["slot__session__module_id"], row["priority_id"], row["total"])
            )

    results = {plan.pk: PlanRealisation(plan=plan, lines=[]) for plan in plans}
    for line in sorted(lines, key=lambda li: (li.order, li.pk)):
        plan = by_plan[line.plan_id]
        targets = chosen.get(line.pk) or school_staff.get(plan.school_id, set())
        measurable = bool(line.module_id or line.priority_id)
        total = realised = reached = 0
        if measurable:
            for staff_id in targets:
                minutes = sum(
                    m
                    for module_id, priority_id, m in credited.get(
                        (staff_id, plan.school_year_id), ()
                    )
                    if (
                        module_id == line.module_id
                        if line.module_id
                        else priority_id == line.priority_id
                    )
                )
                total += minutes
                realised += max(0, min(minutes, line.planned_minutes))
                reached += minutes >= line.planned_minutes
        results[plan.pk].lines.append(
            LineRealisation(
                line=line,
                targets=len(targets),
                planned_minutes=line.planned_minutes,
                expected_minutes=line.planned_minutes * len(targets),
                credited_minutes=total,
                realised_minutes=realised,
                reached=reached,
                measurable=measurable,
            )
        )
    return results


def plan_realisation(plan: SchoolPlan) -> PlanRealisation:
    """Credited minutes of each line's target staff against its planned minutes."""
    return plans_realisation([plan])[plan.pk]
