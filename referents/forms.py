"""Forms of the référents pages (DSFR, rendered with ``{{ form }}``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from referents.models import AllowanceScheme, MissionLog
from training.forms import DateInput
from training.models import Session, Staff

MISSION_LETTER = """Lettre de mission du référent pour les usages pédagogiques numériques

Dans le cadre de sa mission, le référent numérique de l'établissement :

1. développe et facilite les usages pédagogiques des TIC par les enseignants :
   a) informe les enseignants sur les TIC ;
   b) aide à la prise en compte de leurs besoins de formation ;
   c) accompagne les usages des TIC par les enseignants au service des apprentissages ;
   d) suscite et aide à construire des projets pédagogiques intégrant les TIC ;

2. coordonne et conseille l'établissement dans la durée :
   a) contribue au pilotage du numérique dans l'établissement ;
   b) aide et conseille le chef d'établissement dans l'organisation et la coordination
      des projets numériques ;
   c) assure l'interface numérique de l'établissement avec son environnement
      (académie, collectivités territoriales, réseaux de référents et d'interlocuteurs TICE).
"""


class EurosField(forms.DecimalField):
    """An amount in euros as French people type it: « 1 234,56 » or « 1234.56 »."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            value = value.replace(",", ".")
        return super().to_python(value)


class VolunteerForm(DsfrBaseForm):
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea, max_length=5000)


class AppointForm(DsfrBaseForm):
    scheme = forms.ModelChoiceField(
        label=_("Régime d'indemnité"), queryset=AllowanceScheme.objects.order_by("code")
    )
    annual_euros = EurosField(
        label=_("Indemnité annuelle (€)"), min_value=0, max_digits=9, decimal_places=2
    )
    start = forms.DateField(label=_("Date de début"), widget=DateInput)
    mission_letter = forms.CharField(
        label=_("Lettre de mission"), widget=forms.Textarea(attrs={"rows": 16})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("mission_letter", MISSION_LETTER)
        super().__init__(*args, **kwargs)

    @property
    def annual_cents(self) -> int:
        return int(self.cleaned_data["annual_euros"] * Decimal(100))


class EndForm(DsfrBaseForm):
    end = forms.DateField(label=_("Date de fin"), widget=DateInput)
    reason = forms.CharField(label=_("Motif"), max_length=200)


class MonthForm(DsfrBaseForm):
    month = forms.DateField(
        label=_("Mois"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class MissionLogForm(DsfrBaseForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    category = forms.ChoiceField(label=_("Mission"), choices=MissionLog.Category.choices)
    session = forms.ModelChoiceField(
        label=_("Session animée (formation dispensée)"),
        help_text=_("Sa durée est prise dans les séances, sauf si vous l'indiquez."),
        queryset=Session.objects.none(),
        required=False,
    )
    minutes = forms.IntegerField(label=_("Durée (minutes)"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Collègues concernés"), queryset=Staff.objects.none(), required=False
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


class DeclineForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif du refus (le candidat le lira)"), max_length=200, widget=forms.TextInput
    )


class MissionShareForm(DsfrBaseForm):
    shared = forms.TypedChoiceField(
        label=_("Qui assure la mission ?"),
        help_text=_(
            "Partagée, les deux indemnités réunies restent dans ce que le régime permet "
            "pour une personne."
        ),
        choices=[
            (False, _("Un seul référent")),
            (True, _("Deux référents, qui partagent la mission")),
        ],
        coerce=lambda value: value in (True, "True", "true", "on", "1"),
        widget=forms.RadioSelect,
    )
