"""Pages of the heads and the rectorate: the approval queue, the session editor, the
roster and the booking of designated staff. Parse, check permission, call a service,
render.

A session outside the person's scope is a 404; one he may see but not change, a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from training import permissions, services
from training.errors import TrainingError
from training.forms import BookStaffForm, DecisionForm, ReasonForm, SessionForm, SlotForm
from training.models import (
    Academy,
    Enrolment,
    Modality,
    Programme,
    RoleMembership,
    Session,
    Slot,
)
from training.roles import has_role
from training.tables import EXPORT_FORMATS, QueueTable, RosterTable, export_response

HEAD = RoleMembership.Role.HEAD


# --- Approval queue -------------------------------------------------------------------


def _queues(user) -> tuple[bool, bool]:
    """Whether the person decides on requests (a head) and on confirmations (the
    rectorate). Someone with neither has no queue: the pages answer 404."""
    is_head = has_role(user, HEAD)
    is_manager = permissions.managed_academies(user).exists()
    if not (is_head or is_manager):
        raise Http404
    return is_head, is_manager


def _queue_rows(queryset):
    return queryset.select_related(
        "staff__user", "staff__school", "session__module__programme"
    ).annotate(
        first_start=Min(
            "session__slots__start", filter=~Q(session__slots__status=Slot.Status.CANCELLED)
        )
    )


@login_required
def approval_queue(request):
    user = request.user
    is_head, is_manager = _queues(user)
    approvals = confirmations = None
    if is_head:
        approvals = QueueTable(
            _queue_rows(permissions.approval_queue(user)), prefix="a-", prefix_id="approval"
        )
        RequestConfig(request, paginate={"per_page": 100}).configure(approvals)
    if is_manager:
        confirmations = QueueTable(
            _queue_rows(permissions.confirmation_queue(user)), prefix="c-", prefix_id="confirm"
        )
        RequestConfig(request, paginate={"per_page": 100}).configure(confirmations)
    return render(
        request,
        "training/approval_queue.html",
        {
            "title": _("Validations"),
            "approvals": approvals,
            "confirmations": confirmations,
            "reason_form": DecisionForm(),
        },
    )


def _who(enrolment: Enrolment) -> str:
    return _("%(name)s (%(session)s, groupe %(group)s)") % {
        "name": enrolment.staff.full_name,
        "session": enrolment.session.module.title,
        "group": enrolment.session.group,
    }


@login_required
@require_POST
def decide(request):
    user = request.user
    _queues(user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("training:approval_queue")
    action, ids = form.cleaned_data["action"], form.cleaned_data["ids"]
    kwargs = {}
    # Only what is in the person's own queue is acted on: any other id is dropped here,
    # before a service sees it.
    if action == DecisionForm.APPROVE:
        queue, service = permissions.approval_queue(user), services.approve_enrolment
    elif action == DecisionForm.CONFIRM:
        queue, service = permissions.confirmation_queue(user), services.confirm_enrolment
    else:
        queue = permissions.approval_queue(user) | permissions.confirmation_queue(user)
        service = services.decline_enrolment
        kwargs["reason"] = form.cleaned_data["reason"]
    enrolments = list(
        queue.filter(pk__in=ids).select_related("staff__user", "session__module").order_by("pk")
    )
    done, refused = services.bulk(service, user=user, enrolments=enrolments, **kwargs)
    if done:
        lines = ", ".join(f"{_who(e)} : {e.get_state_display()}" for e in done)
        if action == DecisionForm.DECLINE:
            messages.success(request, _("Refusées : %(list)s.") % {"list": lines})
        else:
            messages.success(request, _("Validées : %(list)s.") % {"list": lines})
    for enrolment, reason in refused:
        messages.error(
            request,
            _("Non traitée : %(who)s. %(reason)s") % {"who": _who(enrolment), "reason": reason},
        )
    ignored = len(set(ids)) - len(enrolments)
    if ignored:
        messages.warning(
            request,
            _("%(n)s demande(s) ignorée(s) : elles ne sont pas dans votre file.") % {"n": ignored},
        )
    return redirect("training:approval_queue")


# --- Session editor -------------------------------------------------------------------


def _visible_session(request, pk: int) -> Session:
    return get_object_or_404(
        permissions.visible_sessions(request.user).select_related(
            "module__programme__academy", "host_school", "district"
        ),
        pk=pk,
    )


def _managed_session(request, pk: int) -> Session:
    session = _visible_session(request, pk)
    if not permissions.can_manage_session(request.user, session):
        raise PermissionDenied
    return session


def _managed_slot(request, pk: int) -> Slot:
    slot = get_object_or_404(
        Slot.objects.filter(session__in=permissions.visible_sessions(request.user)).select_related(
            "session__module__programme__academy", "school"
        ),
        pk=pk,
    )
    if not permissions.can_manage_session(request.user, slot.session):
        raise PermissionDenied
    return slot


def _academy_of(session: Session):
    return Academy.objects.filter(pk=session.module.programme.academy_id)


@login_required
def session_create(request):
    academies = permissions.managed_academies(request.user)
    if not academies.exists():
        raise PermissionDenied
    form = SessionForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        data, fields = form.cleaned_data, form.session_fields()
        capacity = fields.pop("capacity")
        try:
            session = services.create_session(
                user=request.user,
                module=data["module"],
                group=data["group"],
                capacity=capacity,
                trainers=form.trainers(),
                first_day=data.get("first_day"),
                **fields,
            )
        except TrainingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Session « %(session)s » créée, en préparation : ajoutez ses séances "
                    "puis publiez-la."
                )
                % {"session": session},
            )
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "title": _("Nouvelle session"), "session": None},
    )


@login_required
def session_edit(request, pk: int):
    session = _managed_session(request, pk)
    form = SessionForm(request.POST or None, instance=session, academies=_academy_of(session))
    if request.method == "POST" and form.is_valid():
        fields = form.session_fields()
        changed = set(form.changed_data)
        if "host_school_uai" in changed:
            changed.add("host_school")
        trainers = None
        if changed & {"trainers", "extra_trainers"}:
            trainers = form.trainers()
        try:
            services.update_session(
                user=request.user,
                session=session,
                trainers=trainers,
                **{name: value for name, value in fields.items() if name in changed},
            )
        except TrainingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Session modifiée."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "title": _("Modifier la session"), "session": session},
    )


@login_required
@require_POST
def session_publish(request, pk: int):
    session = _managed_session(request, pk)
    try:
        services.publish_session(user=request.user, session=session)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Session publiée : elle figure au catalogue."))
    return redirect("training:session_detail", pk=session.pk)


@login_required
def session_cancel(request, pk: int):
    session = _managed_session(request, pk)
    form = ReasonForm(request.POST or None, label=_("Motif de l'annulation"))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_session(
                user=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except TrainingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Session annulée : les inscrits sont prévenus."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/session_cancel.html",
        {"form": form, "session": session, "title": _("Annuler la session")},
    )


def _save_slot(request, form: SlotForm, save) -> bool:
    """Run ``save`` (a service call) with the form's values: a refusal (a conflict
    naming the other slot) goes to the form, holiday warnings to the next page."""
    data = form.cleaned_data
    try:
        result = save(
            override=data.get("override", False),
            override_reason=data.get("override_reason") or "",
            **form.slot_fields(),
        )
    except TrainingError as exc:
        form.add_error(None, exc.message)
        return False
    for warning in result.warnings:
        messages.warning(request, warning)
    return True


@login_required
def slot_create(request, pk: int):
    session = _managed_session(request, pk)
    initial = {"modality": Modality.IN_PERSON}
    if session.host_school_id:
        initial["school_uai"] = session.host_school.uai
    form = SlotForm(request.POST or None, initial=initial, academies=_academy_of(session))
    if request.method == "POST" and form.is_valid():

        def save(**kwargs):
            return services.add_slot(user=request.user, session=session, **kwargs)

        if _save_slot(request, form, save):
            messages.success(request, _("Séance ajoutée."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/slot_form.html",
        {"form": form, "session": session, "slot": None, "title": _("Nouvelle séance")},
    )


@login_required
def slot_edit(request, pk: int):
    slot = _managed_slot(request, pk)
    session = slot.session
    form = SlotForm(
        request.POST or None,
        initial=SlotForm.initial_for(slot),
        academies=_academy_of(session),
    )
    if request.method == "POST" and form.is_valid():

        def save(**kwargs):
            return services.update_slot(user=request.user, slot=slot, **kwargs)

        if _save_slot(request, form, save):
            messages.success(request, _("Séance modifiée : les inscrits sont prévenus."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/slot_form.html",
        {"form": form, "session": session, "slot": slot, "title": _("Modifier la séance")},
    )


@login_required
@require_POST
def slot_cancel(request, pk: int):
    slot = _managed_slot(request, pk)
    try:
        services.cancel_slot(user=request.user, slot=slot)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Séance annulée : les inscrits sont prévenus."))
    return redirect("training:session_detail", pk=slot.session_id)


# --- Roster and designated staff ------------------------------------------------------


@login_required
def roster(request, pk: int):
    session = _visible_session(request, pk)
    if not permissions.can_see_roster(request.user, session):
        raise Http404
    everyone = request.GET.get("tous") == "1"
    enrolments = session.enrolments.select_related("staff__user", "staff__school")
    if not everyone:
        enrolments = enrolments.active()
    table = RosterTable(enrolments)
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        RequestConfig(request, paginate=False).configure(table)
        name = slugify(f"participants-{session.module.code}-{session.group}")
        return export_response(table, export_format, name)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    can_book = permissions.can_manage_session(request.user, session)
    return render(
        request,
        "training/roster.html",
        {
            "title": _("Participants"),
            "session": session,
            "table": table,
            "everyone": everyone,
            "book_form": BookStaffForm(staff_queryset=None) if can_book else None,
        },
    )


@login_required
@require_POST
def book_staff(request, pk: int):
    user = request.user
    session = _visible_session(request, pk)
    # A head books his staff only on a designated session (as the session page offers):
    # elsewhere it would skip his own approval and the rectorate's confirmation.
    designated = session.module.programme.kind == Programme.Kind.DESIGNATED
    if not (permissions.can_manage_session(user, session) or (designated and has_role(user, HEAD))):
        raise PermissionDenied
    form = BookStaffForm(request.POST, staff_queryset=permissions.visible_staff(user))
    if form.is_valid():
        staff = form.cleaned_data["staff_id"]
        try:
            enrolment = services.book_staff(user=user, session=session, staff=staff)
        except TrainingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s : %(state)s.")
                % {"name": staff.full_name, "state": enrolment.get_state_display()},
            )
    else:
        for error in form.errors.get("staff_id", []):
            messages.error(request, error)
    if permissions.can_see_roster(user, session):
        return redirect("training:roster", pk=session.pk)
    return redirect("training:session_detail", pk=session.pk)
