"""The catalogue's structure, as the rectorate builds it: a dispositif (programme) and its
modules. The forms parse; ``training.services.catalogue`` decides."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm
from training.forms.school_plans import ItemChoiceField
from training.models import Academy, Degree, Item, Module, ParcoursTemplate, Priority, Programme
from training.records import C2I2E

# Hours are typed with up to two decimals, so that any whole number of minutes reads back
# as it was (45 min is « 0,75 », 20 min « 0,33 »): a module saved unchanged keeps its time.
HOURS_DECIMALS = 2
MAX_HOURS = Decimal(1000)


def hours_input(minutes: int | None) -> str:
    """Minutes as hours, as the field shows them: 90 → « 1,5 », 45 → « 0,75 »."""
    if minutes is None:
        return ""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


class HoursField(forms.DecimalField):
    """A duration in hours, « 1,5 » or "1.5" whatever the language of the page; its
    value is whole minutes (``minutes()``)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", MAX_HOURS)
        kwargs.setdefault("decimal_places", HOURS_DECIMALS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "maxlength": "8", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            value = value.replace(",", ".")
        value = super().to_python(value)
        return Decimal(0) if value is None else value

    @staticmethod
    def minutes(hours: Decimal) -> int:
        return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


class ProgrammeForm(forms.ModelForm, DuneForm):
    """A dispositif. Its académie is chosen at creation only (among those the person
    manages), and its school year is that of the page: the priorities offered are
    those of that year's national plan."""

    academy = forms.ModelChoiceField(label=_("Académie"), queryset=Academy.objects.none())
    degree = forms.TypedChoiceField(
        label=_("Public (degré)"),
        choices=[("", _("Tous les degrés")), *Degree.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    field_order = [
        "academy",
        "code",
        "title",
        "priority",
        "kind",
        "degree",
        "disciplines",
        "description",
    ]

    class Meta:
        model = Programme
        fields = ["code", "title", "priority", "kind", "degree", "disciplines", "description"]
        labels = {
            "code": _("Identifiant GAIA"),
            "title": _("Intitulé"),
            "priority": _("Priorité du plan national"),
            "kind": _("Type de dispositif"),
            "disciplines": _("Disciplines visées"),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, school_year, academies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["academy"]
        else:
            self.fields["academy"].queryset = academies.order_by("name")
        self.fields["priority"].queryset = Priority.objects.filter(plan__school_year=school_year)
        self.fields["priority"].empty_label = _("Choisir une priorité")
        self.fields["kind"].choices = Programme.Kind.choices

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def programme_fields(self) -> dict:
        """The cleaned values, named as ``create_programme``/``update_programme`` take them."""
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields}


class ModuleForm(forms.ModelForm, DuneForm):
    """A module of a dispositif: its planned time (typed in hours, kept in minutes), the
    C2i2e items it covers, the parcours template its sessions may follow."""

    in_person_hours = HoursField(
        label=_("Présentiel prévu (heures)"), help_text=_("Par exemple « 1,5 » pour 1 h 30.")
    )
    online_hours = HoursField(
        label=_("À distance prévu (heures)"), help_text=_("Travail en ligne, en heures.")
    )
    items = ItemChoiceField(
        label=_("Items C2i2e visés"),
        queryset=Item.objects.filter(domain__framework__code=C2I2E),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parcours = forms.ModelChoiceField(
        label=_("Modèle de parcours"),
        queryset=ParcoursTemplate.objects.order_by("title"),
        required=False,
        empty_label=_("Aucun"),
        help_text=_("Une session de ce module peut en préparer les séances, phase par phase."),
    )

    field_order = ["code", "title", "in_person_hours", "online_hours", "items", "parcours"]

    class Meta:
        model = Module
        fields = ["code", "title", "items", "parcours"]
        labels = {"code": _("Identifiant du module"), "title": _("Intitulé")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(
                "in_person_hours", hours_input(self.instance.planned_in_person_minutes)
            )
            self.initial.setdefault(
                "online_hours", hours_input(self.instance.planned_online_minutes)
            )

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()

    def module_fields(self) -> dict:
        """The cleaned values, named as ``create_module``/``update_module`` take them."""
        data = self.cleaned_data
        return {
            "code": data["code"],
            "title": data["title"],
            "planned_in_person_minutes": HoursField.minutes(data["in_person_hours"]),
            "planned_online_minutes": HoursField.minutes(data["online_hours"]),
            "parcours": data.get("parcours"),
            "items": list(data.get("items") or []),
        }
