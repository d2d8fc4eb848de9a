"""Forms of the référents pages (DSFR, rendered with ``{{ form }}``), one module per
subdomain."""

from referents.forms.allowances import MonthForm
from referents.forms.appointments import (
    MISSION_LETTER,
    AppointForm,
    DeclineForm,
    EndForm,
    MissionShareForm,
    VolunteerForm,
)
from referents.forms.fields import EurosField
from referents.forms.missions import MissionLogForm

__all__ = [
    "MISSION_LETTER",
    "AppointForm",
    "DeclineForm",
    "EndForm",
    "EurosField",
    "MissionLogForm",
    "MissionShareForm",
    "MonthForm",
    "VolunteerForm",
]
