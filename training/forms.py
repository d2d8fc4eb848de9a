from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from training.models import District, School


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


class SchoolForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = School
        fields = ["uai", "name", "kind", "academy", "district", "city"]

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
        self.fields["district"].queryset = District.objects.filter(academy__in=academies)

    def clean_uai(self):
        return (self.cleaned_data.get("uai") or "").strip().upper()
