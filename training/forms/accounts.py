"""Personal API tokens (signing in is ``accounts``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm


class ApiTokenForm(DuneForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Par exemple l'outil qui l'utilisera : « tableur du rectorat »."),
    )
