"""The académie's view of its référents: the yearly summary per bassin (coverage,
allowance committed and paid against the envelope, mission hours), and who may read it
and the network directory. Figures are aggregated in SQL, a constant number of queries
whatever the number of schools."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from referents.models import AllowanceInstalment, Appointment, Envelope, MissionLog
from training.models import Academy, District, RoleMembership, SchoolYear
from training.permissions import is_national, visible_schools
from training.roles import REFERENT, memberships_of, roles_of

Role = RoleMembership.Role
RECTORATE_ROLES = (Role.AUDITOR, Role.MANAGER)
COMMITTED_STATES = (Appointment.State.APPOINTED, Appointment.State.ENDED)
CATEGORIES = MissionLog.Category


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
