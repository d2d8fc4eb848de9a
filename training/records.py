"""Reads of the hours ledger: a teacher's record for a school year, and the hours and
C2i2e progress of a list of people (a school's staff, a session's participants).

Aggregated in SQL (``values().annotate()``): a record is a handful of queries whatever
the size of the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from training.competences import Progress, progress_of
from training.models import (
    Framework,
    HoursEntry,
    HoursTarget,
    ItemEvidence,
    Modality,
    SchoolYear,
    Slot,
    Staff,
)

C2I2E = "C2i2e-2011"


@dataclass
class SlotLine:
    slot: Slot
    minutes: int


@dataclass
class Record:
    staff: Staff
    school_year: SchoolYear
    target: HoursTarget | None
    total_minutes: int
    by_priority: list[tuple[str, int]]
    by_modality: dict[str, int]
    lines: list[SlotLine] = field(default_factory=list)
    c2i2e: Progress | None = None

    @property
    def target_reached(self) -> bool | None:
        if self.target is None:
            return None
        return self.total_minutes >= self.target.target_minutes

    @property
    def missing_minutes(self) -> int:
        if self.target is None:
            return 0
        return max(0, self.target.target_minutes - self.total_minutes)


def teacher_record(staff: Staff, school_year: SchoolYear) -> Record:
    ledger = HoursEntry.objects.filter(staff=staff, school_year=school_year)
    by_priority = [
        (row["priority__title"], row["minutes"])
        for row in ledger.values("priority__title", "priority__order")
        .annotate(minutes=Sum("minutes"))
        .order_by("priority__order")
        if row["minutes"]
    ]
    by_modality = dict.fromkeys(Modality.values, 0)
    for row in ledger.values("modality").annotate(minutes=Sum("minutes")).order_by():
        by_modality[row["modality"]] = row["minutes"]
    per_slot = {
        row["slot"]: row["minutes"]
        for row in ledger.values("slot").annotate(minutes=Sum("minutes")).order_by()
        if row["minutes"]
    }
    slots = (
        Slot.objects.filter(pk__in=per_slot)
        .select_related("session__module__programme", "school")
        .order_by("start")
    )
    framework = Framework.objects.filter(code=C2I2E).first()
    return Record(
        staff=staff,
        school_year=school_year,
        target=HoursTarget.objects.filter(
            plan__school_year=school_year, degree=staff.degree
        ).first(),
        total_minutes=sum(per_slot.values()),
        by_priority=by_priority,
        by_modality=by_modality,
        lines=[SlotLine(slot=slot, minutes=per_slot[slot.pk]) for slot in slots],
        c2i2e=progress_of(staff, framework) if framework else None,
    )


def with_hours(staff: QuerySet[Staff], school_year: SchoolYear) -> QuerySet[Staff]:
    """Each person's credited minutes for the year and his validated C2i2e items, as
    two correlated subqueries (one query for the whole page)."""
    minutes = (
        HoursEntry.objects.filter(staff=OuterRef("pk"), school_year=school_year)
        .order_by()
        .values("staff")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    validated = (
        ItemEvidence.objects.filter(
            staff=OuterRef("pk"),
            state=ItemEvidence.State.VALIDATED,
            item__domain__framework__code=C2I2E,
        )
        .order_by()
        .values("staff")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return staff.select_related("user", "school").annotate(
        minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
        validated_items=Coalesce(Subquery(validated, output_field=IntegerField()), Value(0)),
    )


__all__ = ["Record", "SlotLine", "teacher_record", "with_hours"]
