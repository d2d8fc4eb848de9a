"""Closing a school year, per académie, after a final check of its anomalies.

The rectorate (an auditor or manager of the académie) closes the year for its académie;
the ministry may close it for every académie at once (which also sets
``SchoolYear.closed_at``, the global lock the earlier code knows). From then on every
ledger write of that académie and year is refused: hours and attendance (through
``refuse_if_closed`` in ``training.services.attendance``), competence evidence, and the
allowance instalments of ``referents`` (which call ``is_frozen``).

Which académie a ledger row belongs to: the one that runs the training (the
programme's académie) for hours and attendance, the school's for allowances.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.models import Academy, AcademyYearClosure, Anomaly, RoleMembership, SchoolYear
from training.permissions import is_national
from training.roles import memberships_of
from training.services.anomalies import run_checks

Role = RoleMembership.Role
AUDIT_ROLES = (Role.AUDITOR, Role.MANAGER)


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


# --- Who audits and closes what -------------------------------------------------------


def audited_academies(user) -> QuerySet[Academy]:
    """Académies whose anomalies a person sees and whose years he may close: his own as
    an auditor or manager, all of them for the ministry."""
    if not user.is_authenticated:
        return Academy.objects.none()
    if is_national(user):
        return Academy.objects.all()
    ids = {m.academy_id for m in memberships_of(user) if m.role in AUDIT_ROLES}
    return Academy.objects.filter(pk__in=ids)


def can_close(user, academy: Academy) -> bool:
    return audited_academies(user).filter(pk=academy.pk).exists()


# --- Is a ledger frozen? --------------------------------------------------------------


def closed_at(academy, school_year) -> dt.datetime | None:
    """When the year was closed for this académie (or for all), else ``None``.
    ``academy`` and ``school_year`` may be instances or ids; with ``academy`` None only
    the national closing counts. One query, read fresh (never from a stale instance)."""
    closure = AcademyYearClosure.objects.filter(
        academy_id=_pk(academy), school_year_id=OuterRef("pk")
    ).values("closed_at")[:1]
    row = (
        SchoolYear.objects.filter(pk=_pk(school_year))
        .annotate(academy_closed_at=Subquery(closure))
        .values_list("closed_at", "academy_closed_at")
        .first()
    )
    if row is None:
        return None
    return row[0] or row[1]


def is_frozen(academy, school_year) -> bool:
    """Whether the ledgers of ``academy`` for ``school_year`` are frozen (the year was
    closed for the académie, or nationally). Called by ``referents`` too."""
    return closed_at(academy, school_year) is not None


def frozen_message(academy, school_year, when: dt.datetime) -> str:
    year = school_year if hasattr(school_year, "name") else SchoolYear.objects.get(pk=school_year)
    return _(
        "L'année scolaire %(year)s est close depuis le %(date)s : ses registres "
        "(heures, émargements, compétences, indemnités) ne changent plus."
    ) % {"year": year.name, "date": timezone.localtime(when).strftime("%d/%m/%Y")}


def refuse_if_frozen(academy, school_year) -> None:
    when = closed_at(academy, school_year)
    if when is not None:
        raise TrainingError(frozen_message(academy, school_year, when), status=409)


# --- The final check and the closing --------------------------------------------------


def open_anomalies(academy: Academy, school_year: SchoolYear) -> QuerySet[Anomaly]:
    return Anomaly.objects.open().filter(academy=academy, school_year=school_year)


def _close_one(
    *, user, academy: Academy, school_year: SchoolYear, confirm: bool, now: dt.datetime
) -> AcademyYearClosure:
    existing = AcademyYearClosure.objects.filter(academy=academy, school_year=school_year).first()
    if existing is not None:
        return existing
    remaining = open_anomalies(academy, school_year).count()
    if remaining and not confirm:
        raise TrainingError(
            _(
                "%(count)s anomalie(s) restent ouvertes pour l'académie de %(academy)s : "
                "confirmez la clôture malgré elles, ou corrigez-les d'abord."
            )
            % {"count": remaining, "academy": academy.name},
            status=409,
        )
    closure = AcademyYearClosure(
        academy=academy,
        school_year=school_year,
        closed_at=now,
        closed_by=user,
        open_anomalies=remaining,
    )
    closure.full_clean()
    closure.save()
    return closure


def close_academy_year(
    *,
    user,
    academy: Academy,
    school_year: SchoolYear,
    confirm: bool = False,
    refresh: bool = True,
) -> AcademyYearClosure:
    """Close ``school_year`` for ``academy``. The check runs first (``refresh``) so that
    the count of open anomalies is today's; closing with anomalies left needs
    ``confirm``. Closing twice changes nothing."""
    if not can_close(user, academy):
        raise TrainingError(
            _("Seul le rectorat de l'académie (ou le ministère) clôt son année scolaire."),
            status=403,
        )
    if refresh and not is_frozen(academy, school_year):
        run_checks(academy=academy, school_year=school_year)
    with transaction.atomic():
        # The year row is the lock: two rectorate agents closing at once close once.
        school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
        return _close_one(
            user=user,
            academy=academy,
            school_year=school_year,
            confirm=confirm,
            now=timezone.now(),
        )


def close_year_nationally(
    *, user, school_year: SchoolYear, confirm: bool = False, refresh: bool = True
) -> list[AcademyYearClosure]:
    """The ministry closes the year for every académie (and globally)."""
    if not is_national(user):
        raise TrainingError(
            _("Seul le ministère clôt une année pour toutes les académies."), status=403
        )
    academies = list(Academy.objects.all())
    if refresh:
        for academy in academies:
            if not is_frozen(academy, school_year):
                run_checks(academy=academy, school_year=school_year)
    with transaction.atomic():
        school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
        remaining = Anomaly.objects.open().filter(school_year=school_year)
        closed = AcademyYearClosure.objects.filter(school_year=school_year).values("academy")
        remaining = remaining.exclude(academy__in=closed).count()
        if remaining and not confirm:
            raise TrainingError(
                _(
                    "%(count)s anomalie(s) restent ouvertes dans les académies : confirmez la "
                    "clôture malgré elles, ou faites-les corriger d'abord."
                )
                % {"count": remaining},
                status=409,
            )
        now = timezone.now()
        closures = [
            _close_one(user=user, academy=a, school_year=school_year, confirm=True, now=now)
            for a in academies
        ]
        if school_year.closed_at is None:
            school_year.closed_at = now
            school_year.save(update_fields=["closed_at"])
    return closures


def closures_of(user, school_year: SchoolYear) -> QuerySet[AcademyYearClosure]:
    return AcademyYearClosure.objects.filter(
        Q(academy__in=audited_academies(user)), school_year=school_year
    ).select_related("academy", "closed_by")
