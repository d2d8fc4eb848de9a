"""Forms of the school training plan pages: a teacher's need, a plan line, the head's
comment. They only parse input; the rules are in ``training.services.school_plans``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm, SearchableCheckboxes
from training.models import Item, Modality, Module, Priority, School, SchoolYear, Staff
from training.records import C2I2E
from training.validators import TEXT_MAX_LENGTH

MODALITY_CHOICES = [("", _("Indifférente")), *Modality.choices]


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        return f"{obj.code} — {obj.title}"


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.full_name}{f' ({obj.discipline})' if obj.discipline else ''}"


class NeedForm(DuneForm):
    theme = forms.CharField(
        label=_("Thème"),
        max_length=200,
        help_text=_("Par exemple : « le tableau numérique interactif en mathématiques »."),
    )
    description = forms.CharField(
        label=_("Précisions"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    modality = forms.ChoiceField(
        label=_("Modalité souhaitée"), choices=MODALITY_CHOICES, required=False
    )
    items = ItemChoiceField(
        label=_("Items C2i2e visés"),
        queryset=Item.objects.filter(domain__framework__code=C2I2E).select_related("domain"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LineForm(DuneForm):
    theme = forms.CharField(
        label=_("Thème"),
        max_length=200,
        required=False,
        help_text=_("Un thème, un module du catalogue, ou les deux."),
    )
    module = forms.ModelChoiceField(
        label=_("Module du catalogue"), queryset=Module.objects.none(), required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Priorité"),
        queryset=Priority.objects.none(),
        required=False,
        help_text=_("Vide : celle du module."),
    )
    planned_hours = forms.DecimalField(
        label=_("Durée prévue par personne (heures)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("500"),
        decimal_places=1,
    )
    modality = forms.ChoiceField(label=_("Modalité"), choices=MODALITY_CHOICES, required=False)
    target_staff = StaffChoiceField(
        label=_("Personnels visés"),
        queryset=Staff.objects.none(),
        required=False,
        widget=SearchableCheckboxes(),
        help_text=_("Aucun coché : tous les personnels de l'établissement."),
    )

    def __init__(self, *args, school: School, school_year: SchoolYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(
            programme__academy_id=school.academy_id, programme__school_year=school_year
        ).select_related("programme")
        self.fields["priority"].queryset = Priority.objects.filter(plan__school_year=school_year)
        self.fields["target_staff"].queryset = Staff.objects.filter(
            school=school, active=True
        ).select_related("user")

    @property
    def planned_minutes(self) -> int:
        return int(self.cleaned_data["planned_hours"] * 60)


class CommentForm(DuneForm):
    comment = forms.CharField(
        label=_("Commentaire"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
