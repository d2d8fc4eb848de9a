"""The managers' forms on the sign-in log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm


class UnlockForm(DuneForm):
    username = forms.CharField(label=_("Identifiant"), max_length=255)


class ActivationForm(DuneForm):
    """People picked on the activation page, and the count the manager confirms."""

    users = forms.ModelMultipleChoiceField(queryset=None, label=_("Personnes"))
    confirm = forms.IntegerField(label=_("Nombre d'e-mails à envoyer"), min_value=1)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = queryset

    def clean(self):
        data = super().clean()
        users = data.get("users")
        if users is not None and data.get("confirm") != len(users):
            raise forms.ValidationError(
                _("Confirmez le nombre exact d'e-mails à envoyer : %(n)d.") % {"n": len(users)}
            )
        return data
