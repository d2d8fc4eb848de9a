"""What every audit report starts from: the filters a reader chose (school year,
académie, bassin, school, priority…), the scope of what he may see, and the hours
ledger and schools inside both.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from training.models import (
    Academy,
    District,
    HoursEntry,
    HoursTarget,
    Priority,
    RoleMembership,
    School,
    SchoolKind,
    SchoolYear,
)
from training.permissions import is_national
from training.roles import memberships_of

Role = RoleMembership.Role


C2I2E = "C2i2e-2011"


RECTORATE_ROLES = (Role.AUDITOR, Role.MANAGER)


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


def data_frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)
