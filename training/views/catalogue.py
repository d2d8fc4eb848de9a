"""Teachers' pages: the catalogue, a session's page, enrolment, « mes formations » and
withdrawal. Parse, check permission, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from training import permissions, services, trail
from training.errors import TrainingError
from training.filters import SessionFilter
from training.formatting import hours
from training.forms import BookStaffForm, ReasonForm
from training.models import Enrolment, Programme, RoleMembership, Session, Slot
from training.roles import has_role, staff_of
from training.tables import (
    CatalogueTable,
    MyEnrolmentTable,
    SlotTable,
    TrainerSessionTable,
    seats_left,
)


def _slots(*related: str) -> Prefetch:
    return Prefetch("slots", queryset=Slot.objects.select_related("school", *related))


def _back(request, default: str, **kwargs):
    """Back to the page the form was on (``next``, when it is one of ours)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, **kwargs)


@login_required
def catalogue(request):
    user = request.user
    is_manager = permissions.managed_academies(user).exists()
    sessions = (
        permissions.catalogue_sessions(user)
        .with_counts()
        .for_catalogue()
        .prefetch_related(_slots())
        .order_by(F("first_slot_start").asc(nulls_last=True), "pk")
    )
    filterset = SessionFilter(request.GET or None, queryset=sessions, request=request)
    mine = {
        e.session_id: e for e in Enrolment.objects.filter(staff__user=user).order_by("created_at")
    }
    table = CatalogueTable(filterset.qs, my_enrolments=mine, show_status=is_manager)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "training/catalogue.html",
        {"filter": filterset, "table": table, "title": _("Catalogue des formations")},
    )


@login_required
def session_detail(request, pk: int):
    user = request.user
    session = get_object_or_404(
        permissions.visible_sessions(user)
        .with_counts()
        .for_catalogue()
        .prefetch_related("module__items", "trainers", _slots("phase")),
        pk=pk,
    )
    staff = staff_of(user)
    enrolment = waitlist_position = None
    if staff is not None:
        enrolment = session.enrolments.filter(staff=staff).order_by("-created_at", "-pk").first()
        if enrolment and enrolment.state == Enrolment.State.WAITLISTED:
            waitlist = list(session.enrolments.waitlist().values_list("pk", flat=True))
            waitlist_position = waitlist.index(enrolment.pk) + 1
    programme = session.module.programme
    open_for_requests = (
        session.status == Session.Status.PUBLISHED
        and programme.kind == Programme.Kind.INDIVIDUAL
        and session.window_is_open()
    )
    can_manage = permissions.can_manage_session(user, session)
    is_trainer = any(trainer.pk == user.pk for trainer in session.trainers.all())
    # Public désigné: the rectorate, or a head for his own staff, books people directly.
    can_designate = session.status != Session.Status.CANCELLED and (
        can_manage
        or (
            programme.kind == Programme.Kind.DESIGNATED and has_role(user, RoleMembership.Role.HEAD)
        )
    )
    slots = SlotTable(list(session.slots.all()), manage=can_manage)
    context = {
        "title": str(session),
        "session": session,
        "programme": programme,
        "slots": slots,
        "seats_left": seats_left(session),
        "in_person_hours": hours(session.module.planned_in_person_minutes),
        "online_hours": hours(session.module.planned_online_minutes),
        "staff": staff,
        "enrolment": enrolment,
        "waitlist_position": waitlist_position,
        "can_enrol": staff is not None
        and open_for_requests
        and not (enrolment and enrolment.is_active)
        and not is_trainer,
        "is_trainer": is_trainer,
        "may_withdraw": session.may_withdraw(),
        "withdrawal_deadline": session.withdrawal_deadline(),
        "open_for_requests": open_for_requests,
        "cancel_form": ReasonForm(label=_("Motif du désistement")),
        "can_manage": can_manage,
        "can_see_roster": permissions.can_see_roster(user, session),
        "book_form": BookStaffForm(staff_queryset=None) if can_designate else None,
        "cancel_session_form": ReasonForm(label=_("Motif de l'annulation")),
        # The trail of the session and its slots, for those who follow it.
        "trail": [
            (entry, trail.action_label(entry), trail.describe(entry))
            for entry in trail.entries_for(session, *session.slots.all())[:50]
        ]
        if permissions.can_see_roster(user, session)
        else None,
    }
    return render(request, "training/session_detail.html", context)


ENROLMENT_MESSAGES = {
    Enrolment.State.APPROVED: gettext_lazy(
        "Inscription validée : votre place vous sera attribuée dès que les dates seront fixées."
    ),
    Enrolment.State.BOOKED: gettext_lazy("Vous êtes inscrit à cette session."),
    Enrolment.State.WAITLISTED: gettext_lazy(
        "La session est complète : vous êtes en liste d'attente."
    ),
}


@login_required
@require_POST
def enrol(request, pk: int):
    session = get_object_or_404(permissions.visible_sessions(request.user), pk=pk)
    staff = staff_of(request.user)
    if staff is None:
        messages.error(
            request,
            _("Votre compte n'est rattaché à aucun établissement : demandez-le au rectorat."),
        )
        return redirect("training:session_detail", pk=session.pk)
    try:
        enrolment = services.request_enrolment(user=request.user, session=session, staff=staff)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        if enrolment.state != Enrolment.State.REQUESTED:
            messages.success(request, str(ENROLMENT_MESSAGES[enrolment.state]))
        elif session.approval == Session.Approval.HEAD_THEN_RECTORATE:
            messages.success(
                request,
                _(
                    "Demande transmise à votre chef d'établissement, puis au rectorat pour "
                    "confirmation. Vous serez prévenu par courriel."
                ),
            )
        else:
            messages.success(
                request,
                _(
                    "Demande transmise à votre chef d'établissement. Vous serez prévenu par "
                    "courriel de sa décision."
                ),
            )
    return redirect("training:session_detail", pk=session.pk)


@login_required
def my_sessions(request):
    """« Sessions que j'anime »: a trainer's sessions, those to come first, with the
    sheets left to fill."""
    sessions = (
        Session.objects.filter(trainers=request.user)
        .exclude(status=Session.Status.CANCELLED)
        .with_counts()
        .with_sheets_to_fill()
        .select_related("module__programme", "host_school")
        .prefetch_related(_slots())
        .order_by(F("first_slot_start").desc(nulls_first=True), "pk")
    )
    if not has_role(request.user, RoleMembership.Role.TRAINER) and not sessions.exists():
        raise Http404
    table = TrainerSessionTable(sessions)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "training/my_sessions.html", {"table": table})


@login_required
def my_training(request):
    if staff_of(request.user) is None:
        raise Http404  # the staff's page: an account without a school has none
    enrolments = (
        Enrolment.objects.filter(staff__user=request.user)
        .select_related("session__module", "session__host_school")
        .prefetch_related(
            Prefetch("session__slots", queryset=Slot.objects.select_related("school"))
        )
        .order_by("-created_at", "-pk")
    )
    table = MyEnrolmentTable(enrolments)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "training/my_training.html",
        {"table": table, "staff": staff_of(request.user), "title": _("Mes formations")},
    )


@login_required
@require_POST
def cancel(request, pk: int):
    # Only one's own enrolment: anyone else's is a 404, as if it did not exist.
    enrolment = get_object_or_404(Enrolment.objects.filter(staff__user=request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif de votre désistement."))
        return _back(request, "training:my_training")
    try:
        services.cancel_enrolment(
            user=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"]
        )
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Votre désistement de « %(session)s » est enregistré.")
            % {"session": enrolment.session},
        )
    return _back(request, "training:my_training")
