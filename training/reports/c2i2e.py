"""C2i2e progress: validated items per competence, and how many people have how many."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count
from django.utils.translation import gettext_lazy

from training.models import (
    Domain,
    Framework,
    ItemEvidence,
    Staff,
    TeachingSituation,
)
from training.reports.base import C2I2E, ReportFilters, data_frame, school_q
from training.reports.registry import LABELS, register_report


def _c2i2e_rows(user, filters: ReportFilters):
    """The framework, its competences, the number of people in scope and, per person
    with validated items, validated items per competence (one aggregate query)."""
    framework = Framework.objects.filter(code=C2I2E).first()
    q = school_q(user, filters, "staff__school__")
    if framework is None or q is None:
        return framework, [], 0, pd.DataFrame(columns=["staff", "domain", "n"])
    domains = list(
        Domain.objects.filter(framework=framework)
        .annotate(n_items=Count("items"))
        .order_by("order")
    )
    people = Staff.objects.filter(school_q(user, filters, "school__")).count()
    validated = data_frame(
        ItemEvidence.objects.filter(
            q, state=ItemEvidence.State.VALIDATED, item__domain__framework=framework
        )
        .order_by()
        .values_list("staff_id", "item__domain_id")
        .annotate(n=Count("pk")),
        ["staff", "domain", "n"],
    )
    return framework, domains, people, validated


def c2i2e_progress(user, filters: ReportFilters) -> pd.DataFrame:
    """Per competence: its items, the validated items of the people in scope, and how
    many people meet the competence's minimum (at most ``max_missing_per_domain`` not
    validated) — the certification rule read from the framework's data."""
    columns = [
        "code",
        "competence",
        "items",
        "required",
        "validated",
        "people_started",
        "people_ok",
    ]
    framework, domains, people, validated = _c2i2e_rows(user, filters)
    rows = []
    for domain in domains:
        own = validated[validated["domain"] == domain.pk]
        max_missing = framework.max_missing_per_domain
        required = 0 if max_missing is None else max(0, domain.n_items - max_missing)
        rows.append(
            (
                domain.code,
                domain.title,
                domain.n_items,
                required,
                int(own["n"].sum()),
                int((own["n"] > 0).sum()),
                # With nothing required, everyone in scope meets the minimum.
                int((own["n"] >= required).sum()) if required else people,
            )
        )
    return data_frame(rows, columns)


def c2i2e_distribution(user, filters: ReportFilters) -> pd.DataFrame:
    """How many people have 0, 1, … validated items, and how many of them are eligible
    for certification (enough items in all and in each competence)."""
    columns = ["validated_items", "people", "eligible"]
    framework, domains, people, validated = _c2i2e_rows(user, filters)
    if framework is None:
        return data_frame([], columns)
    total_items = sum(d.n_items for d in domains)
    per_domain = (
        validated.pivot_table(index="staff", columns="domain", values="n", fill_value=0)
        if len(validated)
        else pd.DataFrame()
    )
    per_domain = per_domain.reindex(columns=[d.pk for d in domains], fill_value=0)
    totals = per_domain.sum(axis=1).astype("int64")
    eligible = totals >= framework.min_validated_items
    if framework.max_missing_per_domain is not None:
        for d in domains:
            eligible &= (d.n_items - per_domain[d.pk]) <= framework.max_missing_per_domain
    if framework.min_situations:
        # And the teaching or training situations the rule asks for.
        led = dict(
            TeachingSituation.objects.filter(staff_id__in=list(totals.index))
            .order_by()
            .values_list("staff_id")
            .annotate(n=Count("pk"))
        )
        situations = pd.Series([led.get(s, 0) for s in totals.index], index=totals.index)
        eligible &= situations >= framework.min_situations
    counts = totals.value_counts().to_dict()
    counts[0] = counts.get(0, 0) + people - len(totals)
    eligible_counts = totals[eligible].value_counts().to_dict()
    return data_frame(
        (
            (n, int(counts.get(n, 0)), int(eligible_counts.get(n, 0)))
            for n in range(total_items + 1)
        ),
        columns,
    )


register_report(
    "c2i2e_progress",
    gettext_lazy("C2i2e : progression par compétence"),
    c2i2e_progress,
    labels=LABELS,
    chart=("code", "people_ok"),
)
register_report(
    "c2i2e_distribution",
    gettext_lazy("C2i2e : répartition des items validés"),
    c2i2e_distribution,
    labels=LABELS,
    chart=("validated_items", "people"),
)
