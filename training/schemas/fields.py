"""Input types with the bounds every endpoint applies (and documents in the OpenAPI):
no year 1 or 9999 — a date outside 1900–2100 is a 422, never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AwareDatetime, field_validator

from training.validators import forbidden_character

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
