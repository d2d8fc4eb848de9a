"""The rectorate's audit reports: hours per teacher, school, bassin and académie, by
priority and modality, against the plan's target, and C2i2e progress.

Every report is a function ``report(user, filters) -> DataFrame`` already scoped to what
``user`` may see: the ministry everything, an auditor or a manager his académie, a head
his school; anyone else gets an empty frame (views answer 404 before asking).

The figures are aggregated in SQL (``values().annotate(Sum(...))``): pandas receives one
row per school, priority, competence… and only merges, pivots and rounds. The rows are
independent of the file format: ``training.exports`` writes them as CSV or XLSX, the
dashboards as tables and charts, the API as JSON. Column keys are stable identifiers;
their French headers are in each report's ``labels``.

Totals come from the hours ledger itself (``HoursEntry``), corrections included (they
are negative or adjusting rows), so they agree with each teacher's record
(``training.records.teacher_record``). A person's hours count for the school of his
staff profile.

Other apps add sections through ``register_report`` (``referents/audit.py`` adds the
référents' coverage, allowances and training delivered) so that ``training`` never
imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.models import (
    Academy,
    District,
    Domain,
    Framework,
    HoursEntry,
    HoursTarget,
    ItemEvidence,
    Modality,
    Priority,
    RoleMembership,
    School,
    SchoolKind,
    SchoolYear,
    Staff,
)
from training.permissions import is_national
from training.roles import memberships_of

Role = RoleMembership.Role
C2I2E = "C2i2e-2011"
RECTORATE_ROLES = (Role.AUDITOR, Role.MANAGER)


# --- Filters and scope ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers. Only the school year is required; ``school`` narrows a
    report to one school (the school dashboard)."""

    school_year: SchoolYear
    academy: Academy | None = None
    degree: int | None = None
    district: District | None = None
    school_kind: str | None = None
    priority: Priority | None = None
    school: School | None = None

    def to_json(self) -> dict:
        """Plain ids, for an export job's row or a Celery argument."""
        return {
            "school_year": self.school_year.pk,
            "academy": self.academy.pk if self.academy else None,
            "degree": self.degree,
            "district": self.district.pk if self.district else None,
            "school_kind": self.school_kind or None,
            "priority": self.priority.pk if self.priority else None,
            "school": self.school.pk if self.school else None,
        }

    def to_query(self) -> dict[str, str]:
        """The query parameters ``parse_filters`` reads back."""
        query = {
            "annee": self.school_year.name,
            "academie": self.academy.code if self.academy else "",
            "degre": str(self.degree or ""),
            "bassin": str(self.district.pk if self.district else ""),
            "type": self.school_kind or "",
            "priorite": str(self.priority.pk if self.priority else ""),
            "uai": self.school.uai if self.school else "",
        }
        return {k: v for k, v in query.items() if v}

    @classmethod
    def from_json(cls, data: dict) -> ReportFilters:
        def get(model, key):
            pk = data.get(key)
            return model.objects.get(pk=pk) if pk else None

        return cls(
            school_year=SchoolYear.objects.get(pk=data["school_year"]),
            academy=get(Academy, "academy"),
            degree=data.get("degree") or None,
            district=get(District, "district"),
            school_kind=data.get("school_kind") or None,
            priority=get(Priority, "priority"),
            school=get(School, "school"),
        )


@dataclass(frozen=True)
class Scope:
    """The schools whose figures a person may read."""

    everything: bool = False
    academy_ids: frozenset[int] = frozenset()
    school_ids: frozenset[int] = frozenset()


def parse_filters(user, params, *, academy=None, school=None) -> ReportFilters:
    """Filters from query parameters (``annee``, ``academie``, ``degre``, ``bassin``,
    ``type``, ``priorite``, ``uai``). A malformed value is ignored; a school year that
    does not exist or an académie, bassin or school outside the user's scope is a
    ``TrainingError`` with status 404."""
    from training.errors import TrainingError

    def not_found():
        return TrainingError(
            _("Ce périmètre n'existe pas ou ne vous est pas accessible."), status=404
        )

    def number(name):
        value = str(params.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    year_name = str(params.get("annee") or "").strip()
    if year_name:
        year = SchoolYear.objects.filter(name=year_name).first()
        if year is None:
            raise not_found()
    else:
        year = SchoolYear.objects.current()
        if year is None:
            raise not_found()
    scope = report_scope(user)
    if scope is None:
        raise not_found()
    schools = (
        School.objects.all()
        if scope.everything
        else School.objects.filter(Q(academy_id__in=scope.academy_ids) | Q(pk__in=scope.school_ids))
    )
    code = str(params.get("academie") or "").strip()
    if academy is None and code:
        academy = Academy.objects.filter(code=code).first()
        if academy is None or not schools.filter(academy=academy).exists():
            raise not_found()
    uai = str(params.get("uai") or "").strip().upper()
    if school is None and uai:
        school = schools.filter(uai=uai).first()
        if school is None:
            raise not_found()
    district = None
    if number("bassin"):
        district = District.objects.filter(
            pk=number("bassin"), academy__in=schools.values("academy_id")
        ).first()
        if district is None:
            raise not_found()
    priority = None
    if number("priorite"):
        priority = Priority.objects.filter(pk=number("priorite"), plan__school_year=year).first()
    degree = number("degre")
    kind = str(params.get("type") or "").strip()
    return ReportFilters(
        school_year=year,
        academy=academy,
        degree=degree if degree in (1, 2) else None,
        district=district,
        school_kind=kind if kind in SchoolKind.values else None,
        priority=priority,
        school=school,
    )


def report_scope(user) -> Scope | None:
    """The ministry sees everything, the rectorate (auditors, managers) its académies,
    a head his schools; anyone else nothing (None)."""
    if not user.is_authenticated:
        return None
    if is_national(user):
        return Scope(everything=True)
    memberships = memberships_of(user)
    academies = frozenset(m.academy_id for m in memberships if m.role in RECTORATE_ROLES)
    schools = frozenset(m.school_id for m in memberships if m.role == Role.HEAD)
    if not academies and not schools:
        return None
    return Scope(academy_ids=academies, school_ids=schools)


def school_q(user, filters: ReportFilters, prefix: str = "") -> Q | None:
    """A condition on schools (reached through ``prefix``, e.g. ``"staff__school__"``)
    combining the user's scope and the filters; None when the user may see nothing."""
    scope = report_scope(user)
    if scope is None:
        return None
    q = Q()
    if not scope.everything:
        q = Q(**{f"{prefix}academy_id__in": scope.academy_ids}) | Q(
            **{f"{prefix}pk__in": scope.school_ids}
        )
    for name, value in (
        ("academy_id", filters.academy.pk if filters.academy else None),
        ("degree", filters.degree),
        ("district_id", filters.district.pk if filters.district else None),
        ("kind", filters.school_kind),
        ("pk", filters.school.pk if filters.school else None),
    ):
        if value:
            q &= Q(**{f"{prefix}{name}": value})
    return q


def scoped_schools(user, filters: ReportFilters) -> QuerySet[School]:
    q = school_q(user, filters)
    return School.objects.none() if q is None else School.objects.filter(q)


def ledger(user, filters: ReportFilters) -> QuerySet[HoursEntry]:
    """The hours entries a report sums: the year's, of people of the schools in scope,
    of the chosen priority."""
    q = school_q(user, filters, "staff__school__")
    if q is None:
        return HoursEntry.objects.none()
    entries = HoursEntry.objects.filter(q, school_year=filters.school_year)
    if filters.priority:
        entries = entries.filter(priority=filters.priority)
    return entries


def targets_of(school_year: SchoolYear) -> dict[int, int]:
    """The plan's yearly target in minutes by degree (a degree without one has none)."""
    return dict(
        HoursTarget.objects.filter(plan__school_year=school_year).values_list(
            "degree", "target_minutes"
        )
    )


def _hours(minutes) -> float:
    return round(minutes / 60, 1)


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


# --- Hours by school, bassin, académie ----------------------------------------------------

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
        return _frame([], SCHOOL_COLUMNS)
    schools = _frame(
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
    frame = _grouped(hours_by_school(user, filters), ["academy"])
    return frame[["academy", "schools", "staff", "minutes", "hours", "hours_per_staff"]]


# --- Hours by priority and modality -----------------------------------------------------


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
    frame = _frame(data, ["code", "priority", "people", "minutes"])
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
    frame = _frame(data, ["code", "modality", "people", "minutes"])
    frame["hours"] = (frame["minutes"] / 60).round(1)
    return frame


# --- Against the target -------------------------------------------------------------------


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
        return _frame([], columns)
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
    frame = _frame(
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


# --- Hours by teacher (large: written in chunks) -------------------------------------------

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
    staff = _frame(
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
        return _frame([], TEACHER_COLUMNS)
    return pd.concat(chunks, ignore_index=True)


# --- C2i2e -------------------------------------------------------------------------------


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
    validated = _frame(
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
    return _frame(rows, columns)


def c2i2e_distribution(user, filters: ReportFilters) -> pd.DataFrame:
    """How many people have 0, 1, … validated items, and how many of them are eligible
    for certification (enough items in all and in each competence)."""
    columns = ["validated_items", "people", "eligible"]
    framework, domains, people, validated = _c2i2e_rows(user, filters)
    if framework is None:
        return _frame([], columns)
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
    counts = totals.value_counts().to_dict()
    counts[0] = counts.get(0, 0) + people - len(totals)
    eligible_counts = totals[eligible].value_counts().to_dict()
    return _frame(
        (
            (n, int(counts.get(n, 0)), int(eligible_counts.get(n, 0)))
            for n in range(total_items + 1)
        ),
        columns,
    )


# --- Registry -------------------------------------------------------------------------------

Builder = Callable[[object, ReportFilters], pd.DataFrame]


@dataclass
class ReportSpec:
    key: str
    title: object  # a lazy translation
    builder: Builder
    labels: dict[str, object] = field(default_factory=dict)
    # For large reports: chunks of rows, and a cheap count of them.
    chunks: Callable[..., Iterator[pd.DataFrame]] | None = None
    count: Callable[[object, ReportFilters], int] | None = None
    # For the dashboards: the column naming the bars and the one measuring them.
    chart: tuple[str, str] | None = None

    def iter_frames(self, user, filters: ReportFilters, chunk_size: int = 5000):
        if self.chunks is not None:
            yield from self.chunks(user, filters, chunk_size=chunk_size)
        else:
            yield self.builder(user, filters)

    def header(self, columns) -> list[str]:
        return [str(self.labels.get(c, c)) for c in columns]


REGISTRY: dict[str, ReportSpec] = {}


def register_report(key: str, title, builder: Builder, **options) -> ReportSpec:
    """Add a report (other apps add theirs from their ``ready()``)."""
    spec = ReportSpec(key=key, title=title, builder=builder, **options)
    REGISTRY[key] = spec
    return spec


L = gettext_lazy
LABELS = {
    "academy": L("Académie"),
    "district": L("Bassin ou circonscription"),
    "uai": L("UAI"),
    "school": L("Établissement"),
    "kind": L("Type"),
    "degree": L("Degré"),
    "staff": L("Personnels"),
    "schools": L("Établissements"),
    "minutes": L("Minutes"),
    "hours": L("Heures"),
    "hours_per_staff": L("Heures par personne"),
    "code": L("Code"),
    "priority": L("Priorité"),
    "modality": L("Modalité"),
    "people": L("Personnes formées"),
    "with_target": L("Avec objectif"),
    "reached": L("Objectif atteint"),
    "behind": L("En retard"),
    "rate": L("Taux d'atteinte (%)"),
    "staff_id": L("Identifiant agent"),
    "last_name": L("Nom"),
    "first_name": L("Prénom"),
    "target_hours": L("Objectif (h)"),
    "missing_hours": L("Manque (h)"),
    "competence": L("Compétence"),
    "items": L("Items"),
    "required": L("Items requis"),
    "validated": L("Items validés"),
    "people_started": L("Personnes avec un item validé"),
    "people_ok": L("Personnes au minimum requis"),
    "validated_items": L("Nombre d'items validés"),
    "eligible": L("Dont éligibles à la certification"),
}

register_report(
    "hours_by_teacher",
    L("Heures par personne"),
    hours_by_teacher,
    labels=LABELS,
    chunks=iter_hours_by_teacher,
    count=count_teachers,
)
register_report(
    "hours_by_school",
    L("Heures par établissement"),
    hours_by_school,
    labels=LABELS,
    count=lambda user, filters: scoped_schools(user, filters).count(),
    chart=("school", "hours"),
)
register_report(
    "hours_by_district",
    L("Heures par bassin"),
    hours_by_district,
    labels=LABELS,
    chart=("district", "hours_per_staff"),
)
register_report(
    "hours_by_academy",
    L("Heures par académie"),
    hours_by_academy,
    labels=LABELS,
    chart=("academy", "hours_per_staff"),
)
register_report(
    "hours_by_priority",
    L("Heures par priorité du plan"),
    hours_by_priority,
    labels=LABELS,
    chart=("priority", "hours"),
)
register_report(
    "hours_by_modality",
    L("Heures par modalité"),
    hours_by_modality,
    labels=LABELS,
    chart=("modality", "hours"),
)
register_report(
    "target_attainment",
    L("Objectif horaire atteint, par bassin"),
    target_attainment,
    labels=LABELS,
    chart=("district", "rate"),
)
register_report(
    "target_by_academy",
    L("Objectif horaire atteint, par académie"),
    target_by_academy,
    labels=LABELS,
    chart=("academy", "rate"),
)
register_report(
    "c2i2e_progress",
    L("C2i2e : progression par compétence"),
    c2i2e_progress,
    labels=LABELS,
    chart=("code", "people_ok"),
)
register_report(
    "c2i2e_distribution",
    L("C2i2e : répartition des items validés"),
    c2i2e_distribution,
    labels=LABELS,
    chart=("validated_items", "people"),
)

__all__ = [
    "REGISTRY",
    "parse_filters",
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
    "register_report",
    "report_scope",
    "scoped_schools",
    "target_attainment",
]
