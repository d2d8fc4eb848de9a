"""The référent's dashboard: his year, his mission logs (and the form to add one), his
instalments.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from referents import services
from referents.errors import ReferentError
from referents.forms import (
    MissionLogForm,
)
from referents.models import (
    Appointment,
)
from referents.reports.activity import referent_dashboard
from training.formatting import duration, euros_amount
from training.roles import staff_of


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
            "annual": euros_amount(appointment.annual_cents) if appointment.annual_cents else None,
            "form": form,
            "logs": data.logs,
            "by_category": [(label, duration(m)) for _code, label, m in data.by_category],
            "sessions": data.sessions,
            "instalments": [(i, euros_amount(i.amount_cents)) for i in data.instalments],
        },
        status=status,
    )
