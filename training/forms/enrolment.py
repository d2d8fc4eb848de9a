"""Enrolment decisions: a reason, the approval queue's bulk decision, a booking by the
head or the rectorate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.forms.base import DuneForm
from training.forms.fields import IdListField


class ReasonForm(DuneForm):
    reason = forms.CharField(label=_("Motif"), max_length=300)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            # The bound field (built by DuneForm's __init__) keeps its own label.
            self.fields["reason"].label = label
            self["reason"].label = label

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez un motif."))
        return reason


class DecisionForm(DuneForm):
    APPROVE, DECLINE, CONFIRM = "approve", "decline", "confirm"

    action = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (APPROVE, _("Valider")),
            (DECLINE, _("Refuser")),
            (CONFIRM, _("Confirmer (rectorat)")),
        ],
    )
    ids = IdListField(required=False)
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=300,
        required=False,
        help_text=_("Obligatoire pour un refus : la personne le recevra."),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez le motif du refus : la personne le recevra."))
        if not data.get("ids"):
            raise forms.ValidationError(_("Cochez au moins une demande."))
        return data


class BookStaffForm(DuneForm):
    staff_id = forms.CharField(
        label=_("Identifiant agent"),
        max_length=32,
        help_text=_("La personne à inscrire d'office (public désigné)."),
    )

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_queryset = staff_queryset

    def clean_staff_id(self):
        staff_id = self.cleaned_data["staff_id"].strip()
        staff = self.staff_queryset.filter(staff_id=staff_id).select_related("user").first()
        if staff is None:
            raise forms.ValidationError(
                _("Aucun personnel que vous pouvez inscrire n'a l'identifiant %(id)s.")
                % {"id": staff_id}
            )
        return staff
