"""The rectorate's audit reports: hours per teacher, school, bassin and académie, by
priority and modality, against the plan's target, and C2i2e progress.

Every report is a function ``report(user, filters) -> DataFrame`` already scoped to what
``user`` may see: the ministry everything, an auditor or a manager his académie, a head
his school; anyone else gets an empty frame (views answer 404 before asking).

The figures are aggregated in SQL (``values().annotate(Sum(...))``): pandas receives one
row per school, priority, competence… and only merges, pivots and rounds. The rows are
independent of the file format: ``training.services.exports`` writes them as CSV or XLSX, the
dashboards as tables and charts, the API as JSON. Column keys are stable identifiers;
their French headers are in each report's ``labels``.

Totals come from the hours ledger itself (``HoursEntry``), corrections included (they
are negative or adjusting rows), so they agree with each teacher's record
(``training.records.teacher_record``). A person's hours count for the school of his
staff profile.

Other apps add sections through ``register_report`` (``referents.reports.coverage`` adds the
référents' coverage, allowances and training delivered) so that ``training`` never
imports them.

One module per family: ``hours`` (by school, bassin, académie, priority, modality and
teacher), ``attainment`` (the plan's hour target), ``c2i2e``; what they start from
(filters, scope, the ledger) is ``base``, the list of reports ``registry``. Importing
this package registers the families in the dashboards' order.
"""

from training.reports.base import (
    ReportFilters,
    Scope,
    ledger,
    parse_filters,
    report_scope,
    school_q,
    scoped_schools,
)
from training.reports.registry import LABELS, REGISTRY, ReportSpec, register_report

# The families, in the dashboards' order: hours, then the target, then C2i2e.
from training.reports.hours import (  # isort: skip
    hours_by_academy,
    hours_by_district,
    hours_by_modality,
    hours_by_priority,
    hours_by_school,
    hours_by_teacher,
    iter_hours_by_teacher,
)
from training.reports.attainment import target_attainment, target_by_academy  # isort: skip
from training.reports.c2i2e import c2i2e_distribution, c2i2e_progress  # isort: skip

__all__ = [
    "LABELS",
    "REGISTRY",
    "ReportFilters",
    "ReportSpec",
    "Scope",
    "c2i2e_distribution",
    "c2i2e_progress",
    "hours_by_academy",
    "hours_by_district",
    "hours_by_modality",
    "hours_by_priority",
    "hours_by_school",
    "hours_by_teacher",
    "iter_hours_by_teacher",
    "ledger",
    "parse_filters",
    "register_report",
    "report_scope",
    "school_q",
    "scoped_schools",
    "target_attainment",
    "target_by_academy",
]
