"""The rectorate builds its catalogue here: the dispositifs (programmes) of a school year
with their modules, and the forms that create and change them (sessions have their own
editor, ``views/management.py``). Parse, check permission, call a service, render.

Only the managers of an académie, and the ministry, open these pages: for anyone else,
as for a dispositif or a module of an académie one does not manage, a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from training import permissions, services
from training.errors import TrainingError
from training.formatting import hours
from training.forms import ModuleForm, ProgrammeForm
from training.models import Academy, Module, Programme, SchoolYear

PER_PAGE = 25
# A service's refusal of a model field, shown next to the form's field that typed it.
FORM_FIELD_OF = {
    "planned_in_person_minutes": "in_person_hours",
    "planned_online_minutes": "online_hours",
}


def _managed_academies(request) -> QuerySet[Academy]:
    academies = permissions.managed_academies(request.user)
    if not academies.exists():
        raise Http404
    return academies


def _year(request) -> tuple[SchoolYear, list[SchoolYear]]:
    """The school year asked for (``annee=2010-2011``), else the current one."""
    years = list(SchoolYear.objects.order_by("-start"))
    chosen = request.GET.get("annee")
    for year in years:
        if year.name == chosen:
            return year, years
    current = SchoolYear.objects.current()
    if current is None:
        raise Http404
    return current, years


def _academy(academies: QuerySet[Academy], code: str | None) -> Academy | None:
    """The académie asked for (``academie=25``) among those one manages; the only one if
    there is a single one; ``None`` means all of them."""
    if code:
        academy = academies.filter(code=code).first()
        if academy is None:
            raise Http404
        return academy
    listed = list(academies[:2])
    return listed[0] if len(listed) == 1 else None


def _list_url(year: SchoolYear, academy: Academy | None = None, anchor: str = "") -> str:
    params = {"annee": year.name}
    if academy is not None:
        params["academie"] = academy.code
    url = f"{reverse('training:programme_list')}?{urlencode(params)}"
    return f"{url}#{anchor}" if anchor else url


def _managed_programme(request, pk: int) -> Programme:
    programmes = Programme.objects.filter(academy__in=_managed_academies(request))
    return get_object_or_404(programmes.select_related("academy", "school_year", "priority"), pk=pk)


def _managed_module(request, pk: int) -> Module:
    modules = Module.objects.filter(programme__academy__in=_managed_academies(request))
    return get_object_or_404(
        modules.select_related("programme__academy", "programme__school_year"), pk=pk
    )


def _refused(form, exc: TrainingError | ValidationError) -> None:
    """A service's refusal on the form: a model field's next to that field."""
    if isinstance(exc, TrainingError):
        form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = FORM_FIELD_OF.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def programme_list(request):
    academies = _managed_academies(request)
    year, years = _year(request)
    academy = _academy(academies, request.GET.get("academie"))
    programmes = Programme.objects.filter(school_year=year, academy__in=academies)
    if academy is not None:
        programmes = programmes.filter(academy=academy)
    programmes = (
        programmes.select_related("academy", "priority")
        .prefetch_related(
            Prefetch(
                "modules",
                queryset=Module.objects.select_related("parcours").prefetch_related("items"),
            )
        )
        .order_by("academy__name", "code", "pk")
    )
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    for programme in page.object_list:
        for module in programme.modules.all():
            module.in_person = hours(module.planned_in_person_minutes)
            module.online = hours(module.planned_online_minutes)
    query = request.GET.copy()
    query.pop("page", None)
    new_params = {"annee": year.name, **({"academie": academy.code} if academy else {})}
    return render(
        request,
        "training/programmes/list.html",
        {
            "title": _("Dispositifs et modules"),
            "page": page,
            "year": year,
            "years": years,
            "academy": academy,
            "academies": academies.order_by("name") if academies.count() > 1 else [],
            "new_url": f"{reverse('training:programme_create')}?{urlencode(new_params)}",
            "query": query.urlencode(),
        },
    )


@login_required
def programme_create(request):
    academies = _managed_academies(request)
    year, _years = _year(request)
    academy = _academy(academies, request.GET.get("academie"))
    form = ProgrammeForm(
        request.POST or None,
        school_year=year,
        academies=academies,
        initial={"academy": academy},
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(
                user=request.user,
                academy=form.cleaned_data["academy"],
                school_year=year,
                **form.programme_fields(),
            )
        except (TrainingError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Dispositif « %(programme)s » créé : ajoutez-lui ses modules.")
                % {"programme": programme},
            )
            return redirect(_list_url(year, academy, f"programme-{programme.pk}"))
    return render(
        request,
        "training/programmes/programme_form.html",
        {
            "title": _("Nouveau dispositif"),
            "form": form,
            "programme": None,
            "year": year,
            "back_url": _list_url(year, academy),
        },
    )


@login_required
def programme_edit(request, pk: int):
    programme = _managed_programme(request, pk)
    year = programme.school_year
    # Read before the form is bound: a refused change must not show in the heading.
    name, back_url = str(programme), _list_url(year, programme.academy, f"programme-{pk}")
    form = ProgrammeForm(request.POST or None, instance=programme, school_year=year)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(
                user=request.user, programme=programme, **form.programme_fields()
            )
        except (TrainingError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Dispositif modifié."))
            return redirect(back_url)
    return render(
        request,
        "training/programmes/programme_form.html",
        {
            "title": _("Modifier le dispositif"),
            "form": form,
            "programme": programme,
            "programme_name": name,
            "year": year,
            "back_url": back_url,
        },
    )


@login_required
def module_create(request, pk: int):
    programme = _managed_programme(request, pk)
    back_url = _list_url(programme.school_year, programme.academy, f"programme-{pk}")
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.create_module(
                user=request.user, programme=programme, **form.module_fields()
            )
        except (TrainingError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Module « %(module)s » ajouté.") % {"module": module.title})
            return redirect(back_url)
    return render(
        request,
        "training/programmes/module_form.html",
        {
            "title": _("Nouveau module"),
            "form": form,
            "programme": programme,
            "module": None,
            "back_url": back_url,
        },
    )


@login_required
def module_edit(request, pk: int):
    module = _managed_module(request, pk)
    programme = module.programme
    name = module.title
    back_url = _list_url(programme.school_year, programme.academy, f"programme-{programme.pk}")
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        fields = form.module_fields()
        items = fields.pop("items")
        try:
            services.update_module(user=request.user, module=module, items=items, **fields)
        except (TrainingError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Module modifié."))
            return redirect(back_url)
    return render(
        request,
        "training/programmes/module_form.html",
        {
            "title": _("Modifier le module"),
            "form": form,
            "programme": programme,
            "module": module,
            "module_name": name,
            "back_url": back_url,
        },
    )
