"""What a référent did: his mission logs, by category of the mission letter."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from referents.models.appointments import Appointment
from training.models import Staff
from training.validators import TEXT_MAX_LENGTH


class MissionLog(models.Model):
    """What a référent did, when, for how long (the decree's mission categories)."""

    class Category(models.TextChoices):
        INFORMATION = "1a", _("1a — Information des enseignants sur les TIC")
        NEEDS = "1b", _("1b — Prise en compte des besoins de formation")
        SUPPORT = "1c", _("1c — Accompagnement des usages des collègues")
        PROJECTS = "1d", _("1d — Projets pédagogiques intégrant les TIC")
        STEERING = "2a", _("2a — Pilotage du numérique dans l'établissement")
        ADVICE = "2b", _("2b — Conseil au chef d'établissement")
        INTERFACE = "2c", _("2c — Interface avec l'académie et les collectivités")
        TRAINING = "training", _("Formation dispensée")

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="logs")
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("durée (minutes)"))
    category = models.CharField(_("mission"), max_length=10, choices=Category.choices)
    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    colleagues = models.ManyToManyField(
        Staff, blank=True, related_name="+", verbose_name=_("collègues concernés")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("journal de mission")
        verbose_name_plural = _("journaux de mission")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="missionlog_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment.staff} {self.date} {self.get_category_display()}"
