"""Anomalies found in the ledgers by the nightly scan, and the per-académie closing of a
school year (after which that académie's ledgers for the year are frozen)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .directory import Academy, SchoolYear


class AnomalyQuerySet(models.QuerySet):
    def open(self) -> AnomalyQuerySet:
        return self.filter(resolved_at__isnull=True)


class Anomaly(models.Model):
    """One finding of a check (``code``) about one object. The scan is idempotent: an
    open finding is unique per object and code; a finding that is no longer found is
    marked resolved, never deleted (the auditor sees what was fixed and when)."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="anomalies")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="anomalies")
    code = models.CharField(_("type"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    message = models.CharField(_("constat"), max_length=500)
    url = models.CharField(_("lien"), max_length=300, blank=True)
    found_at = models.DateTimeField(_("détectée le"))
    seen_at = models.DateTimeField(_("vue pour la dernière fois le"))
    resolved_at = models.DateTimeField(_("résolue le"), null=True, blank=True)

    objects = AnomalyQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-found_at", "pk"]
        verbose_name = _("anomalie")
        verbose_name_plural = _("anomalies")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "content_type", "object_id"],
                condition=Q(resolved_at__isnull=True),
                name="anomaly_one_open_per_object",
            ),
        ]
        indexes = [models.Index(fields=["academy", "school_year", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.message}"


class AcademyYearClosure(models.Model):
    """The rectorate closed this school year for its académie: from then on the
    académie's ledgers of that year (hours, attendance, evidence, allowances) are
    frozen and its reports stable."""

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="closures")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="closures")
    closed_at = models.DateTimeField(_("close le"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    open_anomalies = models.PositiveIntegerField(_("anomalies ouvertes à la clôture"), default=0)

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = _("clôture d'une année par une académie")
        verbose_name_plural = _("clôtures d'années par académie")
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "school_year"], name="closure_one_per_academy_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academy.name} {self.school_year}"
