"""The référent's mission letter, as a page and as a PDF (``training.documents``): the
référent himself, his head, the rectorate (``visible_appointments``); anyone else 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.lookups import visible_appointment_or_404
from referents.models import Appointment
from training import documents
from training.formatting import euros

TEMPLATE = "referents/mission_letter.html"


def _context(request, pk: int) -> dict:
    appointment = visible_appointment_or_404(request.user, pk)
    if appointment.state not in (Appointment.State.APPOINTED, Appointment.State.ENDED):
        raise Http404  # a candidature has no letter yet
    return {
        "title": _("Lettre de mission du référent numérique"),
        "appointment": appointment,
        "annual": euros(appointment.annual_cents) if appointment.annual_cents else "",
        "today": timezone.localdate(),
        "pdf_url": reverse("referents:mission_letter_pdf", args=[appointment.pk]),
    }


@login_required
def mission_letter(request, pk: int):
    return render(request, TEMPLATE, _context(request, pk))


@login_required
def mission_letter_pdf(request, pk: int):
    context = _context(request, pk)
    appointment = context["appointment"]
    name = f"lettre-de-mission-{appointment.school.uai}-{appointment.school_year.name}.pdf"
    return documents.pdf_response(request, TEMPLATE, context, name)
