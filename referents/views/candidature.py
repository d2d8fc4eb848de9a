"""A teacher's candidature as référent numérique of his school (second degré)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from referents import services
from referents.errors import ReferentError
from referents.forms import (
    VolunteerForm,
)
from referents.lookups import school_year_or_404
from referents.models import (
    Appointment,
)
from training.roles import staff_of


@login_required
def candidature(request):
    staff = staff_of(request.user)
    if staff is None or staff.school.degree != 2:
        raise Http404
    year = school_year_or_404()
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
