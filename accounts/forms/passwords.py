"""Django's password forms, in DSFR style (the validators of AUTH_PASSWORD_VALIDATORS
apply)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from training.forms.base import DuneForm


class DsfrPasswordResetForm(DuneForm, PasswordResetForm):
    def get_users(self, email):
        """Active people with this address, those who never chose a password too (staff
        created by an import activate their account this way). The link goes to the
        directory's address, never to one typed in the form."""
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.email.lower() == email.lower())


class DsfrSetPasswordForm(DuneForm, SetPasswordForm):
    pass
