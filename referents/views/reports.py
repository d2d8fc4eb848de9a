"""A school's annual activity report of its référent, printable or as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from referents.lookups import readable_school_or_404, school_year_or_404
from referents.reports.activity import ActivityReport, school_activity
from training import documents
from training.formatting import euros, euros_figure, hours, hours_value
from training.models import SchoolYear
from training.spreadsheets import CSV, file_response


@login_required
def report(request, uai: str):
    """The school's activity report for a year (``?annee=2010-2011``), printable, as
    CSV (``?format=csv``) or as a PDF document (``?format=pdf``). Outside the reader's
    scope: 404."""
    school = readable_school_or_404(request.user, uai)
    year = school_year_or_404(request.GET.get("annee"))
    data = school_activity(school, year)
    if request.GET.get("format") == "csv":
        return _report_csv(data)
    context = {
        "title": _("Rapport d'activité du référent numérique"),
        "report": data,
        "committed": euros(data.committed_cents),
        "paid": euros(data.paid_cents),
        "missions": [(label, count, hours(m)) for label, count, m in data.missions],
        "training": [{**row, "hours": hours(row["minutes"])} for row in data.training],
        "years": SchoolYear.objects.order_by("-start"),
        "today": timezone.localdate(),
    }
    if request.GET.get("format") == "pdf":
        name = f"rapport-referent-{school.uai}-{year.name}.pdf"
        return documents.pdf_response(request, "referents/report_document.html", context, name)
    return render(request, "referents/report.html", context)


def _report_csv(data: ActivityReport):
    rows = [[_("Rubrique"), _("Libellé"), _("Nombre"), _("Heures")]]
    for label, count, minutes in data.missions:
        rows.append([_("Missions"), label, count, hours_value(minutes)])
    for row in data.training:
        rows.append(
            [
                _("Formation dispensée"),
                str(row["session"]),
                row["participants"],
                hours_value(row["minutes"]),
            ]
        )
    rows.append([_("Collègues concernés"), "", data.colleagues_reached, ""])
    rows.append([_("Indemnité versée (€)"), "", euros_figure(data.paid_cents), ""])
    filename = f"rapport-referent-{data.school.uai}-{data.school_year.name}"
    return file_response(rows, CSV, filename)
