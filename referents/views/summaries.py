"""The académie's pages on its référents: the yearly summary per bassin (coverage,
allowance committed and paid against the envelope, mission hours; CSV too) and the
network directory of appointed référents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from referents.lookups import school_year_or_404
from referents.models import Appointment
from referents.reports.summaries import (
    CATEGORIES,
    AcademySummary,
    BassinRow,
    academy_summaries,
    network_academies,
    rectorate_academies,
)
from training.formatting import euros, euros_figure, hours, hours_value
from training.models import District, SchoolYear
from training.spreadsheets import CSV, file_response


def _short(category) -> str:
    """A column's header: the mission's number (« 1a »), or « Formation dispensée »."""
    return category.label if category == CATEGORIES.TRAINING else category.value


def _cells(row: BassinRow) -> list:
    return [
        row.schools,
        row.covered,
        row.coverage,
        euros(row.committed_cents),
        euros(row.paid_cents),
        [hours(row.minutes[code]) if row.minutes.get(code) else "—" for code in CATEGORIES.values],
    ]


@login_required
def summary(request):
    """Auditors' and managers' yearly summary of the référents per bassin
    (``?annee=2010-2011``, ``?format=csv``); anyone else: 404."""
    academies = rectorate_academies(request.user)
    if academies is None:
        raise Http404
    year = school_year_or_404(request.GET.get("annee"))
    summaries = academy_summaries(request.user, academies, year)
    if request.GET.get("format") == "csv":
        return _summary_csv(summaries, year)
    return render(
        request,
        "referents/summary.html",
        {
            "title": _("Référents numériques : synthèse académique"),
            "school_year": year,
            "years": SchoolYear.objects.order_by("-start"),
            "categories": [(_short(c), c.label) for c in CATEGORIES],
            "summaries": [
                {
                    "academy": s.academy,
                    "envelope": euros(s.envelope_cents) if s.envelope_cents is not None else None,
                    "remaining": (
                        euros(s.remaining_cents) if s.remaining_cents is not None else None
                    ),
                    "rows": [(r.name, *_cells(r)) for r in s.rows],
                    "total": _cells(s.total),
                }
                for s in summaries
            ],
        },
    )


def _summary_csv(summaries: list[AcademySummary], year: SchoolYear) -> HttpResponse:
    rows = [
        [
            _("Académie"),
            _("Bassin"),
            _("Établissements"),
            _("Avec référent"),
            _("Couverture (%)"),
            _("Engagé (€)"),
            _("Versé (€)"),
            _("Enveloppe (€)"),
            _("Reste (€)"),
            *[_("Heures %(code)s") % {"code": _short(c)} for c in CATEGORIES],
        ]
    ]

    def amount(cents: int | None) -> str | None:
        return None if cents is None else euros_figure(cents)

    for s in summaries:
        for r in [*s.rows, s.total]:
            is_total = r not in s.rows
            rows.append(
                [
                    s.academy.name,
                    _("Total") if is_total else r.name,
                    r.schools,
                    r.covered,
                    r.coverage,
                    amount(r.committed_cents),
                    amount(r.paid_cents),
                    amount(s.envelope_cents) if is_total else None,
                    amount(s.remaining_cents) if is_total else None,
                    *[hours_value(r.minutes.get(code, 0)) for code in CATEGORIES.values],
                ]
            )
    return file_response(rows, CSV, f"synthese-referents-{year.name}")


@login_required
def directory(request):
    """The académie's appointed référents (``?bassin=<id>``), for the rectorate and the
    référents themselves; anyone else: 404."""
    academies = network_academies(request.user)
    if academies is None:
        raise Http404
    year = school_year_or_404(request.GET.get("annee"))
    appointments = (
        Appointment.objects.filter(
            school__academy__in=academies,
            school_year=year,
            state=Appointment.State.APPOINTED,
        )
        .select_related("staff__user", "school__district")
        .order_by("school__district__name", "school__name", "staff__user__last_name")
    )
    bassins = District.objects.filter(academy__in=academies, kind=District.Kind.BASSIN).order_by(
        "name"
    )
    bassin = request.GET.get("bassin", "")
    if bassin.isdigit():
        appointments = appointments.filter(school__district_id=int(bassin))
    return render(
        request,
        "referents/directory.html",
        {
            "title": _("Réseau des référents numériques"),
            "school_year": year,
            "appointments": appointments,
            "bassins": bassins,
            "bassin": bassin,
        },
    )
