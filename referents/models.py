"""Référents pour les usages pédagogiques numériques: their appointments.

The allowance ledger and mission logs build on ``Appointment`` (see the référents
issue); the référent role in Dune follows from an appointment in the ``appointed``
state whose dates cover today.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models import School, SchoolYear, Staff


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
