"""The référents' anomaly check, registered with ``training.services.anomalies`` from ``ready()``:
an allowance instalment for a month in which the référent logged no mission at all
(the allowance is paid *après service fait*: a month without any logged activity is
worth a look)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from referents.models import AllowanceInstalment, MissionLog
from training.models import Academy, SchoolYear
from training.services.anomalies import Finding, register_check, url_for

CODE = "instalment_without_mission_log"


def instalments_without_mission_log(academy: Academy, school_year: SchoolYear) -> Iterable[Finding]:
    """Regular instalments of months already over, with no mission log that month."""
    logged = MissionLog.objects.filter(
        appointment_id=OuterRef("appointment_id"),
        date__year=ExtractYear(OuterRef("month")),
        date__month=ExtractMonth(OuterRef("month")),
    )
    this_month = timezone.localdate().replace(day=1)
    instalments = (
        AllowanceInstalment.objects.filter(
            appointment__school__academy=academy,
            appointment__school_year=school_year,
            kind=AllowanceInstalment.Kind.REGULAR,
            month__lt=this_month,
        )
        .filter(~Exists(logged))
        .select_related("appointment__staff__user", "appointment__school")
        .order_by("month", "pk")
    )
    for instalment in instalments:
        appointment = instalment.appointment
        yield Finding(
            CODE,
            instalment,
            _(
                "Mensualité de %(month)s versée à %(who)s (%(school)s) sans aucune mission "
                "notée ce mois-là."
            )
            % {
                "month": instalment.month.strftime("%m/%Y"),
                "who": appointment.staff.full_name,
                "school": appointment.school.name,
            },
            url_for("referents:school_detail", appointment.school.uai),
        )


def register() -> None:
    register_check(
        CODE,
        gettext_lazy("Indemnité sans journal de mission"),
        instalments_without_mission_log,
    )
