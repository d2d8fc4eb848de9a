"""Schemas of the attendance, hours-record and C2i2e endpoints (``training/api/hours.py``).

People are named by their opaque ``staff_id`` (identifiant agent), C2i2e items by their
code (« A.1-2 »), school years by their name (« 2010-2011 »), schools by their UAI.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from training.schemas.fields import Code, InSchema, Uai, YearName

# --- Attendance (émargement) ----------------------------------------------------------


class MarkIn(InSchema):
    staff_id: str = Field(min_length=1, max_length=32, description="Identifiant agent")
    status: Literal["present", "partial", "absent", "excused"]
    minutes: int | None = Field(None, ge=0, description="Pour une présence partielle")


class AttendanceIn(InSchema):
    marks: list[MarkIn] = Field(max_length=500)
    reason: str = Field("", max_length=300, description="Obligatoire pour une correction")


class SheetLineOut(Schema):
    """A booked person and his mark on the slot (``status`` null: not marked yet)."""

    staff_id: str
    name: str
    school_uai: str
    attendance_id: int | None
    status: str | None
    status_label: str | None
    minutes: int
    declared_minutes: int | None
    credited_minutes: int


class SheetOut(Schema):
    slot_id: int
    session_id: int
    modality: str
    start: dt.datetime
    end: dt.datetime
    length_minutes: int
    lines: list[SheetLineOut]


class DeclarationIn(InSchema):
    minutes: int = Field(ge=0)


class ReviewIn(InSchema):
    accept: bool
    reason: str = Field("", max_length=300)


class AttendanceOut(Schema):
    id: int
    slot_id: int
    staff_id: str
    status: str
    status_label: str
    minutes: int
    declared_minutes: int | None


# --- Records --------------------------------------------------------------------------


class PriorityMinutesOut(Schema):
    title: str
    minutes: int


class RecordLineOut(Schema):
    slot_id: int
    session_id: int
    start: dt.datetime
    modality: str
    minutes: int


class DomainOut(Schema):
    code: str
    title: str
    validated: int
    total: int
    missing: int
    missing_items: list[str]
    ok: bool


class C2i2eOut(Schema):
    framework: str
    validated: int
    total: int
    min_validated_items: int
    max_missing_per_domain: int | None
    eligible: bool
    still_needed: int
    domains: list[DomainOut]


class RecordOut(Schema):
    staff_id: str
    name: str
    school_uai: str
    school_year: str
    closed: bool
    total_minutes: int
    target_minutes: int | None
    min_training_minutes: int | None
    reached: bool | None
    missing_minutes: int
    by_priority: list[PriorityMinutesOut]
    by_modality: dict[str, int]
    lines: list[RecordLineOut]
    c2i2e: C2i2eOut | None


class RecordFilter(Schema):
    school_year: YearName | None = Field(
        None, description="« 2010-2011 » ; défaut : l'année en cours"
    )


# --- C2i2e items ----------------------------------------------------------------------


class ItemsIn(InSchema):
    items: list[Code] = Field(min_length=1, max_length=100, description="Codes (« A.1-2 »)")


class ValidateItemsIn(ItemsIn):
    session_id: int | None = None


class CountOut(Schema):
    count: int


# --- Hours of a list of people ----------------------------------------------------------


class HoursFilter(Schema):
    school_year: YearName | None = None
    school: Uai | None = Field(None, description="UAI de l'établissement")


class HoursRowOut(Schema):
    """A ``Staff`` annotated by ``training.records.with_hours`` (user and school joined)."""

    staff_id: str
    name: str
    school_uai: str
    degree: int
    minutes: int
    validated_items: int

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.full_name

    @staticmethod
    def resolve_school_uai(obj) -> str:
        return obj.school.uai
