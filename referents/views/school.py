"""The head's page of his school's référent: candidatures to decide (appoint, decline),
the appointment to end, the shared mission, the month's instalments and *service fait*.
Parse, check scope (a 404 outside it), call a service, render.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from referents import services
from referents.errors import ReferentError
from referents.forms import (
    AppointForm,
    DeclineForm,
    EndForm,
    MissionShareForm,
    MonthForm,
)
from referents.lookups import headed_school_or_404
from referents.models import (
    AllowanceInstalment,
    Appointment,
    SchoolMission,
)
from referents.permissions import headed_schools
from training.formatting import euros_amount
from training.models import School


def _month(request) -> dt.date:
    form = MonthForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["month"].replace(day=1)
    return timezone.localdate().replace(day=1)


def _school_page(request, school: School, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    appointments = list(
        Appointment.objects.filter(school=school)
        .exclude(state__in=[Appointment.State.ENDED, Appointment.State.DECLINED])
        .select_related("staff__user", "school_year", "scheme")
        .order_by("-school_year__start", "state", "pk")
    )
    for a in appointments:
        if a.state == Appointment.State.VOLUNTEERED:
            a.form = bound.get(("appoint", a.pk)) or AppointForm(
                prefix=f"appoint-{a.pk}", initial={"start": a.start}
            )
            a.decline_form = bound.get(("decline", a.pk)) or DeclineForm(prefix=f"decline-{a.pk}")
        else:
            a.form = bound.get(("end", a.pk)) or EndForm(prefix=f"end-{a.pk}")
    month = _month(request)
    instalments = (
        AllowanceInstalment.objects.filter(appointment__school=school, month=month)
        .select_related("appointment__staff__user")
        .order_by("appointment__staff__user__last_name", "pk")
    )
    ended = (
        Appointment.objects.filter(school=school, state=Appointment.State.ENDED)
        .select_related("staff__user", "school_year")
        .order_by("-end")
    )
    declined = (
        Appointment.objects.filter(school=school, state=Appointment.State.DECLINED)
        .select_related("staff__user", "school_year")
        .order_by("-school_year__start", "pk")
    )
    shared = SchoolMission.is_shared(school)
    return render(
        request,
        "referents/school.html",
        {
            "title": _("Référent numérique — %(school)s") % {"school": school.name},
            "school": school,
            "appointments": appointments,
            "ended": ended,
            "declined": declined,
            "share_form": bound.get("share") or MissionShareForm(initial={"shared": shared}),
            "month": month,
            "month_form": MonthForm(initial={"month": month}),
            "instalments": [(i, euros_amount(i.amount_cents)) for i in instalments],
            "to_confirm": any(i.service_done_at is None for i in instalments),
        },
        status=status,
    )


@login_required
def school_page(request, uai: str | None = None):
    schools = headed_schools(request.user)
    school = get_object_or_404(schools, uai=uai.upper()) if uai is not None else schools.first()
    if school is None:
        raise Http404
    return _school_page(request, school)


def _headed_appointment(request, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.filter(school__in=headed_schools(request.user)).select_related(
            "school"
        ),
        pk=pk,
    )


@login_required
@require_POST
def appoint(request, pk: int):
    appointment = _headed_appointment(request, pk)
    form = AppointForm(request.POST, prefix=f"appoint-{pk}")
    if form.is_valid():
        try:
            services.appoint(
                user=request.user,
                appointment=appointment,
                scheme=form.cleaned_data["scheme"],
                annual_cents=form.annual_cents,
                mission_letter=form.cleaned_data["mission_letter"],
                start=form.cleaned_data["start"],
            )
        except ReferentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                # No civility in the directory: a wording without agreement.
                _("Nomination enregistrée : %(name)s, référent numérique.")
                % {"name": appointment.staff},
            )
            return redirect("referents:school_detail", uai=appointment.school.uai)
    else:
        messages.error(request, _("Vérifiez les informations de la nomination."))
    return _school_page(request, appointment.school, bound={("appoint", pk): form}, status=400)


@login_required
@require_POST
def decline(request, pk: int):
    appointment = _headed_appointment(request, pk)
    form = DeclineForm(request.POST, prefix=f"decline-{pk}")
    if form.is_valid():
        try:
            services.decline(
                user=request.user, appointment=appointment, reason=form.cleaned_data["reason"]
            )
        except ReferentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("La candidature de %(name)s n'est pas retenue.") % {"name": appointment.staff},
            )
            return redirect("referents:school_detail", uai=appointment.school.uai)
    else:
        messages.error(request, _("Indiquez au candidat le motif du refus."))
    return _school_page(request, appointment.school, bound={("decline", pk): form}, status=400)


@login_required
@require_POST
def mission_share(request, uai: str):
    school = headed_school_or_404(request.user, uai)
    form = MissionShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez qui assure la mission."))
        return _school_page(request, school, bound={"share": form}, status=400)
    try:
        services.set_mission_shared(
            user=request.user, school=school, shared=form.cleaned_data["shared"]
        )
    except ReferentError as exc:
        messages.error(request, exc.message)
        return _school_page(request, school, bound={"share": form}, status=409)
    if form.cleaned_data["shared"]:
        messages.success(request, _("La mission peut être partagée entre deux référents."))
    else:
        messages.success(request, _("La mission est confiée à un seul référent."))
    return redirect("referents:school_detail", uai=school.uai)


@login_required
@require_POST
def end(request, pk: int):
    appointment = _headed_appointment(request, pk)
    form = EndForm(request.POST, prefix=f"end-{pk}")
    if form.is_valid():
        try:
            services.end_appointment(
                user=request.user,
                appointment=appointment,
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
            )
        except ReferentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("La mission de %(name)s est terminée.") % {"name": appointment.staff}
            )
            return redirect("referents:school_detail", uai=appointment.school.uai)
    else:
        messages.error(request, _("Indiquez la date et le motif de la fin de mission."))
    return _school_page(request, appointment.school, bound={("end", pk): form}, status=400)


@login_required
@require_POST
def service_done(request, uai: str):
    school = headed_school_or_404(request.user, uai)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le mois."))
        return redirect("referents:school_detail", uai=school.uai)
    month = form.cleaned_data["month"].replace(day=1)
    try:
        count = services.confirm_service_done(user=request.user, school=school, month=month)
    except ReferentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Service fait attesté pour %(month)s : %(count)d mensualité(s).")
            % {"month": month.strftime("%m/%Y"), "count": count},
        )
    url = redirect("referents:school_detail", uai=school.uai).url
    return redirect(f"{url}?month={month:%Y-%m}")
