"""School training plans: the teacher's needs, the school's plan (référent and head),
and the rectorate's list with each plan's realisation. Parse, check scope, call a
service, render.

Every plan, line or need is looked up through the scopes of
``training.services.school_plans``: outside them, a 404. What one may see but not do
is refused by the service, shown as an error message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from training import permissions
from training.errors import TrainingError
from training.formatting import hours, hours_value
from training.forms import CommentForm, LineForm, NeedForm
from training.models import SchoolPlan, SchoolPlanLine, SchoolYear
from training.permissions import is_national
from training.realisation import plan_realisation, plans_realisation
from training.roles import staff_of
from training.services import school_plans as services
from training.services.school_plans import LineData

Status = SchoolPlan.Status


def _year(request) -> SchoolYear:
    name = request.GET.get("annee") or request.POST.get("annee")
    if name:
        year = SchoolYear.objects.filter(name=name).first()
        if year is not None:
            return year
    year = SchoolYear.objects.current()
    if year is None:
        raise Http404
    return year


def _visible_plan(request, pk: int) -> SchoolPlan:
    return get_object_or_404(
        permissions.visible_plans(request.user).select_related(
            "school__academy", "school__district", "school_year", "approved_by"
        ),
        pk=pk,
    )


def _plan_url(plan: SchoolPlan) -> str:
    return reverse("training:school_plan_detail", kwargs={"pk": plan.pk})


# --- Teachers' needs ------------------------------------------------------------------


@login_required
def my_needs(request):
    staff = staff_of(request.user)
    if staff is None:
        raise Http404  # the staff's page: an account without a school has none
    year = _year(request)
    form = NeedForm(request.POST or None)
    if request.method == "POST":
        if staff is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_need(
                    user=request.user,
                    school_year=year,
                    theme=data["theme"],
                    description=data["description"],
                    modality=data["modality"],
                    items=data["items"],
                )
            except TrainingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Votre besoin est transmis au référent numérique de votre établissement."),
                )
                return redirect("training:my_needs")
    needs = (
        permissions.visible_needs(request.user)
        .filter(staff__user=request.user, school_year=year)
        .prefetch_related("items")
    )
    return render(
        request,
        "training/school_plans/my_needs.html",
        {
            "title": _("Mes besoins de formation"),
            "form": form,
            "needs": needs,
            "year": year,
            "staff": staff,
        },
    )


@login_required
@require_POST
def withdraw_need(request, pk: int):
    need = get_object_or_404(
        permissions.visible_needs(request.user).filter(staff__user=request.user), pk=pk
    )
    try:
        services.withdraw_need(user=request.user, need=need)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Besoin retiré."))
    return redirect("training:my_needs")


# --- Plans: entry points --------------------------------------------------------------


@login_required
def plans_home(request):
    """The schools whose plan one prepares, and the rectorate's list."""
    schools = list(
        permissions.plan_schools(request.user)
        .filter(pk__in=permissions.drafting_school_ids(request.user))
        .order_by("name")
    )
    rectorate = is_national(request.user) or bool(permissions.rectorate_academy_ids(request.user))
    if len(schools) == 1 and not rectorate:
        return redirect("training:school_plan", uai=schools[0].uai)
    if not schools and not rectorate:
        raise Http404
    return render(
        request,
        "training/school_plans/home.html",
        {"title": _("Plans de formation"), "schools": schools, "rectorate": rectorate},
    )


@login_required
def school_plan(request, uai: str):
    """The school's plan of the year: its latest version one may see, or the offer to
    start it."""
    school = get_object_or_404(permissions.plan_schools(request.user), uai=uai.upper())
    year = _year(request)
    plan = (
        permissions.visible_plans(request.user)
        .filter(school=school, school_year=year)
        .order_by("-version")
        .first()
    )
    if plan is not None:
        return redirect(_plan_url(plan))
    return render(
        request,
        "training/school_plans/no_plan.html",
        {
            "title": _("Plan de formation"),
            "school": school,
            "year": year,
            "years": SchoolYear.objects.order_by("-start"),
            "can_draft": permissions.can_draft(request.user, school),
            "needs": _needs(request, school, year),
        },
    )


def _needs(request, school, year):
    return (
        permissions.visible_needs(request.user)
        .filter(school=school, school_year=year)
        .select_related("staff__user")
        .prefetch_related("items")
        .order_by("-created_at")
    )


@login_required
@require_POST
def plan_create(request, uai: str):
    school = get_object_or_404(permissions.plan_schools(request.user), uai=uai.upper())
    year = _year(request)
    try:
        plan = services.create_plan(user=request.user, school=school, school_year=year)
    except TrainingError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("training:school_plan", kwargs={"uai": school.uai}))
    messages.success(request, _("Plan de formation %(year)s créé.") % {"year": year.name})
    return redirect(_plan_url(plan))


# --- Plan page ------------------------------------------------------------------------


@login_required
def plan_detail(request, pk: int):
    plan = _visible_plan(request, pk)
    user = request.user
    can_draft = permissions.can_draft(user, plan.school)
    can_decide = permissions.can_decide(user, plan.school)
    realisation = plan_realisation(plan)
    lines = {
        line.pk: line
        for line in plan.lines.select_related("module", "priority").prefetch_related(
            "target_staff__user"
        )
    }
    rows = []
    for row in realisation.lines:
        row.line = lines[row.line.pk]
        rows.append(
            {
                "r": row,
                "line": row.line,
                "planned": hours(row.planned_minutes),
                "expected": hours(row.expected_minutes),
                "realised": hours(row.realised_minutes),
            }
        )
    versions = permissions.visible_plans(user).filter(
        school=plan.school, school_year=plan.school_year
    )
    editable = plan.is_editable and can_draft
    return render(
        request,
        "training/school_plans/detail.html",
        {
            "title": _("Plan de formation — %(school)s") % {"school": plan.school.name},
            "plan": plan,
            "realisation": realisation,
            "rows": rows,
            "total_expected": hours(realisation.expected_minutes),
            "total_realised": hours(realisation.realised_minutes),
            "editable": editable,
            "can_submit": editable,
            "can_decide": can_decide and plan.status == Status.SUBMITTED,
            "can_open_version": (
                can_draft
                and plan.status == Status.APPROVED
                and not versions.filter(version__gt=plan.version).exists()
            ),
            "line_form": (
                LineForm(school=plan.school, school_year=plan.school_year) if editable else None
            ),
            "comment_form": CommentForm(),
            "events": plan.events.select_related("author"),
            "versions": versions.order_by("version"),
            "needs": _needs(request, plan.school, plan.school_year) if can_draft else None,
        },
    )


def _line_data(form: LineForm) -> LineData:
    data = form.cleaned_data
    return LineData(
        theme=data["theme"],
        module=data["module"],
        priority=data["priority"],
        planned_minutes=form.planned_minutes,
        modality=data["modality"],
        target_staff=list(data["target_staff"]),
    )


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


@login_required
@require_POST
def line_add(request, pk: int):
    plan = _visible_plan(request, pk)
    form = LineForm(request.POST, school=plan.school, school_year=plan.school_year)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_plan_url(plan))
    try:
        services.add_line(user=request.user, plan=plan, data=_line_data(form))
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ligne ajoutée au plan."))
    return redirect(_plan_url(plan))


def _visible_line(request, pk: int) -> SchoolPlanLine:
    return get_object_or_404(
        SchoolPlanLine.objects.filter(plan__in=permissions.visible_plans(request.user))
        .select_related("plan__school", "plan__school_year", "module")
        .prefetch_related("target_staff"),
        pk=pk,
    )


@login_required
def line_edit(request, pk: int):
    line = _visible_line(request, pk)
    plan = line.plan
    if request.method == "POST":
        form = LineForm(request.POST, school=plan.school, school_year=plan.school_year)
        if form.is_valid():
            try:
                services.update_line(user=request.user, line=line, data=_line_data(form))
            except TrainingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Ligne modifiée."))
                return redirect(_plan_url(plan))
    else:
        form = LineForm(
            initial={
                "theme": line.theme,
                "module": line.module_id,
                "priority": line.priority_id,
                "planned_hours": hours_value(line.planned_minutes),
                "modality": line.modality,
                "target_staff": [s.pk for s in line.target_staff.all()],
            },
            school=plan.school,
            school_year=plan.school_year,
        )
    return render(
        request,
        "training/school_plans/line_form.html",
        {"title": _("Modifier une ligne du plan"), "form": form, "line": line, "plan": plan},
    )


@login_required
@require_POST
def line_remove(request, pk: int):
    line = _visible_line(request, pk)
    try:
        services.remove_line(user=request.user, line=line)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ligne supprimée."))
    return redirect(_plan_url(line.plan))


def _transition(request, pk: int, action, success: str, *, new_plan: bool = False):
    plan = _visible_plan(request, pk)
    try:
        result = action(plan)
    except TrainingError as exc:
        messages.error(request, exc.message)
        return redirect(_plan_url(plan))
    messages.success(request, success)
    return redirect(_plan_url(result if new_plan else plan))


@login_required
@require_POST
def plan_submit(request, pk: int):
    return _transition(
        request,
        pk,
        lambda plan: services.submit_plan(user=request.user, plan=plan),
        _("Plan soumis au chef d'établissement."),
    )


@login_required
@require_POST
def plan_return(request, pk: int):
    comment = request.POST.get("comment", "")
    return _transition(
        request,
        pk,
        lambda plan: services.return_plan(user=request.user, plan=plan, comment=comment),
        _("Plan renvoyé au référent avec votre commentaire."),
    )


@login_required
@require_POST
def plan_approve(request, pk: int):
    comment = request.POST.get("comment", "")
    return _transition(
        request,
        pk,
        lambda plan: services.approve_plan(user=request.user, plan=plan, comment=comment),
        _("Plan approuvé."),
    )


@login_required
@require_POST
def plan_new_version(request, pk: int):
    return _transition(
        request,
        pk,
        lambda plan: services.open_new_version(user=request.user, plan=plan),
        _("Nouvelle version ouverte : modifiez-la puis soumettez-la."),
        new_plan=True,
    )


# --- Rectorate ------------------------------------------------------------------------

PAGE_SIZE = 50


@login_required
def academy_plans(request):
    """Submitted and approved plans of the académie (all académies for the ministry),
    with how much of each was realised."""
    user = request.user
    if not (is_national(user) or permissions.rectorate_academy_ids(user)):
        raise Http404
    year = _year(request)
    status = request.GET.get("etat", "")
    text = request.GET.get("q", "").strip()
    plans = (
        permissions.visible_plans(user)
        .filter(school_year=year, status__in=SchoolPlan.PUBLISHED)
        .select_related("school__academy", "school__district", "school_year")
        .annotate(line_count=Count("lines"), planned=Sum("lines__planned_minutes"))
        .order_by("school__academy__code", "school__name", "version")
    )
    if status in SchoolPlan.PUBLISHED:
        plans = plans.filter(status=status)
    if text:
        plans = plans.filter(Q(school__name__icontains=text) | Q(school__uai__iexact=text))
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    realisation = plans_realisation(on_page)
    rows = [(plan, realisation[plan.pk]) for plan in on_page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/school_plans/academy_list.html",
        {
            "title": _("Plans de formation des établissements"),
            "rows": rows,
            "page": page,
            "year": year,
            "years": SchoolYear.objects.order_by("-start"),
            "status": status,
            "statuses": [(s, SchoolPlan.Status(s).label) for s in SchoolPlan.PUBLISHED],
            "q": text,
            "query": query.urlencode(),
            "national": is_national(user),
        },
    )
