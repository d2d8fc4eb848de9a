"""Schemas of the mission logs."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from training.schemas.fields import Day, InSchema, StaffId, Uai, YearName

Category = Literal["1a", "1b", "1c", "1d", "2a", "2b", "2c", "training"]


class LogIn(InSchema):
    date: Day
    category: Category
    minutes: int | None = Field(None, description="Pris des séances pour « training »")
    description: str = Field("", max_length=2000)
    colleagues: list[StaffId] = Field(default_factory=list, max_length=500, description="staff_id")
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
    school: Uai | None = Field(None, description="UAI")
    year: YearName | None = Field(None, description="Année scolaire")
