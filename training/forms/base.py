"""The base of every form of Dune: DSFR style, and texts without control characters."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from dsfr.forms import DsfrBaseForm

# NUL and the other control characters (tab and line feeds aside), and the bidirectional
# overrides that make a name read backwards on a page.
FORBIDDEN = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u202a-\\u202e\\u2066-\\u2069]")


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
            if isinstance(value, str) and FORBIDDEN.search(value):
                self.add_error(
                    name,
                    _(
                        "Caractère interdit : un caractère de contrôle ou d'inversion du sens "
                        "du texte."
                    ),
                )
