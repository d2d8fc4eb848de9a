"""The mission log form of the référent's dashboard."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referents.models import MissionLog
from training.forms import DateInput
from training.forms.base import DuneForm, SearchableCheckboxes
from training.models import Session, Staff
from training.validators import TEXT_MAX_LENGTH


class MissionLogForm(DuneForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    category = forms.ChoiceField(label=_("Mission"), choices=MissionLog.Category.choices)
    session = forms.ModelChoiceField(
        label=_("Session animée (formation dispensée)"),
        help_text=_("Sa durée est prise dans les séances, sauf si vous l'indiquez."),
        queryset=Session.objects.none(),
        required=False,
    )
    minutes = forms.IntegerField(label=_("Durée (minutes)"), required=False)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea, required=False
    )
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Collègues concernés"),
        queryset=Staff.objects.none(),
        required=False,
        widget=SearchableCheckboxes(),
    )

    def __init__(self, *args, school=None, trainer=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Staff.objects.filter(school=school, active=True).select_related("user")
        self.fields["colleagues"].queryset = queryset
        self.fields["session"].queryset = (
            Session.objects.filter(trainers=trainer)
            .exclude(status=Session.Status.CANCELLED)
            .select_related("module")
            .order_by("-pk")
        )

    def clean(self):
        data = super().clean()
        training = data.get("category") == MissionLog.Category.TRAINING
        if training and not data.get("session"):
            self.add_error("session", _("Choisissez la session que vous avez animée."))
        if not training and data.get("minutes") is None:
            self.add_error("minutes", _("Indiquez la durée en minutes."))
        return data
