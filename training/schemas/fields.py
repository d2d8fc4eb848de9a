"""Input types with the bounds every endpoint applies (and documents in the OpenAPI):
no year 1 or 9999 — a date outside 1900–2100 is a 422, never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, field_validator

from training.validators import LETTER_MAX_LENGTH, TEXT_MAX_LENGTH, forbidden_character

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)

Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Moment = Annotated[
    AwareDatetime,
    Field(
        ge=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        le=dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.UTC),
    ),
]

# A database identifier: a 64-bit integer (SQLite and PostgreSQL alike), so that a
# larger one is a 422, never an overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _plain(value):
    reason = forbidden_character(value) if isinstance(value, str) else None
    if reason:
        raise ValueError(reason)
    if isinstance(value, list):
        for item in value:
            _plain(item)
    return value


class InSchema(Schema):
    """The base of every input schema: its texts carry no control character."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        return _plain(value)


# --- Texts: each with the length of the column it ends up in (or is looked up in), so
# that a longer one is a 422 before any query. No pattern: the values accepted are the
# same as before, only bounded.


# A text without control characters (query and path parameters are no schema: the
# check is in the type), bounded to ``n`` characters.
def bounded(n: int):
    return Annotated[str, Field(max_length=n), AfterValidator(_plain)]


# A school's UAI (ex-RNE): 7 digits and a check letter (``School.uai``).
Uai = bounded(8)
# An académie's code, « 25 » (``Academy.code``).
AcademyCode = bounded(2)
# A school year's name, « 2010-2011 » (``SchoolYear.name``).
YearName = bounded(9)
# A code of reference data: C2i2e item (12), priority (20), parcours template and
# allowance scheme (30), anomaly (40), audit report (50), school kind (20).
Code = bounded(50)
# A login (``User.username``).
Username = bounded(150)
# A person's staff id (``Staff.staff_id``).
StaffId = bounded(32)
# A discipline (``Staff.discipline``).
Discipline = bounded(100)
# The text of a search box.
QueryText = bounded(200)
# A free text a person writes: description, comment, motivation (the models' TextFields).
FreeText = bounded(TEXT_MAX_LENGTH)
# A letter: the référent's mission letter (``Appointment.mission_letter``).
Letter = bounded(LETTER_MAX_LENGTH)
