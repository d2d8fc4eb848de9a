"""The hours ledger: online work declared by a participant."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm


class DeclareWorkForm(DuneForm):
    """A teacher's declaration of online work done, in minutes."""

    minutes = forms.IntegerField(
        label=_("Temps passé (minutes)"),
        min_value=1,
        error_messages={
            "required": _("Indiquez le temps passé, en minutes."),
            "invalid": _("Indiquez le temps passé, en minutes."),
            "min_value": _("Indiquez le temps passé, en minutes."),
        },
    )
