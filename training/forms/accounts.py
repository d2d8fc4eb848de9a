"""Signing in and personal API tokens."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class LoginForm(DsfrBaseForm, AuthenticationForm):
    # DsfrBaseForm first: AuthenticationForm sets the username label in its __init__,
    # which must run before DsfrBaseForm builds the bound fields (and their labels).
    pass


class ApiTokenForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Par exemple l'outil qui l'utilisera : « tableur du rectorat »."),
    )
