"""Hours from the ledger: by school, bassin, académie, priority of the plan and modality,
and by teacher (large: in chunks of schools).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.models import (
    Academy,
    HoursEntry,
    Modality,
    Priority,
    School,
    SchoolKind,
    Staff,
)
from training.reports.base import (
    ReportFilters,
    data_frame,
    ledger,
    report_scope,
    school_q,
    scoped_schools,
    targets_of,
)
from training.reports.registry import LABELS, register_report

SCHOOL_COLUMNS = [
    "academy",
    "district",
    "uai",
    "school",
    "kind",
    "degree",
    "staff",
    "minutes",
    "hours",
    "hours_per_staff",
]


def hours_by_school(user, filters: ReportFilters) -> pd.DataFrame:
    """One row per school in scope (schools without hours too): its staff and the
    minutes credited to them in the year. Three aggregate queries."""
    q = school_q(user, filters)
    if q is None:
        return data_frame([], SCHOOL_COLUMNS)
    schools = data_frame(
        School.objects.filter(q)
        .order_by()
        .values_list("pk", "academy__name", "district__name", "uai", "name", "kind", "degree"),
        ["pk", "academy", "district", "uai", "school", "kind", "degree"],
    )
    staff = dict(
        Staff.objects.filter(school_q(user, filters, "school__"))
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("pk"))
    )
    minutes = dict(
        ledger(user, filters)
        .order_by()
        .values_list("staff__school_id")
        .annotate(total=Sum("minutes"))
    )
    kinds = dict(SchoolKind.choices)
    schools["district"] = schools["district"].fillna(_("Sans bassin")).astype(object)
    schools["kind"] = schools["kind"].map(lambda k: str(kinds.get(k, k)))
    schools["staff"] = schools["pk"].map(staff).fillna(0).astype("int64")
    schools["minutes"] = schools["pk"].map(minutes).fillna(0).astype("int64")
    _add_hours(schools)
    return schools.sort_values(["academy", "district", "school", "uai"]).reset_index(drop=True)[
        SCHOOL_COLUMNS
    ]


def _add_hours(frame: pd.DataFrame) -> None:
    frame["hours"] = (frame["minutes"] / 60).round(1)
    per_staff = frame["minutes"] / frame["staff"].where(frame["staff"] > 0)
    frame["hours_per_staff"] = (per_staff / 60).round(1).fillna(0.0)


def _grouped(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = (
        frame.groupby(keys, sort=True, dropna=False)
        .agg(schools=("uai", "count"), staff=("staff", "sum"), minutes=("minutes", "sum"))
        .reset_index()
    )
    _add_hours(out)
    return out


def hours_by_district(user, filters: ReportFilters) -> pd.DataFrame:
    """Per bassin (or circonscription): schools, staff, minutes — the schools' rows
    summed, so the totals are the same."""
    frame = _grouped(hours_by_school(user, filters), ["academy", "district"])
    return frame[["academy", "district", "schools", "staff", "minutes", "hours", "hours_per_staff"]]


def hours_by_academy(user, filters: ReportFilters) -> pd.DataFrame:
    """Every académie in scope (the ministry: all 30), zero where there is no data, with
    its code (the dashboards link each row to the académie's own)."""
    columns = ["code", "academy", "schools", "staff", "minutes", "hours", "hours_per_staff"]
    scope = report_scope(user)
    if scope is None:
        return data_frame([], columns)
    academies = Academy.objects.order_by("name")
    if filters.academy:
        academies = academies.filter(pk=filters.academy.pk)
    elif not scope.everything:
        academies = academies.filter(
            Q(pk__in=scope.academy_ids) | Q(schools__pk__in=scope.school_ids)
        ).distinct()
    names = data_frame(list(academies.values_list("code", "name")), ["code", "academy"])
    grouped = _grouped(hours_by_school(user, filters), ["academy"])
    frame = names.merge(grouped, on="academy", how="left")
    for column in ("schools", "staff", "minutes"):
        frame[column] = frame[column].fillna(0).astype("int64")
    _add_hours(frame)
    return frame[columns]


def hours_by_priority(user, filters: ReportFilters) -> pd.DataFrame:
    """Each priority of the year's plan (even without hours): minutes and people."""
    rows = {
        r["priority_id"]: r
        for r in ledger(user, filters)
        .order_by()
        .values("priority_id")
        .annotate(minutes=Sum("minutes"), people=Count("staff_id", distinct=True))
    }
    priorities = Priority.objects.filter(plan__school_year=filters.school_year)
    if filters.priority:
        priorities = priorities.filter(pk=filters.priority.pk)
    data = [
        (p.code, p.title, rows.get(p.pk, {}).get("people", 0), rows.get(p.pk, {}).get("minutes", 0))
        for p in priorities.order_by("order")
    ]
    frame = data_frame(data, ["code", "priority", "people", "minutes"])
    frame["minutes"] = frame["minutes"].fillna(0).astype("int64")
    frame["hours"] = (frame["minutes"] / 60).round(1)
    return frame


def hours_by_modality(user, filters: ReportFilters) -> pd.DataFrame:
    rows = {
        r["modality"]: r
        for r in ledger(user, filters)
        .order_by()
        .values("modality")
        .annotate(minutes=Sum("minutes"), people=Count("staff_id", distinct=True))
    }
    data = [
        (
            value,
            str(label),
            rows.get(value, {}).get("people", 0),
            rows.get(value, {}).get("minutes", 0),
        )
        for value, label in Modality.choices
    ]
    frame = data_frame(data, ["code", "modality", "people", "minutes"])
    frame["hours"] = (frame["minutes"] / 60).round(1)
    return frame


TEACHER_COLUMNS = [
    "academy",
    "district",
    "uai",
    "school",
    "staff_id",
    "last_name",
    "first_name",
    "degree",
    "minutes",
    "hours",
    "target_hours",
    "reached",
    "missing_hours",
]


def count_teachers(user, filters: ReportFilters) -> int:
    q = school_q(user, filters, "school__")
    return 0 if q is None else Staff.objects.filter(q).count()


def iter_hours_by_teacher(
    user, filters: ReportFilters, chunk_size: int = 5000
) -> Iterator[pd.DataFrame]:
    """Hours of every person in scope, a chunk of schools at a time (about
    ``chunk_size`` people), ordered by académie, school and name: memory stays bounded
    whatever the number of people. Two queries a chunk, the ledger read through its
    (staff, school_year) index."""
    q = school_q(user, filters)
    if q is None:
        return
    counts = dict(
        Staff.objects.filter(school_q(user, filters, "school__"))
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("pk"))
    )
    school_ids = [
        pk
        for pk in School.objects.filter(q)
        .order_by("academy__name", "name", "pk")
        .values_list("pk", flat=True)
        if counts.get(pk)
    ]
    targets = targets_of(filters.school_year)
    batch: list[int] = []
    size = 0
    for pk in school_ids:
        batch.append(pk)
        size += counts[pk]
        if size >= chunk_size:
            yield _teacher_chunk(batch, filters, targets)
            batch, size = [], 0
    if batch:
        yield _teacher_chunk(batch, filters, targets)


def _teacher_chunk(school_ids: list[int], filters: ReportFilters, targets) -> pd.DataFrame:
    order = {pk: i for i, pk in enumerate(school_ids)}
    staff = data_frame(
        Staff.objects.filter(school_id__in=school_ids)
        .order_by()
        .values_list(
            "pk",
            "school_id",
            "school__academy__name",
            "school__district__name",
            "school__uai",
            "school__name",
            "staff_id",
            "user__last_name",
            "user__first_name",
            "degree",
        ),
        [
            "pk",
            "school_pk",
            "academy",
            "district",
            "uai",
            "school",
            "staff_id",
            "last_name",
            "first_name",
            "degree",
        ],
    )
    entries = HoursEntry.objects.filter(
        school_year=filters.school_year, staff_id__in=list(staff["pk"])
    )
    if filters.priority:
        entries = entries.filter(priority=filters.priority)
    minutes = dict(entries.order_by().values_list("staff_id").annotate(total=Sum("minutes")))
    staff["order"] = staff["school_pk"].map(order)
    staff = staff.sort_values(["order", "last_name", "first_name", "pk"]).reset_index(drop=True)
    staff["district"] = staff["district"].fillna(_("Sans bassin")).astype(object)
    staff["minutes"] = staff["pk"].map(minutes).fillna(0).astype("int64")
    staff["hours"] = (staff["minutes"] / 60).round(1)
    target = staff["degree"].map(targets)
    staff["target_hours"] = (target / 60).round(1)
    staff["reached"] = (
        (staff["minutes"] >= target).where(target.notna()).map({True: _("oui"), False: _("non")})
    )
    staff["missing_hours"] = ((target - staff["minutes"]).clip(lower=0) / 60).round(1)
    return staff[TEACHER_COLUMNS]


def hours_by_teacher(user, filters: ReportFilters) -> pd.DataFrame:
    chunks = list(iter_hours_by_teacher(user, filters))
    if not chunks:
        return data_frame([], TEACHER_COLUMNS)
    return pd.concat(chunks, ignore_index=True)


register_report(
    "hours_by_teacher",
    gettext_lazy("Heures par personne"),
    hours_by_teacher,
    labels=LABELS,
    chunks=iter_hours_by_teacher,
    count=count_teachers,
)
register_report(
    "hours_by_school",
    gettext_lazy("Heures par établissement"),
    hours_by_school,
    labels=LABELS,
    count=lambda user, filters: scoped_schools(user, filters).count(),
    chart=("school", "hours"),
)
register_report(
    "hours_by_district",
    gettext_lazy("Heures par bassin"),
    hours_by_district,
    labels=LABELS,
    chart=("district", "hours_per_staff"),
)
register_report(
    "hours_by_academy",
    gettext_lazy("Heures par académie"),
    hours_by_academy,
    labels=LABELS,
    chart=("academy", "hours_per_staff"),
)
register_report(
    "hours_by_priority",
    gettext_lazy("Heures par priorité du plan"),
    hours_by_priority,
    labels=LABELS,
    chart=("priority", "hours"),
    internal=("code",),
)
register_report(
    "hours_by_modality",
    gettext_lazy("Heures par modalité"),
    hours_by_modality,
    labels=LABELS,
    chart=("modality", "hours"),
    internal=("code",),
)
