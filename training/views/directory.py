"""HTML pages of ``training``: parse, check permission, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from training import permissions, readiness, services, worklist
from training.errors import TrainingError
from training.forms import ApiTokenForm, SchoolForm
from training.models import ApiToken
from training.roles import roles_of, staff_of
from training.tables import SchoolTable


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. No database access, so a database outage does not
    make the orchestrator kill healthy web workers."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def readyz(request):
    """Readiness, for a load balancer: 200 when the database, the cache and the broker
    answer, 503 naming the one that does not (``training/readiness.py``)."""
    results = readiness.checks()
    ready = all(results.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "failed" for name, ok in results.items()},
        },
        status=200 if ready else 503,
    )


def home(request):
    context = {"title": _("Accueil")}
    if request.user.is_authenticated:
        context = {
            "title": _("Accueil"),
            "roles": roles_of(request.user),
            "staff": staff_of(request.user),
            "tasks": worklist.tasks_for(request.user),
        }
    return render(request, "training/home.html", context)


@login_required
def account(request):
    new_token = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, new_token = services.create_api_token(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except TrainingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Jeton « %(name)s » créé. Copiez-le maintenant : il ne sera plus affiché.")
                    % {"name": token.name},
                )
                form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    context = {
        "title": _("Mon compte"),
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user),
        "roles": roles_of(request.user),
        "staff": staff_of(request.user),
    }
    response = render(request, "training/account.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, user=request.user, pk=token_id)
    services.revoke_api_token(token=token)
    messages.success(request, _("Jeton « %(name)s » révoqué.") % {"name": token.name})
    return redirect("training:account")


@login_required
def school_list(request):
    schools = permissions.visible_schools(request.user).select_related("academy", "district")
    query = request.GET.get("q", "").strip()
    schools = schools.search(query)
    table = SchoolTable(schools)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "training/school_list.html",
        {
            "title": _("Établissements"),
            "table": table,
            "query": query,
            "can_create": permissions.managed_academies(request.user).exists(),
        },
    )


@login_required
def school_detail(request, uai: str):
    school = get_object_or_404(
        permissions.visible_schools(request.user).select_related("academy", "district"),
        uai=uai.upper(),
    )
    staff = (
        permissions.visible_staff(request.user)
        .filter(school=school)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return render(
        request,
        "training/school_detail.html",
        {"title": f"{school.name} ({school.uai})", "school": school, "staff": staff},
    )


@login_required
def school_create(request):
    academies = permissions.managed_academies(request.user)
    if not academies.exists():
        raise PermissionDenied
    form = SchoolForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school = services.create_school(
                user=request.user,
                academy=data["academy"],
                uai=data["uai"],
                name=data["name"],
                kind=data["kind"],
                district=data["district"],
                city=data["city"],
            )
        except TrainingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Établissement %(name)s créé.") % {"name": school.name})
            return redirect("training:school_detail", uai=school.uai)
    return render(
        request, "training/school_form.html", {"title": _("Nouvel établissement"), "form": form}
    )
