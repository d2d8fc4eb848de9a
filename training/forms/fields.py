"""Widgets and fields shared by the forms: the browser's date pickers, ids ticked in a
table, a school named by its UAI."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import School

# --- Catalogue, enrolment and session editor ------------------------------------------

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in Paris time (the current
    time zone), then stored in UTC."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_INPUT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput(),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"],
        **kwargs,
    )


class IdListField(forms.Field):
    """The ids ticked in a table: integers, anything else dropped (a crafted value is
    ignored, never an error page). Whether the ids are the user's to act on is decided
    against his queue, not here."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for raw in value or []:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                continue
        return ids


def school_by_uai(uai: str, academies):
    uai = (uai or "").strip().upper()
    if not uai:
        return None
    school = School.objects.filter(uai=uai, academy__in=academies).first()
    if school is None:
        raise forms.ValidationError(
            _("Aucun établissement de votre académie n'a l'UAI %(uai)s.") % {"uai": uai}
        )
    return school
