"""Attendance (émargement), the hours ledger and C2i2e progress: the trainer's sheet and
the review of online work, a teacher's record and attestations, the validation of
competence items, and the follow-up table of heads, trainers and the rectorate.
Parse, check permission, call a service, render.

A person, slot or session outside the user's scope is a 404; one he may see but not act
on, a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from training import documents, permissions
from training.errors import TrainingError
from training.formatting import hours
from training.forms import DeclareWorkForm
from training.models import (
    Attendance,
    Enrolment,
    Framework,
    HoursEntry,
    HoursTarget,
    Item,
    ItemEvidence,
    Modality,
    RoleMembership,
    SchoolYear,
    Session,
    Slot,
    Staff,
)
from training.records import C2I2E, teacher_record, with_hours
from training.roles import roles_of, staff_of
from training.services import attendance as services
from training.services.attendance import Mark
from training.tables import EXPORT_FORMATS, SuiviTable, export_response
from training.views.catalogue import _back

Role = RoleMembership.Role
Status = Attendance.Status
SHEET_STATUSES = (Status.PRESENT, Status.PARTIAL, Status.ABSENT, Status.EXCUSED)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _visible_session(request, pk: int) -> Session:
    return get_object_or_404(
        permissions.visible_sessions(request.user).select_related("module__programme__academy"),
        pk=pk,
    )


def _visible_slot(request, pk: int) -> Slot:
    return get_object_or_404(
        Slot.objects.filter(session__in=permissions.visible_sessions(request.user)).select_related(
            "session__module__programme__academy", "school"
        ),
        pk=pk,
    )


# --- Attendance sheet and online work -------------------------------------------------


def _sheet_slot(request, pk: int) -> Slot:
    slot = _visible_slot(request, pk)
    if not services.can_take_attendance(request.user, slot.session):
        raise PermissionDenied
    return slot


def _posted_marks(post, existing: dict[int, Attendance], length: int) -> list[Mark]:
    """The rows of the sheet that change something: ``status-<staff id>`` and, for a
    partial presence, ``minutes-<staff id>``. Unchanged rows are left out."""
    marks = []
    for key, status in post.items():
        if not key.startswith("status-") or not status:
            continue
        staff_id = _int(key.removeprefix("status-"))
        if staff_id is None:
            continue
        minutes = _int(post.get(f"minutes-{staff_id}")) if status == Status.PARTIAL else None
        previous = existing.get(staff_id)
        if previous is not None and previous.status == status:
            if status != Status.PARTIAL or previous.minutes == minutes:
                continue
        marks.append(Mark(staff_id=staff_id, status=status, minutes=minutes))
    return sorted(marks, key=lambda m: m.staff_id)


@login_required
def attendance_sheet(request, pk: int):
    slot = _sheet_slot(request, pk)
    session = slot.session
    existing = {a.staff_id: a for a in Attendance.objects.filter(slot=slot)}
    if request.method == "POST":
        if slot.modality == Modality.SELF_PACED:
            raise Http404
        try:
            if request.POST.get("action") == "all_present":
                saved = services.mark_all_present(user=request.user, slot=slot)
            else:
                marks = _posted_marks(request.POST, existing, slot.minutes)
                if not marks:
                    messages.info(request, _("Aucun changement à enregistrer."))
                    return redirect("training:attendance_sheet", pk=slot.pk)
                saved = services.record_attendance(
                    user=request.user,
                    slot=slot,
                    marks=marks,
                    reason=request.POST.get("reason", ""),
                )
        except TrainingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Feuille d'émargement enregistrée (%(n)s ligne(s)).") % {"n": len(saved)},
            )
        return redirect("training:attendance_sheet", pk=slot.pk)

    booked = (
        session.enrolments.booked()
        .select_related("staff__user", "staff__school")
        .order_by("staff__user__last_name", "staff__user__first_name", "pk")
    )
    credited = {
        row["staff"]: row["minutes"]
        for row in HoursEntry.objects.filter(slot=slot)
        .values("staff")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    }
    rows = [
        {
            "staff": e.staff,
            "attendance": existing.get(e.staff_id),
            "credited": hours(credited.get(e.staff_id, 0)),
        }
        for e in booked
    ]
    declarations = (
        Attendance.objects.filter(
            slot__session=session, slot__modality=Modality.SELF_PACED, status=Status.DECLARED
        )
        .select_related("staff__user", "slot__session__module")
        .order_by("slot__start", "staff__user__last_name")
    )
    return render(
        request,
        "training/attendance_sheet.html",
        {
            "title": _("Émargement"),
            "session": session,
            "slot": slot,
            "timed": slot.modality != Modality.SELF_PACED,
            "started": timezone.now() >= slot.start,
            "length": slot.minutes,
            "rows": rows,
            "statuses": [(value, Status(value).label) for value in SHEET_STATUSES],
            "declarations": [
                {"attendance": a, "declared": hours(a.declared_minutes)} for a in declarations
            ],
        },
    )


@login_required
@require_POST
def review_declaration(request, pk: int):
    attendance = get_object_or_404(
        Attendance.objects.filter(
            slot__session__in=permissions.visible_sessions(request.user)
        ).select_related("slot__session__module__programme__academy", "staff__user"),
        pk=pk,
    )
    if not services.can_take_attendance(request.user, attendance.slot.session):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    try:
        services.review_declaration(
            user=request.user,
            attendance=attendance,
            accept=accept,
            reason=request.POST.get("reason", ""),
        )
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        if accept:
            messages.success(
                request,
                _("Travail de %(name)s validé.") % {"name": attendance.staff.full_name},
            )
        else:
            messages.success(
                request,
                _("Déclaration de %(name)s refusée.") % {"name": attendance.staff.full_name},
            )
    return _back(request, "training:attendance_sheet", pk=attendance.slot_id)


@login_required
@require_POST
def declare_work(request, pk: int):
    slot = _visible_slot(request, pk)
    form = DeclareWorkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("training:session_detail", pk=slot.session_id)
    try:
        services.declare_work(user=request.user, slot=slot, minutes=form.cleaned_data["minutes"])
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Travail déclaré : votre formateur le validera pour créditer vos heures.")
        )
    return redirect("training:session_detail", pk=slot.session_id)


# --- A teacher's record ---------------------------------------------------------------


def _own_staff(request) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    return staff


def _other_staff(request, staff_id: int) -> Staff:
    """A person whose record the user may read: in his scope (himself, his school's
    staff for a head, his académie's for the rectorate) or one he trains."""
    staff = get_object_or_404(Staff.objects.select_related("user", "school"), pk=staff_id)
    user = request.user
    if not (
        permissions.visible_staff(user).filter(pk=staff.pk).exists() or services.trains(user, staff)
    ):
        raise Http404
    return staff


def _school_years(request, staff_filter: Q) -> tuple[SchoolYear, list[SchoolYear]]:
    """The years offered by the selector (the current one and those with entries) and
    the one chosen: ``?annee=``, else the current year, else the latest with entries."""
    today = timezone.localdate()
    with_entries = SchoolYear.objects.filter(
        pk__in=HoursEntry.objects.filter(staff_filter).values("school_year")
    )
    years = list(
        SchoolYear.objects.filter(
            Q(pk__in=with_entries.values("pk")) | Q(start__lte=today, end__gte=today)
        ).order_by("-start")
    )
    if not years:
        latest = SchoolYear.objects.order_by("-start").first()
        if latest is None:
            raise Http404
        years = [latest]
    chosen = request.GET.get("annee")
    for year in years:
        if year.name == chosen:
            return year, years
    current = [y for y in years if y.start <= today <= y.end]
    return (current[0] if current else years[0]), years


def _record_page(request, staff: Staff, *, own: bool):
    year, years = _school_years(request, Q(staff=staff))
    record = teacher_record(staff, year)
    modalities = [
        (label, hours(record.by_modality.get(value, 0))) for value, label in Modality.choices
    ]
    sessions, seen = [], set()
    for line in record.lines:
        if line.slot.session_id not in seen:
            seen.add(line.slot.session_id)
            sessions.append(line.slot.session)
    domains = []
    framework = record.c2i2e.framework if record.c2i2e else None
    if framework is not None:
        states = dict(
            ItemEvidence.objects.filter(staff=staff, item__domain__framework=framework).values_list(
                "item_id", "state"
            )
        )
        items = (
            Item.objects.filter(domain__framework=framework)
            .select_related("domain")
            .order_by("domain__order", "order")
        )
        by_domain: dict[str, list] = {}
        for item in items:
            state = states.get(item.pk)
            by_domain.setdefault(item.domain.code, []).append(
                {
                    "item": item,
                    "state": state,
                    "label": ItemEvidence.State(state).label if state else "",
                }
            )
        domains = [
            {"progress": domain, "items": by_domain.get(domain.code, [])}
            for domain in record.c2i2e.domains
        ]
    target = record.target
    return render(
        request,
        "training/record.html",
        {
            "title": _("Mon parcours") if own else _("Parcours de %(name)s") % {"name": staff},
            "staff": staff,
            "own": own,
            "year": year,
            "years": years,
            "record": record,
            "total": hours(record.total_minutes),
            "target": hours(target.target_minutes) if target else None,
            "min_training": hours(target.min_training_minutes) if target else None,
            "missing": hours(record.missing_minutes),
            "by_priority": [(title, hours(minutes)) for title, minutes in record.by_priority],
            "by_modality": modalities,
            "lines": [(line, hours(line.minutes)) for line in record.lines],
            "sessions": sessions,
            "framework": framework,
            "domains": domains,
        },
    )


@login_required
def my_record(request):
    return _record_page(request, _own_staff(request), own=True)


@login_required
def staff_record(request, staff_id: int):
    staff = _other_staff(request, staff_id)
    if staff.user_id == request.user.pk:
        return redirect("training:my_record")
    return _record_page(request, staff, own=False)


@login_required
@require_POST
def position(request):
    _own_staff(request)
    ids = [i for i in (_int(v) for v in request.POST.getlist("items")) if i is not None]
    if not ids:
        messages.error(request, _("Cochez au moins un item que vous pensez maîtriser."))
        return redirect("training:my_record")
    items = Item.objects.filter(pk__in=ids, domain__framework__code=C2I2E)
    try:
        count = services.position_items(user=request.user, items=items)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Positionnement enregistré : %(n)s item(s).") % {"n": count})
    return redirect("training:my_record")


def _attestation(request, staff: Staff, session_pk: int, *, pdf: bool = False, pdf_url=""):
    session = get_object_or_404(
        Session.objects.select_related("module__programme__academy", "host_school"),
        pk=session_pk,
    )
    per_slot = {
        row["slot"]: row["minutes"]
        for row in HoursEntry.objects.filter(staff=staff, slot__session=session)
        .values("slot")
        .annotate(minutes=Sum("minutes"))
        .order_by()
        if row["minutes"] > 0
    }
    if not per_slot:
        raise Http404
    slots = Slot.objects.filter(pk__in=per_slot).select_related("school").order_by("start")
    lines = [(slot, hours(per_slot[slot.pk])) for slot in slots]
    context = {
        "title": _("Attestation de présence"),
        "staff": staff,
        "session": session,
        "lines": lines,
        "total": hours(sum(per_slot.values())),
        "today": timezone.localdate(),
        "pdf_url": pdf_url,
    }
    if pdf:
        name = f"attestation-{staff.staff_id}-{session.module.programme.code}-{session.group}.pdf"
        return documents.pdf_response(request, "training/attestation.html", context, name)
    return render(request, "training/attestation.html", context)


@login_required
def my_attestation(request, session_pk: int):
    url = reverse("training:my_attestation_pdf", args=[session_pk])
    return _attestation(request, _own_staff(request), session_pk, pdf_url=url)


@login_required
def my_attestation_pdf(request, session_pk: int):
    return _attestation(request, _own_staff(request), session_pk, pdf=True)


@login_required
def staff_attestation(request, staff_id: int, session_pk: int):
    url = reverse("training:staff_attestation_pdf", args=[staff_id, session_pk])
    return _attestation(request, _other_staff(request, staff_id), session_pk, pdf_url=url)


@login_required
def staff_attestation_pdf(request, staff_id: int, session_pk: int):
    return _attestation(request, _other_staff(request, staff_id), session_pk, pdf=True)


# --- C2i2e validation by the session's trainers ---------------------------------------


@login_required
def competences(request, pk: int):
    session = _visible_session(request, pk)
    if not permissions.is_trainer_of(request.user, session):
        raise PermissionDenied
    items = list(session.module.items.order_by("domain__order", "order"))
    people = [
        e.staff
        for e in session.enrolments.booked()
        .select_related("staff__user")
        .order_by("staff__user__last_name", "staff__user__first_name", "pk")
    ]
    if request.method == "POST":
        item_ids = {item.pk: item for item in items}
        done, refused = [], []
        for staff in people:
            chosen = {_int(v) for v in request.POST.getlist(f"items-{staff.pk}")}
            picked = [item_ids[i] for i in sorted(chosen - {None}) if i in item_ids]
            if not picked:
                continue
            try:
                count = services.validate_items(
                    user=request.user, staff=staff, items=picked, session=session
                )
            except TrainingError as exc:
                refused.append((staff, exc.message))
            else:
                if count:
                    done.append(f"{staff.full_name} ({count})")
        if done:
            messages.success(request, _("Items validés : %(list)s.") % {"list": ", ".join(done)})
        for staff, reason in refused:
            messages.error(
                request,
                _("Non validé pour %(name)s : %(reason)s")
                % {"name": staff.full_name, "reason": reason},
            )
        if not done and not refused:
            messages.info(request, _("Aucun nouvel item à valider."))
        return redirect("training:competences", pk=session.pk)
    validated = set(
        ItemEvidence.objects.filter(
            staff__in=people, item__in=items, state=ItemEvidence.State.VALIDATED
        ).values_list("staff_id", "item_id")
    )
    rows = [
        {
            "staff": staff,
            "cells": [
                {"item": item, "validated": (staff.pk, item.pk) in validated} for item in items
            ],
        }
        for staff in people
    ]
    return render(
        request,
        "training/competences.html",
        {"title": _("Compétences C2i2e"), "session": session, "items": items, "rows": rows},
    )


# --- Follow-up table ------------------------------------------------------------------

FOLLOW_UP_ROLES = {Role.HEAD, Role.TRAINER, Role.AUDITOR, Role.MANAGER, Role.NATIONAL}


def followed_staff(user):
    """The people whose hours a user follows: his school's staff (head), his académie's
    (auditor, manager), the participants of the sessions he trains (trainer)."""
    trained = Enrolment.objects.filter(state=Enrolment.State.BOOKED, session__trainers=user).values(
        "staff_id"
    )
    return Staff.objects.filter(
        Q(pk__in=permissions.visible_staff(user).exclude(user=user).values("pk"))
        | Q(pk__in=trained)
    )


@login_required
def follow_up(request):
    user = request.user
    if not ({role.code for role in roles_of(user)} & FOLLOW_UP_ROLES):
        raise Http404
    people = followed_staff(user)
    year, years = _school_years(request, Q(staff__in=people))
    uai = request.GET.get("uai", "").strip().upper()
    if uai:
        people = people.filter(school__uai=uai)
    targets = dict(
        HoursTarget.objects.filter(plan__school_year=year).values_list("degree", "target_minutes")
    )
    framework = Framework.objects.filter(code=C2I2E).first()
    total_items = Item.objects.filter(domain__framework=framework).count() if framework else 0
    table = SuiviTable(
        with_hours(people, year).order_by("user__last_name", "user__first_name", "pk"),
        targets=targets,
        total_items=total_items,
    )
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        RequestConfig(request, paginate=False).configure(table)
        return export_response(table, export_format, slugify(f"suivi-{year.name}"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    query = request.GET.copy()
    query.pop("_export", None)
    query.pop("page", None)
    return render(
        request,
        "training/follow_up.html",
        {
            "title": _("Suivi des heures et des compétences"),
            "table": table,
            "year": year,
            "years": years,
            "uai": uai,
            "query": query.urlencode(),
        },
    )
