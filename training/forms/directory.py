"""The directory: a school created by the rectorate."""

from django import forms

from training.forms.base import DuneForm
from training.models import District, School


class SchoolForm(forms.ModelForm, DuneForm):
    class Meta:
        model = School
        fields = ["uai", "name", "kind", "academy", "district", "city"]

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
        self.fields["district"].queryset = District.objects.filter(academy__in=academies)

    def clean_uai(self):
        return (self.cleaned_data.get("uai") or "").strip().upper()
