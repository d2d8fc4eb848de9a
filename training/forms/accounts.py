"""Personal API tokens (signing in is ``accounts``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class ApiTokenForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Par exemple l'outil qui l'utilisera : « tableur du rectorat »."),
    )
