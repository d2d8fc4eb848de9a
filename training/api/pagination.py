"""ninja's paginations with bounded inputs.

ninja leaves ``offset`` and ``page`` unbounded (and ``limit`` too, without a setting): a
number past 64 bits reaches the database's LIMIT/OFFSET and fails there as a 500. Bounded
here, it is a 422 like any invalid field; no real list comes near these bounds.

Each input has its own name: the API document keeps one schema per name.
"""

from ninja import Field, Schema, pagination

MAX_LIMIT = 500
MAX_OFFSET = 10**9


class LimitOffsetInput(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PageNumberInput(Schema):
    page: int = Field(1, ge=1, le=MAX_OFFSET // MAX_LIMIT)
    page_size: int | None = Field(None, ge=1)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    Input = LimitOffsetInput


class PageNumberPagination(pagination.PageNumberPagination):
    Input = PageNumberInput
