"""Schemas of the référent's own year."""

import datetime as dt

from ninja import Schema

from referents.schemas.allowances import InstalmentOut
from referents.schemas.appointments import AppointmentOut
from referents.schemas.missions import LogOut


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
