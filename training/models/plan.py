"""The national training plan (PNF) of a school year and its competence frameworks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .directory import Degree, SchoolYear


class TrainingPlan(models.Model):
    school_year = models.OneToOneField(
        SchoolYear, on_delete=models.PROTECT, related_name="training_plan"
    )
    title = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        verbose_name = _("plan national de formation")
        verbose_name_plural = _("plans nationaux de formation")

    def __str__(self) -> str:
        return self.title


class Priority(models.Model):
    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="priorities")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("priorité")
        verbose_name_plural = _("priorités")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="priority_unique_code")
        ]

    def __str__(self) -> str:
        return self.title


class HoursTarget(models.Model):
    """Yearly training time owed per teacher of a degree, in minutes (plan data, editable)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="targets")
    degree = models.PositiveSmallIntegerField(_("degré"), choices=Degree.choices)
    target_minutes = models.PositiveIntegerField(_("objectif annuel (minutes)"))
    min_training_minutes = models.PositiveIntegerField(
        _("dont formation au minimum (minutes)"), default=0
    )
    online_allowed = models.BooleanField(_("formation à distance comptée"), default=True)

    class Meta:
        verbose_name = _("objectif horaire")
        verbose_name_plural = _("objectifs horaires")
        constraints = [
            models.UniqueConstraint(fields=["plan", "degree"], name="hourstarget_unique_degree"),
            models.CheckConstraint(
                condition=Q(min_training_minutes__lte=models.F("target_minutes")),
                name="hourstarget_min_within_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.get_degree_display()} : {self.target_minutes / 60:.1f} h"


class Framework(models.Model):
    """A competence framework (C2i2e-2011, B2i, CRCN…) with its certification rule as data."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    source = models.CharField(_("texte de référence"), max_length=200, blank=True)
    min_validated_items = models.PositiveSmallIntegerField(_("items validés au minimum"))
    max_missing_per_domain = models.PositiveSmallIntegerField(
        _("items non validés au plus par compétence"), null=True, blank=True
    )
    min_situations = models.PositiveSmallIntegerField(
        _("situations d'enseignement ou de formation au minimum"),
        default=0,
        help_text=_("Menées par le candidat et validées (C2i2e : au moins une)"),
    )

    class Meta:
        verbose_name = _("référentiel de compétences")
        verbose_name_plural = _("référentiels de compétences")

    def __str__(self) -> str:
        return self.code


class Domain(models.Model):
    """A competence of a framework (A.1 … B.4 in the C2i2e), grouped in blocks."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("intitulé"), max_length=300)
    block_code = models.CharField(_("bloc"), max_length=10, blank=True)
    block_title = models.CharField(_("intitulé du bloc"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="domain_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Item(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=12)
    title = models.TextField(_("intitulé"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["domain__framework", "domain__order", "order"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="item_unique_code")]

    def __str__(self) -> str:
        return self.code
