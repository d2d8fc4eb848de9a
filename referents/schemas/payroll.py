"""Schemas of the payroll exports."""

import datetime as dt

from ninja import Field, Schema

from referents.schemas.allowances import InstalmentOut


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
