"""A référent's appointment in a school for a school year (candidature, appointment,
refusal, end) and whether a school shares its mission with another.

The référent role in Dune follows from an appointment in the ``appointed`` state whose
dates cover today.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models import School, SchoolYear, Staff
from training.validators import LETTER_MAX_LENGTH, TEXT_MAX_LENGTH


class AppointmentQuerySet(models.QuerySet):
    def active(self, day: dt.date | None = None) -> AppointmentQuerySet:
        day = day or timezone.localdate()
        return self.filter(
            Q(end__isnull=True) | Q(end__gte=day),
            state=Appointment.State.APPOINTED,
            start__lte=day,
        )


class Appointment(models.Model):
    class State(models.TextChoices):
        VOLUNTEERED = "volunteered", _("Candidature")
        APPOINTED = "appointed", _("Nommé")
        ENDED = "ended", _("Terminé")
        DECLINED = "declined", _("Candidature non retenue")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="appointments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="appointments")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="appointments"
    )
    state = models.CharField(
        _("état"), max_length=12, choices=State.choices, default=State.VOLUNTEERED
    )
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"), null=True, blank=True)
    end_reason = models.CharField(
        _("motif"),
        max_length=200,
        blank=True,
        help_text=_("De la fin de mission, ou du refus de la candidature"),
    )
    motivation = models.TextField(_("motivation"), blank=True, max_length=TEXT_MAX_LENGTH)
    mission_letter = models.TextField(
        _("lettre de mission"), blank=True, max_length=LETTER_MAX_LENGTH
    )
    scheme = models.ForeignKey(
        "referents.AllowanceScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    annual_cents = models.PositiveIntegerField(
        _("indemnité annuelle (centimes)"), null=True, blank=True
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("désignation de référent")
        verbose_name_plural = _("désignations de référents")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "school", "school_year"], name="appointment_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="appointment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.school} ({self.school_year})"


class SchoolMission(models.Model):
    """A school's setting for its référent mission. By default one référent at a time;
    a school may share the mission between two, who then share one allowance (the two
    amounts together stay within what the regime allows one person)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="referent_mission")
    shared = models.BooleanField(_("mission partagée entre deux référents"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mission de référent de l'établissement")
        verbose_name_plural = _("missions de référent des établissements")

    def __str__(self) -> str:
        return f"{self.school}: {'partagée' if self.shared else 'un référent'}"

    @classmethod
    def is_shared(cls, school: School) -> bool:
        return cls.objects.filter(school=school, shared=True).exists()
