"""The catalogue and the session editor: the catalogue's filters, a session's settings,
a slot."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm, SearchableCheckboxes
from training.forms.fields import (
    DATETIME_INPUT,
    DateInput,
    DateTimeInput,
    datetime_field,
    school_by_uai,
)
from training.models import District, Modality, Module, RoleMembership, Session, Staff


class CatalogueFilterForm(DuneForm):
    """The catalogue's filter form (django-filter adds the fields)."""


class SessionForm(forms.ModelForm, DuneForm):
    """A session's settings. Module and group are chosen at creation only (the service
    does not change them afterwards), and so is the first day of a parcours."""

    host_school_uai = forms.CharField(
        label=_("Formation d'établissement (UAI)"),
        max_length=8,
        required=False,
        help_text=_("Session dans cet établissement, pour ses personnels seulement."),
    )
    extra_trainers = forms.CharField(
        label=_("Autres formateurs (identifiants agents)"),
        max_length=500,
        required=False,
        help_text=_("Personnels de l'académie, séparés par des virgules."),
    )
    first_day = forms.DateField(
        label=_("Premier jour du parcours"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Si le module suit un modèle de parcours : une séance par phase est préparée "
            "à partir de ce jour, à ajuster ensuite."
        ),
    )

    field_order = [
        "module",
        "group",
        "capacity",
        "waitlist_enabled",
        "approval",
        "enrolment_opens",
        "enrolment_closes",
        "trainers",
        "extra_trainers",
        "external_trainers",
        "host_school_uai",
        "district",
        "location",
        "first_day",
        "promotion_cutoff_days",
        "cancellation_cutoff_days",
    ]

    class Meta:
        model = Session
        fields = [
            "module",
            "group",
            "capacity",
            "waitlist_enabled",
            "enrolment_opens",
            "enrolment_closes",
            "approval",
            "trainers",
            "external_trainers",
            "district",
            "location",
            "promotion_cutoff_days",
            "cancellation_cutoff_days",
        ]
        field_classes = {
            "enrolment_opens": forms.DateTimeField,
            "enrolment_closes": forms.DateTimeField,
        }
        widgets = {
            "enrolment_opens": DateTimeInput(),
            "enrolment_closes": DateTimeInput(),
            "trainers": SearchableCheckboxes(),
        }

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.academies = academies
        editing = self.instance.pk is not None
        if editing:
            for name in ("module", "group", "first_day"):
                del self.fields[name]
            self.fields["host_school_uai"].initial = (
                self.instance.host_school.uai if self.instance.host_school_id else ""
            )
        else:
            self.fields["module"].queryset = Module.objects.filter(
                programme__academy__in=academies
            ).select_related("programme")
            self.fields["module"].label_from_instance = lambda m: (
                f"{m.programme.code} — {m.title} ({m.code})"
            )
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = 1
        for name in ("enrolment_opens", "enrolment_closes"):
            self.fields[name].input_formats = [DATETIME_INPUT, "%Y-%m-%d %H:%M"]
        # The académie's trainers (and the session's current ones) are offered; other
        # staff of the académie are added by their identifier, since an académie has
        # tens of thousands of them.
        trainers = get_user_model().objects.filter(
            memberships__role=RoleMembership.Role.TRAINER, memberships__academy__in=academies
        )
        if editing:
            trainers = trainers | self.instance.trainers.all()
        self.fields["trainers"].queryset = trainers.distinct().order_by("last_name", "first_name")
        self.fields["trainers"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )
        self.fields["trainers"].required = False
        self.fields["district"].queryset = District.objects.filter(academy__in=academies)

    def clean_host_school_uai(self):
        return school_by_uai(self.cleaned_data.get("host_school_uai"), self.academies)

    def clean_extra_trainers(self):
        ids = [s.strip() for s in (self.cleaned_data.get("extra_trainers") or "").split(",")]
        ids = [s for s in ids if s]
        found = {
            s.staff_id: s.user
            for s in Staff.objects.filter(
                staff_id__in=ids, school__academy__in=self.academies
            ).select_related("user")
        }
        missing = [s for s in ids if s not in found]
        if missing:
            raise forms.ValidationError(
                _("Identifiants inconnus dans l'académie : %(ids)s") % {"ids": ", ".join(missing)}
            )
        return list(found.values())

    def session_fields(self) -> dict:
        """The cleaned values, named as ``services.create_session``/``update_session``
        take them."""
        data = self.cleaned_data
        fields = {name: data[name] for name in SESSION_FORM_FIELDS if name in data}
        fields["host_school"] = data.get("host_school_uai")
        fields["external_trainers"] = (fields.get("external_trainers") or "").strip()
        fields["location"] = (fields.get("location") or "").strip()
        return fields

    def trainers(self) -> list:
        data = self.cleaned_data
        trainers = list(data.get("trainers") or [])
        trainers += [u for u in data.get("extra_trainers") or [] if u not in trainers]
        return trainers


SESSION_FORM_FIELDS = (
    "capacity",
    "waitlist_enabled",
    "enrolment_opens",
    "enrolment_closes",
    "approval",
    "external_trainers",
    "district",
    "location",
    "promotion_cutoff_days",
    "cancellation_cutoff_days",
)


class SlotForm(DuneForm):
    modality = forms.ChoiceField(label=_("Modalité"), choices=Modality.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200, required=False)
    start = datetime_field(_("Début"))
    end = datetime_field(
        _("Fin"), help_text=_("Pour un travail en ligne : la date de clôture du travail.")
    )
    credited_minutes = forms.IntegerField(
        label=_("Durée créditée (minutes)"),
        min_value=1,
        required=False,
        help_text=_("Travail en ligne seulement."),
    )
    school_uai = forms.CharField(
        label=_("Établissement (UAI)"),
        max_length=8,
        required=False,
        help_text=_("Présentiel : l'établissement où la séance a lieu."),
    )
    room = forms.CharField(label=_("Salle"), max_length=100, required=False)
    video_url = forms.URLField(
        label=_("Lien de la classe virtuelle"),
        max_length=200,
        required=False,
        assume_scheme="https",
    )
    override = forms.BooleanField(
        label=_("Passer outre les conflits signalés"),
        required=False,
        help_text=_("Le formateur, la salle ou des inscrits sont déjà pris à ce moment."),
    )
    override_reason = forms.CharField(
        label=_("Motif du passage outre"), max_length=300, required=False
    )

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.academies = academies

    @classmethod
    def initial_for(cls, slot) -> dict:
        return {
            "modality": slot.modality,
            "title": slot.title,
            "start": timezone.localtime(slot.start).strftime(DATETIME_INPUT),
            "end": timezone.localtime(slot.end).strftime(DATETIME_INPUT),
            "credited_minutes": slot.credited_minutes,
            "school_uai": slot.school.uai if slot.school_id else "",
            "room": slot.room,
            "video_url": slot.video_url,
        }

    def clean_school_uai(self):
        return school_by_uai(self.cleaned_data.get("school_uai"), self.academies)

    def slot_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "modality": data["modality"],
            "title": data.get("title") or "",
            "start": data["start"],
            "end": data["end"],
            "credited_minutes": data.get("credited_minutes"),
            "school": data.get("school_uai"),
            "room": data.get("room") or "",
            "video_url": data.get("video_url") or "",
        }
