"""Schemas of the instalments and of *service fait*. Money in integer cents; months as
the first day (« 2010-09-01 »).
"""

import datetime as dt

from ninja import Field, Schema

from training.schemas.fields import Day, InSchema


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


class MonthIn(InSchema):
    month: Day = Field(description="Un jour du mois (le 1er de préférence)")


class ServiceDoneOut(Schema):
    count: int
