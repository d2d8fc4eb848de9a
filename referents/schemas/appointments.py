"""Schemas of the appointments and of a school's shared mission."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from training.schemas.fields import Code, Day, FreeText, InSchema, Letter, Uai, YearName


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
    school: Uai | None = Field(None, description="UAI")
    year: YearName | None = Field(None, description="Année scolaire, « 2010-2011 »")
    state: Literal["volunteered", "appointed", "ended", "declined"] | None = None


class VolunteerIn(InSchema):
    motivation: FreeText = Field(min_length=1)


class AppointIn(InSchema):
    scheme: Code = Field(description="Code du régime, « fic2010-12 » ou « imp2015-9 »")
    annual_cents: int = Field(ge=0, le=10_000_000)
    mission_letter: Letter = Field(min_length=1)
    start: Day | None = None


class DeclineIn(InSchema):
    reason: str = Field(max_length=200)


class EndIn(InSchema):
    end: Day
    reason: str = Field(max_length=200)


class MissionIn(InSchema):
    shared: bool


class MissionOut(Schema):
    school_uai: str
    shared: bool
