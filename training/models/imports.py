"""One import of a file: uploaded, checked (dry run), then confirmed and written.

The file itself is kept in the row (``BinaryField``): web and Celery workers keep no
state of their own, so the worker that checks or writes it reads it from PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .directory import Academy


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        SCHOOLS = "schools", _("Établissements")
        STAFF = "staff", _("Personnels")
        GAIA_FORMATIONS = "gaia_formations", _("GAIA : formations")
        GAIA_TRAINERS = "gaia_trainers", _("GAIA : intervenants")
        GAIA_TRAINEES = "gaia_trainees", _("GAIA : stagiaires")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de vérification")
        CHECKING = "checking", _("Vérification en cours")
        CHECKED = "checked", _("Vérifié, en attente de confirmation")
        REFUSED = "refused", _("Fichier refusé")
        CONFIRMED = "confirmed", _("Confirmé, en attente d'écriture")
        APPLYING = "applying", _("Écriture en cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="import_runs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs"
    )
    filename = models.CharField(_("fichier"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("motif du refus du fichier"), blank=True)
    encoding = models.CharField(_("encodage"), max_length=12, blank=True)
    lines = models.PositiveIntegerField(_("lignes"), default=0)
    created_count = models.PositiveIntegerField(_("créations"), default=0)
    updated_count = models.PositiveIntegerField(_("mises à jour"), default=0)
    unchanged_count = models.PositiveIntegerField(_("inchangées"), default=0)
    refused_count = models.PositiveIntegerField(_("lignes refusées"), default=0)
    complete = models.BooleanField(
        _("fichier complet (les personnels absents sont désactivés)"), default=False
    )
    deactivated_count = models.PositiveIntegerField(_("désactivations"), default=0)
    refused_lines = models.JSONField(_("lignes refusées"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    applied_at = models.DateTimeField(_("importé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [
            models.Index(fields=["academy", "-created_at"], name="importrun_academy_created")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.filename} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in {
            self.Status.PENDING,
            self.Status.CHECKING,
            self.Status.CONFIRMED,
            self.Status.APPLYING,
        }
