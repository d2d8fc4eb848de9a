"""Forms of the appointment: candidature, appointment (regime, amount, mission letter),
refusal, end, shared mission.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from referents.forms.fields import EurosField
from referents.models import AllowanceScheme
from training.forms import DateInput
from training.forms.base import DuneForm
from training.validators import LETTER_MAX_LENGTH

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


class VolunteerForm(DuneForm):
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea, max_length=5000)


class AppointForm(DuneForm):
    scheme = forms.ModelChoiceField(
        label=_("Régime d'indemnité"), queryset=AllowanceScheme.objects.order_by("code")
    )
    annual_euros = EurosField(
        label=_("Indemnité annuelle (€)"), min_value=0, max_digits=9, decimal_places=2
    )
    start = forms.DateField(label=_("Date de début"), widget=DateInput)
    mission_letter = forms.CharField(
        label=_("Lettre de mission"),
        max_length=LETTER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("mission_letter", MISSION_LETTER)
        super().__init__(*args, **kwargs)

    @property
    def annual_cents(self) -> int:
        return int(self.cleaned_data["annual_euros"] * Decimal(100))


class EndForm(DuneForm):
    end = forms.DateField(label=_("Date de fin"), widget=DateInput)
    reason = forms.CharField(label=_("Motif"), max_length=200)


class DeclineForm(DuneForm):
    reason = forms.CharField(
        label=_("Motif du refus (le candidat le lira)"), max_length=200, widget=forms.TextInput
    )


class MissionShareForm(DuneForm):
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
