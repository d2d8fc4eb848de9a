"""The sign-in form: Django's, in DSFR style, saying until when a locked username must
wait."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import signins
from training.forms.base import DuneForm


class LoginForm(DuneForm, AuthenticationForm):
    # DuneForm first: AuthenticationForm sets the username label in its __init__,
    # which must run before DuneForm builds the bound fields (and their labels).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
        "locked": _(
            "Trop d'essais infructueux pour cet identifiant : réessayez après %(until)s, "
            "ou demandez au gestionnaire de votre académie de déverrouiller le compte."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            until = signins.locked_until(username, signins.client_address(self.request))
            if until is not None:
                signins.record(
                    request=self.request, provider="local", outcome="locked", username=username
                )
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": formats.time_format(timezone.localtime(until), "H:i")},
                )
        return super().clean()
