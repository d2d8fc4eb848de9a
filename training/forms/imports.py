"""Uploading a file to import (schools, staff, GAIA exports)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm
from training.models import ImportRun


class ImportForm(DuneForm):
    kind = forms.ChoiceField(label=_("Type de fichier"), choices=ImportRun.Kind.choices)
    academy = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "CSV ou export GAIA, en UTF-8 ou Windows-1252, séparé par « ; », « , » ou « | »."
        ),
    )

    complete = forms.BooleanField(
        label=_("Fichier complet de l'annuaire (personnels)"),
        help_text=_(
            "Coché, les personnels de l'académie absents du fichier sont désactivés (leur "
            "historique est conservé) ; la vérification dit combien avant de confirmer."
        ),
        required=False,
    )

    def __init__(self, *args, academies, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
        self.fields["kind"].choices = kinds
