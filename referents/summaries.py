"""The académie's view of its référents: the yearly summary per bassin (coverage,
allowance committed and paid against the envelope, mission hours) and the network
directory. Figures are aggregated in SQL, a constant number of queries whatever the
number of schools."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from referents.models import AllowanceInstalment, Appointment, Envelope, MissionLog
from referents.services import euros
from training.formatting import hours
from training.models import Academy, District, RoleMembership, SchoolYear
from training.permissions import is_national, visible_schools
from training.roles import REFERENT, memberships_of, roles_of

Role = RoleMembership.Role
RECTORATE_ROLES = (Role.AUDITOR, Role.MANAGER)
COMMITTED_STATES = (Appointment.State.APPOINTED, Appointment.State.ENDED)
CATEGORIES = MissionLog.Category


def _current_year(request) -> SchoolYear:
    from referents.views import current_school_year

    name = request.GET.get("annee")
    return get_object_or_404(SchoolYear, name=name) if name else current_school_year()


def rectorate_academies(user) -> QuerySet[Academy] | None:
    """The académies whose summary the user may read (auditors, managers, the
    ministry), or None."""
    if not user.is_authenticated:
        return None
    if is_national(user):
        return Academy.objects.all()
    ids = {m.academy_id for m in memberships_of(user) if m.role in RECTORATE_ROLES}
    return Academy.objects.filter(pk__in=ids) if ids else None


def network_academies(user) -> QuerySet[Academy] | None:
    """The académies whose network a user may read: the rectorate's, and a référent's
    own académie."""
    academies = rectorate_academies(user)
    if academies is not None:
        return academies
    ids = {role.academy.pk for role in roles_of(user) if role.code == REFERENT and role.academy}
    return Academy.objects.filter(pk__in=ids) if ids else None


# --- Summary ----------------------------------------------------------------------------


@dataclass
class BassinRow:
    district: District | None
    schools: int = 0
    covered: int = 0
    committed_cents: int = 0
    paid_cents: int = 0
    minutes: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.district.name if self.district else _("Sans bassin")

    @property
    def coverage(self) -> int:
        return round(100 * self.covered / self.schools) if self.schools else 0


@dataclass
class AcademySummary:
    academy: Academy
    envelope_cents: int | None
    rows: list[BassinRow]

    @property
    def total(self) -> BassinRow:
        total = BassinRow(district=None)
        for row in self.rows:
            total.schools += row.schools
            total.covered += row.covered
            total.committed_cents += row.committed_cents
            total.paid_cents += row.paid_cents
            for code, minutes in row.minutes.items():
                total.minutes[code] = total.minutes.get(code, 0) + minutes
        return total

    @property
    def remaining_cents(self) -> int | None:
        if self.envelope_cents is None:
            return None
        return self.envelope_cents - self.total.committed_cents


def academy_summaries(user, academies, school_year: SchoolYear) -> list[AcademySummary]:
    """Per académie and bassin: secondary schools, those with an appointed référent,
    allowance committed and paid, mission minutes by category."""
    academies = list(academies.order_by("name"))
    academy_ids = [a.pk for a in academies]
    schools = visible_schools(user).filter(academy_id__in=academy_ids, degree=2)
    rows: dict[tuple[int, int | None], BassinRow] = {}
    districts = District.objects.filter(academy_id__in=academy_ids, kind=District.Kind.BASSIN)
    for district in districts.order_by("name"):
        rows[(district.academy_id, district.pk)] = BassinRow(district=district)

    def row(academy_id, district_id) -> BassinRow:
        return rows.setdefault((academy_id, district_id), BassinRow(district=None))

    appointed = Q(
        appointments__school_year=school_year,
        appointments__state=Appointment.State.APPOINTED,
    )
    for r in (
        schools.values("academy_id", "district_id")
        .annotate(
            n=Count("pk", distinct=True), covered=Count("pk", filter=appointed, distinct=True)
        )
        .order_by()
    ):
        target = row(r["academy_id"], r["district_id"])
        target.schools, target.covered = r["n"], r["covered"]
    appointments = Appointment.objects.filter(
        school__in=schools, school_year=school_year, state__in=COMMITTED_STATES
    )
    keys = ("school__academy_id", "school__district_id")
    for r in appointments.values(*keys).annotate(total=Sum("annual_cents")).order_by():
        row(r[keys[0]], r[keys[1]]).committed_cents = r["total"] or 0
    keys_i = ("appointment__school__academy_id", "appointment__school__district_id")
    paid = AllowanceInstalment.objects.filter(
        appointment__in=appointments, exported_at__isnull=False
    )
    for r in paid.values(*keys_i).annotate(total=Sum("amount_cents")).order_by():
        row(r[keys_i[0]], r[keys_i[1]]).paid_cents = r["total"] or 0
    logs = MissionLog.objects.filter(appointment__in=appointments)
    for r in logs.values(*keys_i, "category").annotate(total=Sum("minutes")).order_by():
        row(r[keys_i[0]], r[keys_i[1]]).minutes[r["category"]] = r["total"] or 0
    envelopes = dict(
        Envelope.objects.filter(academy_id__in=academy_ids, school_year=school_year).values_list(
            "academy_id", "amount_cents"
        )
    )
    return [
        AcademySummary(
            academy=academy,
            envelope_cents=envelopes.get(academy.pk),
            rows=sorted(
                (r for (a, _d), r in rows.items() if a == academy.pk),
                key=lambda r: (r.district is None, r.name),
            ),
        )
        for academy in academies
    ]


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
    year = _current_year(request)
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
            "categories": CATEGORIES.values,
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
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
            *[_("Heures %(code)s") % {"code": code} for code in CATEGORIES.values],
        ]
    )

    def amount(cents: int | None) -> str:
        return "" if cents is None else f"{cents / 100:.2f}".replace(".", ",")

    for s in summaries:
        for r in [*s.rows, s.total]:
            is_total = r not in s.rows
            writer.writerow(
                [
                    s.academy.name,
                    _("Total") if is_total else r.name,
                    r.schools,
                    r.covered,
                    r.coverage,
                    amount(r.committed_cents),
                    amount(r.paid_cents),
                    amount(s.envelope_cents) if is_total else "",
                    amount(s.remaining_cents) if is_total else "",
                    *[
                        f"{r.minutes.get(code, 0) / 60:.1f}".replace(".", ",")
                        for code in CATEGORIES.values
                    ],
                ]
            )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="synthese-referents-{year.name}.csv"'
    return response


# --- Network directory ----------------------------------------------------------------------


@login_required
def directory(request):
    """The académie's appointed référents (``?bassin=<id>``), for the rectorate and the
    référents themselves; anyone else: 404."""
    academies = network_academies(request.user)
    if academies is None:
        raise Http404
    year = _current_year(request)
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
