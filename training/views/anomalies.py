"""The rectorate's anomaly list and the closing of a school year.

Only auditors and managers of an académie (and the ministry, for all) see these pages:
anyone else gets a 404, as for any object outside his scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from training.errors import TrainingError
from training.models import Academy, AcademyYearClosure, Anomaly, SchoolYear
from training.permissions import is_national
from training.services import anomalies, closing

STATES = {
    "ouvertes": lambda qs: qs.open(),
    "resolues": lambda qs: qs.filter(resolved_at__isnull=False),
    "toutes": lambda qs: qs,
}


def _academies(request):
    academies = closing.audited_academies(request.user)
    if not academies.exists():
        raise Http404
    return academies


def _year(request, default_to_current: bool = True) -> tuple[SchoolYear, list[SchoolYear]]:
    today = timezone.localdate()
    years = list(SchoolYear.objects.filter(start__lte=today).order_by("-start"))
    if not years:
        years = list(SchoolYear.objects.order_by("-start"))
    if not years:
        raise Http404
    chosen = request.GET.get("annee") or request.POST.get("annee")
    for year in years:
        if year.name == chosen:
            return year, years
    current = next((y for y in years if y.start <= today <= y.end), None)
    return (current or years[0]), years


def _academy(academies, code: str | None) -> Academy | None:
    """The académie chosen (``academie=<code>``) among those one audits; the only one
    if there is a single one; ``None`` means all of them."""
    if code:
        academy = academies.filter(code=code).first()
        if academy is None:
            raise Http404
        return academy
    listed = list(academies[:2])
    return listed[0] if len(listed) == 1 else None


@login_required
def anomaly_list(request):
    academies = _academies(request)
    year, years = _year(request)
    academy = _academy(academies, request.GET.get("academie"))
    rows = Anomaly.objects.filter(school_year=year, academy__in=academies)
    if academy is not None:
        rows = rows.filter(academy=academy)
    counts = dict(
        rows.open().order_by().values_list("code").annotate(n=Count("pk")).values_list("code", "n")
    )
    state = request.GET.get("etat") if request.GET.get("etat") in STATES else "ouvertes"
    rows = STATES[state](rows)
    code = request.GET.get("type", "")
    if code:
        rows = rows.filter(code=code)
    rows = rows.select_related("academy").order_by("code", "-found_at", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for anomaly in page.object_list:
        anomaly.label = anomalies.label_of(anomaly.code)
    kinds = [
        {"code": c, "label": anomalies.label_of(c), "count": counts.get(c, 0)}
        for c in anomalies.CHECKS
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/anomalies/list.html",
        {
            "title": _("Anomalies"),
            "page": page,
            "kinds": kinds,
            "code": code,
            "state": state,
            "year": year,
            "years": years,
            "academy": academy,
            "academies": academies if academies.count() > 1 else [],
            "open_total": sum(counts.values()),
            "query": query.urlencode(),
        },
    )


def _closing_url(year: SchoolYear, academy: Academy | None) -> str:
    params = {"annee": year.name}
    if academy is not None:
        params["academie"] = academy.code
    return f"{reverse('training:closing')}?{urlencode(params)}"


@login_required
def closing_page(request):
    """The final check (open anomalies by kind), a button to run the check now, and
    the closing itself, with an explicit confirmation when anomalies remain."""
    user = request.user
    academies = _academies(request)
    year, years = _year(request)
    code = request.POST.get("academie") if request.method == "POST" else None
    academy = _academy(academies, code or request.GET.get("academie"))
    if academy is None and not is_national(user):
        academy = academies.first()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "verifier":
                targets = [academy] if academy is not None else list(academies)
                found = 0
                for target in targets:
                    if not closing.is_frozen(target, year):
                        found += anomalies.run_checks(academy=target, school_year=year).open
                messages.success(
                    request,
                    _("Vérification faite : %(count)s anomalie(s) ouverte(s).") % {"count": found},
                )
            elif action == "cloturer":
                confirm = request.POST.get("confirmer") == "1"
                if academy is None:
                    closing.close_year_nationally(user=user, school_year=year, confirm=confirm)
                    messages.success(
                        request,
                        _("L'année %(year)s est close pour toutes les académies.")
                        % {"year": year.name},
                    )
                else:
                    closing.close_academy_year(
                        user=user, academy=academy, school_year=year, confirm=confirm
                    )
                    messages.success(
                        request,
                        _("L'année %(year)s est close pour l'académie de %(academy)s.")
                        % {"year": year.name, "academy": academy.name},
                    )
            else:
                raise Http404
        except TrainingError as error:
            messages.error(request, error.message)
        return redirect(_closing_url(year, academy))

    scope = Anomaly.objects.open().filter(school_year=year, academy__in=academies)
    if academy is not None:
        scope = scope.filter(academy=academy)
    counts = dict(
        scope.order_by().values_list("code").annotate(n=Count("pk")).values_list("code", "n")
    )
    kinds = [
        {"code": c, "label": anomalies.label_of(c), "count": counts.get(c, 0)}
        for c in anomalies.CHECKS
    ]
    closures = AcademyYearClosure.objects.filter(school_year=year, academy__in=academies)
    if academy is not None:
        closures = closures.filter(academy=academy)
    closures = list(closures.select_related("academy", "closed_by"))
    closed = year.closed_at is not None or (academy is not None and bool(closures))
    return render(
        request,
        "training/anomalies/closing.html",
        {
            "title": _("Clôture de l'année scolaire"),
            "year": year,
            "years": years,
            "academy": academy,
            "academies": academies if academies.count() > 1 else [],
            "kinds": kinds,
            "open_total": sum(counts.values()),
            "closures": closures,
            "closed": closed,
            "national": is_national(user),
            "list_url": f"{reverse('training:anomaly_list')}?{urlencode(_params(year, academy))}",
        },
    )


def _params(year: SchoolYear, academy: Academy | None) -> dict:
    params = {"annee": year.name}
    if academy is not None:
        params["academie"] = academy.code
    return params
