"""Schemas of a school's activity report, the académie's summary and the network
directory. School years by their name (« 2010-2011 »).
"""

import datetime as dt

from ninja import Field, Schema

from referents.schemas.appointments import AppointmentOut
from training.schemas.fields import YearName


class MissionRow(Schema):
    category: str
    logs: int
    minutes: int


class TrainingRow(Schema):
    session_id: int
    title: str
    participants: int
    minutes: int


class ActivityReportOut(Schema):
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
    year: YearName | None = Field(None, description="Année scolaire, « 2010-2011 »")


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
    year: YearName | None = None
    bassin: int | None = Field(None, description="Identifiant du bassin")
