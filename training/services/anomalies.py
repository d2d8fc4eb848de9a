"""Anomalies in the ledgers, found by the nightly scan and listed for the auditor.

A check is a function ``func(academy, school_year)`` yielding ``Finding`` objects; it is
registered with ``register_check(code, label, func)`` (``referents`` registers its own
from ``ready()``, so that ``training`` never imports it). Each built-in check is one
aggregate query over the académie's year (plus the objects it names, fetched in the
same query), never a loop over ledger rows.

``run_checks`` stores the findings as ``Anomaly`` rows, idempotently: a finding still
there is refreshed, a new one created, and an open anomaly no longer found is marked
resolved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.formatting import hours
from training.models import (
    Academy,
    AcademyYearClosure,
    Anomaly,
    Attendance,
    Enrolment,
    HoursEntry,
    Modality,
    SchoolPlan,
    SchoolYear,
    Session,
    Slot,
)


@dataclass(frozen=True)
class Finding:
    code: str
    content_object: models.Model
    message: str
    url: str = ""


CheckFunc = Callable[[Academy, SchoolYear], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    func: CheckFunc


CHECKS: dict[str, Check] = {}


def register_check(code: str, label, func: CheckFunc) -> None:
    CHECKS[code] = Check(code, label, func)


def label_of(code: str) -> str:
    check = CHECKS.get(code)
    return str(check.label) if check else code


def url_for(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class SlotMinutes(models.Func):
    """A timed slot's length in whole minutes, computed in the database."""

    output_field = models.IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL and others
        start, end = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end[0]} - {start[0]})) / 60) AS INTEGER)"
        return sql, (*end[1], *start[1])

    def as_sqlite(self, compiler, connection, **extra):
        start, end = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(ROUND((julianday({end[0]}) - julianday({start[0]})) * 1440) AS INTEGER)"
        return sql, (*end[1], *start[1])


def slot_length(prefix: str = "") -> models.Expression:
    """What a slot may credit: its credited minutes if online work, else its length."""
    return models.Case(
        models.When(
            **{
                f"{prefix}modality": Modality.SELF_PACED,
                f"{prefix}credited_minutes__isnull": False,
            },
            then=F(f"{prefix}credited_minutes"),
        ),
        default=SlotMinutes(F(f"{prefix}start"), F(f"{prefix}end")),
        output_field=models.IntegerField(),
    )


def _ledger(academy: Academy, school_year: SchoolYear):
    return HoursEntry.objects.filter(
        school_year=school_year, slot__session__module__programme__academy=academy
    )


def _first_entries(groups):
    """The first ledger row of each (person, slot) group: the finding's object (the
    ledger is append-only, so it stays the same from one scan to the next)."""
    return (
        HoursEntry.objects.filter(pk__in=groups.values("first"))
        .select_related("staff__user", "slot__session__module")
        .order_by("pk")
    )


def _who(entry: HoursEntry) -> str:
    return entry.staff.full_name


# --- Built-in checks ------------------------------------------------------------------


def hours_without_attendance(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    """Minutes credited to someone for a slot where nobody recorded him present."""
    attended = Attendance.objects.filter(
        slot_id=OuterRef("slot_id"), staff_id=OuterRef("staff_id"), status__in=Attendance.CREDITING
    )
    groups = (
        _ledger(academy, school_year)
        .filter(~Exists(attended))
        .order_by()
        .values("staff_id", "slot_id")
        .annotate(total=Sum("minutes"), first=Min("pk"))
        .filter(total__gt=0)
    )
    totals = {(g["staff_id"], g["slot_id"]): g["total"] for g in groups}
    for entry in _first_entries(groups):
        yield Finding(
            "hours_without_attendance",
            entry,
            _("%(hours)s créditées à %(who)s pour « %(slot)s » sans émargement de présence.")
            % {
                "hours": hours(totals.get((entry.staff_id, entry.slot_id), entry.minutes)),
                "who": _who(entry),
                "slot": entry.slot,
            },
            url_for("training:staff_record", entry.staff_id),
        )


def minutes_over_slot_length(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    """More minutes credited to someone for a slot than the slot lasts."""
    groups = (
        _ledger(academy, school_year)
        .annotate(length=slot_length("slot__"))
        .order_by()
        .values("staff_id", "slot_id", "length")
        .annotate(total=Sum("minutes"), first=Min("pk"))
        .filter(total__gt=F("length"))
    )
    totals = {(g["staff_id"], g["slot_id"]): (g["total"], g["length"]) for g in groups}
    for entry in _first_entries(groups):
        total, length = totals.get((entry.staff_id, entry.slot_id), (0, 0))
        yield Finding(
            "minutes_over_slot_length",
            entry,
            _(
                "%(who)s est crédité de %(total)s min pour « %(slot)s », "
                "qui n'en dure que %(length)s."
            )
            % {"who": _who(entry), "total": total, "slot": entry.slot, "length": length},
            url_for("training:staff_record", entry.staff_id),
        )


def _slots(academy: Academy, school_year: SchoolYear):
    return Slot.objects.filter(
        session__module__programme__academy=academy,
        session__module__programme__school_year=school_year,
    ).select_related("session__module")


def attendance_on_cancelled_slot(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    slots = (
        _slots(academy, school_year)
        .filter(status=Slot.Status.CANCELLED)
        .annotate(
            marked=Count("attendances", filter=Q(attendances__status__in=Attendance.CREDITING))
        )
        .filter(marked__gt=0)
    )
    for slot in slots:
        yield Finding(
            "attendance_on_cancelled_slot",
            slot,
            _("La séance annulée « %(slot)s » porte %(count)s présence(s) émargée(s).")
            % {"slot": slot, "count": slot.marked},
            url_for("training:slot_edit", slot.pk),
        )


def over_capacity_sessions(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    sessions = (
        Session.objects.filter(
            module__programme__academy=academy, module__programme__school_year=school_year
        )
        .select_related("module")
        .annotate(booked=Count("enrolments", filter=Q(enrolments__state=Enrolment.State.BOOKED)))
        .filter(booked__gt=F("capacity"))
    )
    for session in sessions:
        yield Finding(
            "over_capacity",
            session,
            _("La session « %(session)s » compte %(booked)s inscrits pour %(capacity)s places.")
            % {"session": session, "booked": session.booked, "capacity": session.capacity},
            url_for("training:roster", session.pk),
        )


def missing_attendance_sheets(
    academy: Academy, school_year: SchoolYear, now: dt.datetime | None = None
) -> Iterable[Finding]:
    """Timed slots ended more than DUNE_ATTENDANCE_GRACE_DAYS ago, people booked, and an
    empty sheet."""
    days = settings.DUNE_ATTENDANCE_GRACE_DAYS
    slots = Slot.objects.missing_attendance(now=now or timezone.now(), days=days).filter(
        session__module__programme__academy=academy,
        session__module__programme__school_year=school_year,
    )
    for slot in slots.select_related("session__module"):
        yield Finding(
            "missing_attendance",
            slot,
            _("Aucun émargement pour « %(slot)s », terminée depuis plus de %(days)s jours.")
            % {"slot": slot, "days": days},
            url_for("training:attendance_sheet", slot.pk),
        )


def approved_plans_without_lines(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    plans = (
        SchoolPlan.objects.filter(
            school__academy=academy, school_year=school_year, status=SchoolPlan.Status.APPROVED
        )
        .filter(lines__isnull=True)
        .select_related("school")
    )
    for plan in plans:
        yield Finding(
            "plan_without_lines",
            plan,
            _("Le plan de formation de %(school)s (version %(version)s) est approuvé sans ligne.")
            % {"school": plan.school.name, "version": plan.version},
            url_for("training:school_plan_detail", plan.pk),
        )


register_check(
    "hours_without_attendance", gettext_lazy("Heures sans émargement"), hours_without_attendance
)
register_check(
    "attendance_on_cancelled_slot",
    gettext_lazy("Émargement sur une séance annulée"),
    attendance_on_cancelled_slot,
)
register_check(
    "minutes_over_slot_length",
    gettext_lazy("Plus de minutes que la durée de la séance"),
    minutes_over_slot_length,
)
register_check("over_capacity", gettext_lazy("Session en surnombre"), over_capacity_sessions)
register_check(
    "missing_attendance",
    gettext_lazy("Feuille d'émargement manquante"),
    missing_attendance_sheets,
)
register_check(
    "plan_without_lines",
    gettext_lazy("Plan d'établissement approuvé sans ligne"),
    approved_plans_without_lines,
)


# --- The scan -------------------------------------------------------------------------


@dataclass
class ScanResult:
    created: int = 0
    updated: int = 0
    resolved: int = 0
    open: int = 0


def run_checks(
    *, academy: Academy, school_year: SchoolYear, codes: Iterable[str] | None = None
) -> ScanResult:
    """Run the checks for one académie and year and store what they find. Idempotent:
    a second run with the same data changes nothing but ``seen_at``."""
    now = timezone.now()
    codes = list(codes) if codes is not None else list(CHECKS)
    findings: dict[tuple[str, int, int], Finding] = {}
    for code in codes:
        for finding in CHECKS[code].func(academy, school_year):
            content_type = ContentType.objects.get_for_model(finding.content_object)
            key = (finding.code, content_type.pk, finding.content_object.pk)
            findings[key] = finding
    result = ScanResult()
    with transaction.atomic():
        # Locks this académie-year's open findings: two scans at once do not both create.
        existing = {
            (a.code, a.content_type_id, a.object_id): a
            for a in Anomaly.objects.select_for_update()
            .open()
            .filter(academy=academy, school_year=school_year, code__in=codes)
        }
        new, seen, changed = [], [], []
        for key, finding in findings.items():
            anomaly = existing.pop(key, None)
            message, url = finding.message[:500], finding.url[:300]
            if anomaly is None:
                new.append(
                    Anomaly(
                        academy=academy,
                        school_year=school_year,
                        code=key[0],
                        content_type_id=key[1],
                        object_id=key[2],
                        message=message,
                        url=url,
                        found_at=now,
                        seen_at=now,
                    )
                )
            else:
                seen.append(anomaly.pk)
                if (anomaly.message, anomaly.url) != (message, url):
                    anomaly.message, anomaly.url = message, url
                    changed.append(anomaly)
        Anomaly.objects.bulk_update(changed, ["message", "url"], batch_size=500)
        for i in range(0, len(seen), 5000):
            Anomaly.objects.filter(pk__in=seen[i : i + 5000]).update(seen_at=now)
        result.updated = len(seen)
        Anomaly.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        result.created = len(new)
        result.resolved = Anomaly.objects.filter(pk__in=[a.pk for a in existing.values()]).update(
            resolved_at=now
        )
    result.open = result.created + result.updated
    return result


def years_to_scan(today: dt.date | None = None):
    """School years begun and not closed nationally."""
    today = today or timezone.localdate()
    return SchoolYear.objects.filter(start__lte=today, closed_at__isnull=True)


def scan_all(*, academy_ids: Iterable[int] | None = None) -> ScanResult:
    """The nightly job: every académie and year still open (a closed académie-year is
    frozen, its anomalies stay as they were at the closing)."""
    total = ScanResult()
    academies = Academy.objects.all()
    if academy_ids is not None:
        academies = academies.filter(pk__in=list(academy_ids))
    closed = set(AcademyYearClosure.objects.values_list("academy_id", "school_year_id"))
    for year in years_to_scan():
        for academy in academies:
            if (academy.pk, year.pk) in closed:
                continue
            result = run_checks(academy=academy, school_year=year)
            for name in ("created", "updated", "resolved", "open"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
    return total
