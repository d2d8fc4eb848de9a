"""Forms of the allowance ledger: the month of the instalments (*service fait*)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm


class MonthForm(DuneForm):
    month = forms.DateField(
        label=_("Mois"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
