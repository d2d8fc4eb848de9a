"""The base of every form of Dune: DSFR style, and texts without control characters."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm

from training.validators import forbidden_character


class SearchableCheckboxes(forms.CheckboxSelectMultiple):
    """A multiple choice among people (colleagues, trainers): DSFR checkboxes, with a
    box that narrows them as one types (``dune.js``; without JavaScript, the list)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-dune-search": "1", **(attrs or {})}, choices)


class DuneForm(DsfrBaseForm):
    """A DSFR form whose text fields refuse control and bidirectional characters (a
    password may hold anything)."""

    def full_clean(self):
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return
        for name, value in list(self.cleaned_data.items()):
            field = self.fields.get(name)
            if field is None or isinstance(field.widget, forms.PasswordInput):
                continue
            reason = forbidden_character(value) if isinstance(value, str) else None
            if reason:
                self.add_error(name, reason)
