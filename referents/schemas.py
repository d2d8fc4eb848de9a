"""Schemas of ``/api/referents/…`` (``referents/api.py``).

Money in integer cents; people by their opaque ``staff_id``; schools by their UAI;
school years by their name (« 2010-2011 »); months as the first day (« 2010-09-01 »).
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

Category = Literal["1a", "1b", "1c", "1d", "2a", "2b", "2c", "training"]


class AppointmentOut(Schema):
    id: int
    staff_id: str = Field(alias="staff.staff_id")
    name: str = Field(alias="staff.full_name")
    school_uai: str = Field(alias="school.uai")
    school_year: str = Field(alias="school_year.name")
    state: str
    state_label: str = Field(alias="get_state_display")
    start: dt.date
    end: dt.date | None
    reason: str = Field(alias="end_reason", description="Motif de fin ou de refus")
    motivation: str
    mission_letter: str
    scheme: str | None = Field(None, alias="scheme.code")
    annual_cents: int | None


class AppointmentFilter(Schema):
    school: str | None = Field(None, description="UAI")
    year: str | None = Field(None, description="Année scolaire, « 2010-2011 »")
    state: Literal["volunteered", "appointed", "ended", "declined"] | None = None


class VolunteerIn(Schema):
    motivation: str = Field(min_length=1, max_length=5000)


class AppointIn(Schema):
    scheme: str = Field(description="Code du régime, « fic2010-12 » ou « imp2015-9 »")
    annual_cents: int = Field(ge=0, le=10_000_000)
    mission_letter: str = Field(min_length=1, max_length=20000)
    start: dt.date | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=200)


class EndIn(Schema):
    end: dt.date
    reason: str = Field(max_length=200)


class MissionIn(Schema):
    shared: bool


class MissionOut(Schema):
    school_uai: str
    shared: bool


class LogIn(Schema):
    date: dt.date
    category: Category
    minutes: int | None = Field(None, description="Pris des séances pour « training »")
    description: str = Field("", max_length=5000)
    colleagues: list[str] = Field(default_factory=list, max_length=500, description="staff_id")
    session_id: int | None = None


class LogOut(Schema):
    id: int
    date: dt.date
    category: str
    category_label: str = Field(alias="get_category_display")
    minutes: int
    description: str
    session_id: int | None
    referent_staff_id: str = Field(alias="appointment.staff.staff_id")
    school_uai: str = Field(alias="appointment.school.uai")
    colleagues: list[str]

    @staticmethod
    def resolve_colleagues(obj) -> list[str]:
        return [c.staff_id for c in obj.colleagues.all()]


class LogFilter(Schema):
    school: str | None = Field(None, description="UAI")
    year: str | None = Field(None, description="Année scolaire")


class InstalmentOut(Schema):
    id: int
    staff_id: str = Field(alias="appointment.staff.staff_id")
    name: str = Field(alias="appointment.staff.full_name")
    school_uai: str = Field(alias="appointment.school.uai")
    month: dt.date
    kind: str
    amount_cents: int
    reason: str
    service_done_at: dt.datetime | None
    exported_at: dt.datetime | None


class MonthIn(Schema):
    month: dt.date = Field(description="Un jour du mois (le 1er de préférence)")


class CountOut(Schema):
    count: int


class CategoryMinutes(Schema):
    category: str
    label: str
    minutes: int


class SessionToRun(Schema):
    id: int
    title: str
    first_slot_start: dt.datetime | None
    booked: int


class DashboardOut(Schema):
    appointment: AppointmentOut
    by_category: list[CategoryMinutes]
    sessions: list[SessionToRun]
    logs: list[LogOut]
    instalments: list[InstalmentOut]


class PayrollExportOut(Schema):
    id: int
    academy: str = Field(alias="academy.code")
    created_at: dt.datetime
    created_by: str = Field(alias="created_by.username")
    instalments: list[InstalmentOut]

    @staticmethod
    def resolve_instalments(obj) -> list:
        return list(
            obj.instalments.select_related(
                "appointment__staff__user", "appointment__school"
            ).order_by("appointment__school__uai", "month", "pk")
        )


class MissionRow(Schema):
    category: str
    logs: int
    minutes: int


class TrainingRow(Schema):
    session_id: int
    title: str
    participants: int
    minutes: int


class ReportOut(Schema):
    school_uai: str
    school_name: str
    school_year: str
    referents: list[AppointmentOut]
    committed_cents: int
    paid_cents: int
    missions: list[MissionRow]
    mission_minutes: int
    training: list[TrainingRow]
    colleagues_reached: int


class YearFilter(Schema):
    year: str | None = Field(None, description="Année scolaire, « 2010-2011 »")


class BassinOut(Schema):
    bassin: str
    schools: int
    covered: int
    coverage_percent: int
    committed_cents: int
    paid_cents: int
    minutes: dict[str, int]


class SummaryOut(Schema):
    academy: str
    school_year: str
    envelope_cents: int | None
    remaining_cents: int | None
    bassins: list[BassinOut]
    total: BassinOut


class DirectoryRow(Schema):
    name: str = Field(alias="staff.full_name")
    email: str = Field(alias="staff.user.email")
    school_uai: str = Field(alias="school.uai")
    school_name: str = Field(alias="school.name")
    bassin: str | None = Field(None, alias="school.district.name")
    since: dt.date = Field(alias="start")


class DirectoryFilter(Schema):
    year: str | None = None
    bassin: int | None = Field(None, description="Identifiant du bassin")
