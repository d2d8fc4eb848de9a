"""The plan's hour target: how many people reached it, by bassin and by académie."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.models import (
    HoursEntry,
    Priority,
    SchoolYear,
    Staff,
)
from training.reports.base import ReportFilters, data_frame, school_q, targets_of
from training.reports.registry import LABELS, register_report


def _staff_minutes(school_year: SchoolYear, priority: Priority | None = None) -> Subquery:
    entries = HoursEntry.objects.filter(staff=OuterRef("pk"), school_year=school_year)
    if priority is not None:
        entries = entries.filter(priority=priority)
    return Subquery(
        entries.order_by().values("staff").annotate(total=Sum("minutes")).values("total"),
        output_field=IntegerField(),
    )


def target_attainment(user, filters: ReportFilters) -> pd.DataFrame:
    """Per bassin: people, those with a target for their degree, those who reached it
    and those behind. The target counts all of a person's hours of the year, whatever
    the priority filter."""
    columns = ["academy", "district", "staff", "with_target", "reached", "behind", "rate"]
    q = school_q(user, filters, "school__")
    if q is None:
        return data_frame([], columns)
    targets = targets_of(filters.school_year)
    reached = Q(pk__in=[])
    for degree, minutes in targets.items():
        reached |= Q(degree=degree, total__gte=minutes)
    rows = (
        Staff.objects.filter(q)
        .annotate(total=Coalesce(_staff_minutes(filters.school_year), Value(0)))
        .order_by()
        .values("school__academy__name", "school__district__name")
        .annotate(
            staff=Count("pk"),
            with_target=Count("pk", filter=Q(degree__in=list(targets))),
            reached=Count("pk", filter=reached),
        )
    )
    frame = data_frame(
        (
            (
                r["school__academy__name"],
                r["school__district__name"] or _("Sans bassin"),
                r["staff"],
                r["with_target"],
                r["reached"],
            )
            for r in rows
        ),
        columns[:5],
    )
    frame["behind"] = frame["with_target"] - frame["reached"]
    rate = 100 * frame["reached"] / frame["with_target"].where(frame["with_target"] > 0)
    frame["rate"] = rate.round(0).fillna(0).astype("int64")
    return frame.sort_values(["academy", "district"]).reset_index(drop=True)[columns]


def target_by_academy(user, filters: ReportFilters) -> pd.DataFrame:
    """The bassins' rows of ``target_attainment`` summed per académie."""
    frame = target_attainment(user, filters)
    out = (
        frame.groupby("academy", sort=True)[["staff", "with_target", "reached", "behind"]]
        .sum()
        .reset_index()
    )
    rate = 100 * out["reached"] / out["with_target"].where(out["with_target"] > 0)
    out["rate"] = rate.round(0).fillna(0).astype("int64")
    return out


register_report(
    "target_attainment",
    gettext_lazy("Objectif horaire atteint, par bassin"),
    target_attainment,
    labels=LABELS,
    chart=("district", "rate"),
)
register_report(
    "target_by_academy",
    gettext_lazy("Objectif horaire atteint, par académie"),
    target_by_academy,
    labels=LABELS,
    chart=("academy", "rate"),
)
