"""Django's password forms, in DSFR style (the validators of AUTH_PASSWORD_VALIDATORS
apply)."""

from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm


class DsfrPasswordResetForm(DsfrBaseForm, PasswordResetForm):
    pass


class DsfrSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass
