"""The rectorate's payroll of référents: confirmed instalments, the export (CSV or XLSX)
that marks them exported once, past exports downloaded again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from referents import services
from referents.errors import ReferentError
from referents.models import (
    PayrollExport,
)
from referents.tables import PayrollTable
from training import permissions
from training.formatting import euros_amount
from training.tables import export_response


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
            "exports": [(e, euros_amount(e.total or 0)) for e in exports[:24]],
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
