"""Form fields of ``referents``: amounts in euros as French people type them."""

from __future__ import annotations

from django import forms


class EurosField(forms.DecimalField):
    """An amount in euros as French people type it: « 1 234,56 » or « 1234.56 »."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            value = value.replace(",", ".")
        return super().to_python(value)
