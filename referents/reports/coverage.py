"""The référents' sections of the audit reports (``training.reports`` registry):
coverage of schools by kind and bassin, allowances committed vs envelope vs paid, and
training delivered by référents. Registered from ``ReferentsConfig.ready()`` so that
``training`` never imports ``referents``.

Only the rectorate (auditors, managers of an académie) and the ministry read them: a
head gets an empty frame (his school's figures are in its activity report).
Allowances reuse ``referents.reports.summaries.academy_summaries`` so that the audit and the
académie's summary page give the same amounts.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as L

from referents.models import Appointment, MissionLog
from referents.reports.summaries import academy_summaries
from training.formatting import euros_value, hours_value
from training.models import Academy, HoursEntry, SchoolKind
from training.reports import LABELS, ReportFilters, register_report, report_scope, school_q

COMMITTED_STATES = (Appointment.State.APPOINTED, Appointment.State.ENDED)


def _rectorate_q(user, filters: ReportFilters, prefix: str = "") -> Q | None:
    scope = report_scope(user)
    if scope is None or not (scope.everything or scope.academy_ids):
        return None
    q = school_q(user, filters, prefix)
    if not scope.everything:
        # Not the schools a person of the rectorate also heads elsewhere.
        q &= Q(**{f"{prefix}academy_id__in": scope.academy_ids})
    return q


def coverage(user, filters: ReportFilters) -> pd.DataFrame:
    """Per académie, bassin and kind of school: schools, those with a référent appointed
    for the year, those without, coverage rate."""
    columns = ["academy", "district", "kind", "schools", "covered", "uncovered", "rate"]
    q = _rectorate_q(user, filters)
    if q is None:
        return pd.DataFrame(columns=columns)
    from training.models import School

    appointed = Q(
        appointments__school_year=filters.school_year,
        appointments__state=Appointment.State.APPOINTED,
    )
    kinds = dict(SchoolKind.choices)
    rows = (
        School.objects.filter(q)
        .order_by()
        .values_list("academy__name", "district__name", "kind")
        .annotate(
            n=Count("pk", distinct=True), covered=Count("pk", filter=appointed, distinct=True)
        )
    )
    frame = pd.DataFrame(
        [(a, d or _("Sans bassin"), str(kinds.get(k, k)), n, c) for a, d, k, n, c in rows],
        columns=columns[:5],
    )
    frame["uncovered"] = frame["schools"] - frame["covered"]
    rate = 100 * frame["covered"] / frame["schools"].where(frame["schools"] > 0)
    frame["rate"] = rate.round(0).fillna(0).astype("int64")
    return frame.sort_values(["academy", "district", "kind"]).reset_index(drop=True)[columns]


def coverage_by_academy(user, filters: ReportFilters) -> pd.DataFrame:
    frame = coverage(user, filters)
    out = frame.groupby("academy", sort=True)[["schools", "covered", "uncovered"]].sum()
    out = out.reset_index()
    rate = 100 * out["covered"] / out["schools"].where(out["schools"] > 0)
    out["rate"] = rate.round(0).fillna(0).astype("int64")
    return out


def coverage_by_district(user, filters: ReportFilters) -> pd.DataFrame:
    frame = coverage(user, filters)
    out = frame.groupby(["academy", "district"], sort=True)[["schools", "covered", "uncovered"]]
    out = out.sum().reset_index()
    rate = 100 * out["covered"] / out["schools"].where(out["schools"] > 0)
    out["rate"] = rate.round(0).fillna(0).astype("int64")
    return out


def allowances(user, filters: ReportFilters) -> pd.DataFrame:
    """Per académie and bassin: allowance committed (appointments' annual amounts) and
    paid (instalments exported for payroll); per académie its envelope and what
    remains — the académie's summary, in euros."""
    columns = ["academy", "district", "committed", "paid", "envelope", "remaining"]
    scope = report_scope(user)
    if scope is None or not (scope.everything or scope.academy_ids):
        return pd.DataFrame(columns=columns)
    academies = (
        Academy.objects.all()
        if scope.everything
        else Academy.objects.filter(pk__in=scope.academy_ids)
    )
    if filters.academy:
        academies = academies.filter(pk=filters.academy.pk)
    rows = []
    for summary in academy_summaries(user, academies, filters.school_year):
        for r in summary.rows:
            if filters.district and (r.district is None or r.district.pk != filters.district.pk):
                continue
            rows.append(
                (
                    summary.academy.name,
                    r.name,
                    euros_value(r.committed_cents),
                    euros_value(r.paid_cents),
                    None,
                    None,
                )
            )
        total = summary.total
        if not filters.district:
            rows.append(
                (
                    summary.academy.name,
                    _("Total"),
                    euros_value(total.committed_cents),
                    euros_value(total.paid_cents),
                    euros_value(summary.envelope_cents),
                    euros_value(summary.remaining_cents),
                )
            )
    return pd.DataFrame(rows, columns=columns)


def allowances_by_academy(user, filters: ReportFilters) -> pd.DataFrame:
    frame = allowances(user, filters)
    return frame[frame["district"] == _("Total")].drop(columns=["district"]).reset_index(drop=True)


def training_delivered(user, filters: ReportFilters) -> pd.DataFrame:
    """Per académie and bassin: sessions the référents logged as training they
    delivered, minutes they logged for it, and hours credited to the participants of
    those sessions in the ledger (corrections included)."""
    columns = ["academy", "district", "referents", "sessions", "logged_hours", "credited_hours"]
    q = _rectorate_q(user, filters, "appointment__school__")
    if q is None:
        return pd.DataFrame(columns=columns)
    logs = MissionLog.objects.filter(
        q,
        category=MissionLog.Category.TRAINING,
        appointment__school_year=filters.school_year,
        appointment__state__in=COMMITTED_STATES,
    )
    keys = ("appointment__school__academy__name", "appointment__school__district__name")
    rows = {
        (r[keys[0]], r[keys[1]]): r
        for r in logs.order_by()
        .values(*keys)
        .annotate(
            referents=Count("appointment__staff", distinct=True),
            sessions=Count("session", distinct=True),
            minutes=Sum("minutes"),
        )
    }
    credited: dict = {}
    pairs = logs.filter(session__isnull=False).order_by().values_list(*keys, "session_id")
    sessions_by_key: dict = {}
    for academy, district, session_id in pairs.distinct():
        sessions_by_key.setdefault((academy, district), set()).add(session_id)
    all_sessions = set().union(*sessions_by_key.values()) if sessions_by_key else set()
    per_session = dict(
        HoursEntry.objects.filter(
            slot__session_id__in=all_sessions, school_year=filters.school_year
        )
        .order_by()
        .values_list("slot__session_id")
        .annotate(total=Sum("minutes"))
    )
    for key, ids in sessions_by_key.items():
        credited[key] = sum(per_session.get(i, 0) for i in ids)
    data = [
        (
            a,
            d or _("Sans bassin"),
            r["referents"],
            r["sessions"],
            hours_value(r["minutes"] or 0),
            hours_value(credited.get((a, d), 0)),
        )
        for (a, d), r in rows.items()
    ]
    frame = pd.DataFrame(data, columns=columns)
    return frame.sort_values(["academy", "district"]).reset_index(drop=True)


LABELS_REFERENTS = {
    **LABELS,
    "kind": L("Type d'établissement"),
    "covered": L("Avec référent"),
    "uncovered": L("Sans référent"),
    "rate": L("Couverture (%)"),
    "committed": L("Engagé (€)"),
    "paid": L("Versé (€)"),
    "envelope": L("Enveloppe (€)"),
    "remaining": L("Reste (€)"),
    "referents": L("Référents formateurs"),
    "sessions": L("Sessions"),
    "logged_hours": L("Heures déclarées par les référents"),
    "credited_hours": L("Heures créditées aux participants"),
}


def register() -> None:
    register_report(
        "referent_coverage",
        L("Référents : couverture des établissements"),
        coverage,
        labels=LABELS_REFERENTS,
    )
    register_report(
        "referent_coverage_by_district",
        L("Référents : couverture par bassin"),
        coverage_by_district,
        labels=LABELS_REFERENTS,
        chart=("district", "rate"),
    )
    register_report(
        "referent_coverage_by_academy",
        L("Référents : couverture par académie"),
        coverage_by_academy,
        labels=LABELS_REFERENTS,
        chart=("academy", "rate"),
    )
    register_report(
        "referent_allowances",
        L("Référents : indemnités engagées, enveloppe, versées"),
        allowances,
        labels=LABELS_REFERENTS,
        chart=("district", "committed"),
    )
    register_report(
        "referent_allowances_by_academy",
        L("Référents : indemnités par académie"),
        allowances_by_academy,
        labels=LABELS_REFERENTS,
        chart=("academy", "committed"),
    )
    register_report(
        "referent_training",
        L("Référents : formations dispensées"),
        training_delivered,
        labels=LABELS_REFERENTS,
        chart=("district", "credited_hours"),
    )
