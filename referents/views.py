"""Référents' pages: candidature, the head's page, the référent's dashboard, payroll.
Parse, check scope (a 404 outside it), call a service, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from referents import services
from referents.errors import ReferentError
from referents.forms import (
    AppointForm,
    DeclineForm,
    EndForm,
    MissionLogForm,
    MissionShareForm,
    MonthForm,
    VolunteerForm,
)
from referents.models import (
    AllowanceInstalment,
    Appointment,
    PayrollExport,
    SchoolMission,
)
from referents.permissions import headed_schools
from referents.reports import duration, referent_dashboard
from training import permissions
from training.formatting import hours
from training.models import School, SchoolYear
from training.roles import staff_of
from training.tables import export_response


def current_school_year() -> SchoolYear:
    """The school year containing today, else the latest one."""
    year = SchoolYear.objects.current()
    if year is None:
        raise Http404
    return year


def euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}".replace(".", ",")


# --- Candidature ----------------------------------------------------------------------


@login_required
def candidature(request):
    staff = staff_of(request.user)
    if staff is None or staff.school.degree != 2:
        raise Http404
    year = current_school_year()
    existing = Appointment.objects.filter(staff=staff, school_year=year).first()
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.volunteer(
                user=request.user, school_year=year, motivation=form.cleaned_data["motivation"]
            )
        except ReferentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Votre candidature est transmise à votre chef d'établissement.")
            )
            return redirect("referents:candidature")
    return render(
        request,
        "referents/candidature.html",
        {
            "title": _("Candidature de référent numérique"),
            "form": form,
            "school": staff.school,
            "school_year": year,
            "appointment": existing,
        },
    )


# --- The head's page --------------------------------------------------------------------


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
            "instalments": [(i, euros(i.amount_cents)) for i in instalments],
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
                _("%(name)s est nommé référent numérique.") % {"name": appointment.staff},
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
    school = get_object_or_404(headed_schools(request.user), uai=uai.upper())
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
    school = get_object_or_404(headed_schools(request.user), uai=uai.upper())
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


# --- The référent's dashboard -----------------------------------------------------------


@login_required
def dashboard(request):
    staff = staff_of(request.user)
    appointment = (
        Appointment.objects.active()
        .filter(staff=staff)
        .select_related("school", "school_year", "scheme", "staff__user")
        .first()
        if staff is not None
        else None
    )
    if appointment is None:
        raise Http404
    form = MissionLogForm(
        request.POST or None,
        school=appointment.school,
        trainer=request.user,
        initial={"date": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_mission(
                    user=request.user,
                    date=data["date"],
                    category=data["category"],
                    minutes=data["minutes"],
                    description=data["description"],
                    colleagues=list(data["colleagues"]),
                    session=data["session"],
                )
            except ReferentError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("Mission enregistrée."))
                return redirect("referents:dashboard")
        else:
            status = 400
    data = referent_dashboard(appointment)
    return render(
        request,
        "referents/dashboard.html",
        {
            "title": _("Mes missions de référent numérique"),
            "appointment": appointment,
            "annual": euros(appointment.annual_cents) if appointment.annual_cents else None,
            "form": form,
            "logs": data.logs,
            "by_category": [(label, duration(m)) for _code, label, m in data.by_category],
            "sessions": data.sessions,
            "instalments": [(i, euros(i.amount_cents)) for i in data.instalments],
        },
        status=status,
    )


# --- Payroll ---------------------------------------------------------------------------


class PayrollTable(tables.Table):
    staff_id = tables.Column(
        verbose_name=gettext_lazy("Identifiant agent"), accessor="appointment__staff__staff_id"
    )
    name = tables.Column(verbose_name=gettext_lazy("Nom"), accessor="appointment__staff")
    uai = tables.Column(verbose_name=gettext_lazy("UAI"), accessor="appointment__school__uai")
    month = tables.Column(verbose_name=gettext_lazy("Mois"))
    amount = tables.Column(verbose_name=gettext_lazy("Montant (€)"), accessor="amount_cents")

    class Meta:
        orderable = False

    def render_name(self, value):
        return value.full_name

    def value_name(self, value):
        return value.full_name

    def render_month(self, value):
        return f"{value:%Y-%m}"

    def value_month(self, value):
        return f"{value:%Y-%m}"

    def render_amount(self, value):
        return euros(value)

    def value_amount(self, value):
        return euros(value)


def _managed_academy(user, code: str | None):
    academies = permissions.managed_academies(user)
    academy = get_object_or_404(academies, code=code) if code else academies.first()
    if academy is None:
        raise Http404
    return academy


@login_required
def payroll(request, code: str | None = None):
    academy = _managed_academy(request.user, code)
    exports = (
        PayrollExport.objects.filter(academy=academy)
        .select_related("created_by")
        .annotate(count=Count("instalments"), total=Sum("instalments__amount_cents"))
    )
    return render(
        request,
        "referents/payroll.html",
        {
            "title": _("Paie des référents numériques — %(academy)s") % {"academy": academy.name},
            "academy": academy,
            "table": PayrollTable(services.pending_payroll(academy)),
            "exports": [(e, euros(e.total or 0)) for e in exports[:24]],
        },
    )


def _payroll_file(export: PayrollExport, export_format: str):
    rows = export.instalments.select_related(
        "appointment__staff__user", "appointment__school"
    ).order_by("appointment__school__uai", "month", "pk")
    stamp = timezone.localtime(export.created_at)
    filename = f"paie-referents-{export.academy.code}-{stamp:%Y%m%d-%H%M%S}"
    return export_response(PayrollTable(rows), export_format, filename)


@login_required
@require_POST
def export(request, code: str):
    """Marks the pending instalments exported (one ``PayrollExport``) and answers the
    file, CSV or XLSX (``format``)."""
    academy = _managed_academy(request.user, code)
    export_format = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
    try:
        payroll_export = services.export_payroll(user=request.user, academy=academy)
    except ReferentError as exc:
        messages.error(request, exc.message)
        return redirect("referents:payroll_academy", code=academy.code)
    return _payroll_file(payroll_export, export_format)


@login_required
def export_file(request, code: str, pk: int, export_format: str):
    """A past export's file again (nothing is marked twice)."""
    if export_format not in ("csv", "xlsx"):
        raise Http404
    academy = _managed_academy(request.user, code)
    payroll_export = get_object_or_404(PayrollExport.objects.filter(academy=academy), pk=pk)
    return _payroll_file(payroll_export, export_format)


# --- Annual activity report -----------------------------------------------------------


@login_required
def report(request, uai: str):
    """The school's activity report for a year (``?annee=2010-2011``), printable, or as
    CSV (``?format=csv``). Outside the reader's scope: 404."""
    from referents.permissions import can_see_school_report
    from referents.reports import school_activity

    school = get_object_or_404(School, uai=uai.upper())
    if not can_see_school_report(request.user, school):
        raise Http404
    name = request.GET.get("annee")
    year = get_object_or_404(SchoolYear, name=name) if name else current_school_year()
    data = school_activity(school, year)
    if request.GET.get("format") == "csv":
        return _report_csv(data)
    return render(
        request,
        "referents/report.html",
        {
            "title": _("Rapport d'activité du référent numérique"),
            "report": data,
            "committed": services.euros(data.committed_cents),
            "paid": services.euros(data.paid_cents),
            "missions": [(label, count, hours(m)) for label, count, m in data.missions],
            "training": [{**row, "hours": hours(row["minutes"])} for row in data.training],
            "years": SchoolYear.objects.order_by("-start"),
        },
    )


def _report_csv(data):
    import csv
    import io

    from django.http import HttpResponse

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Rubrique"), _("Libellé"), _("Nombre"), _("Heures")])
    for label, count, minutes in data.missions:
        writer.writerow([_("Missions"), label, count, f"{minutes / 60:.1f}".replace(".", ",")])
    for row in data.training:
        writer.writerow(
            [
                _("Formation dispensée"),
                str(row["session"]),
                row["participants"],
                f"{row['minutes'] / 60:.1f}".replace(".", ","),
            ]
        )
    writer.writerow([_("Collègues concernés"), "", data.colleagues_reached, ""])
    writer.writerow([_("Indemnité versée (€)"), "", euros(data.paid_cents), ""])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"rapport-referent-{data.school.uai}-{data.school_year.name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
