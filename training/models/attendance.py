"""Attendance (émargement), the append-only hours ledger, and C2i2e evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import Modality, Slot
from .directory import SchoolYear, Staff
from .plan import Item, Priority


class Attendance(models.Model):
    """One person's mark on one slot's sheet. It may change (with a reason); what it
    credited is in the ledger, which never changes."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        PARTIAL = "partial", _("Présence partielle")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Absence excusée")
        DECLARED = "declared", _("Travail déclaré, à valider")
        REJECTED = "rejected", _("Déclaration refusée")

    CREDITING = (Status.PRESENT, Status.PARTIAL)

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="attendances")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("émargement"), max_length=10, choices=Status.choices)
    minutes = models.PositiveIntegerField(_("minutes créditées"), default=0)
    declared_minutes = models.PositiveIntegerField(_("minutes déclarées"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "staff"]
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        constraints = [
            models.UniqueConstraint(fields=["slot", "staff"], name="attendance_one_per_slot"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "partial"]) | Q(minutes=0),
                name="attendance_minutes_only_when_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.slot} : {self.get_status_display()}"


class LedgerWriteError(Exception):
    """The hours ledger is append-only: rows are never updated nor deleted."""


class HoursEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerWriteError("HoursEntry rows are append-only: write a correcting entry.")

    def delete(self):
        raise LedgerWriteError("HoursEntry rows are append-only: write a correcting entry.")


class HoursEntry(models.Model):
    """Credited training time, in minutes. Append-only: a correction is a reversing
    entry (negative minutes) plus a new one, each with its reason and author."""

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Émargement")
        SELF_PACED = "self_paced", _("Travail en ligne validé")
        CORRECTION = "correction", _("Correction")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="hours")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="hours")
    attendance = models.ForeignKey(
        Attendance, on_delete=models.PROTECT, null=True, blank=True, related_name="hours"
    )
    minutes = models.IntegerField(_("minutes"))
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="+")
    modality = models.CharField(_("modalité"), max_length=12, choices=Modality.choices)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="hours")
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices)
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoursEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("heures créditées")
        verbose_name_plural = _("registre des heures")
        indexes = [
            models.Index(fields=["staff", "school_year"]),
            models.Index(fields=["slot", "staff"]),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.minutes:+d} min ({self.get_source_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerWriteError("HoursEntry rows are append-only: write a correcting entry.")
        # The last line of defence behind the services' check: nothing is added to the
        # ledger of a year closed nationally or for the académie running the slot.
        frozen = SchoolYear.objects.filter(pk=self.school_year_id).filter(
            Q(closed_at__isnull=False)
            | Q(closures__academy__programmes__modules__sessions__slots=self.slot_id)
        )
        if frozen.exists():
            raise LedgerWriteError(
                str(_("L'année scolaire est close : ses heures ne changent plus."))
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerWriteError("HoursEntry rows are append-only: write a correcting entry.")


class ItemEvidence(models.Model):
    """Where a teacher stands on one competence item, and who said so when."""

    class State(models.TextChoices):
        POSITIONED = "positioned", _("Positionné")
        IN_PROGRESS = "in_progress", _("En cours")
        VALIDATED = "validated", _("Validé")
        WITHDRAWN = "withdrawn", _("Validation retirée")

    class Source(models.TextChoices):
        SELF = "self", _("Auto-positionnement")
        SESSION = "session", _("Session suivie")
        TRAINER = "trainer", _("Validation par un formateur")

    RANK = {State.POSITIONED: 1, State.IN_PROGRESS: 2, State.VALIDATED: 3, State.WITHDRAWN: 0}

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence")
    state = models.CharField(_("état"), max_length=12, choices=State.choices)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    session = models.ForeignKey(
        "training.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)
    # Why a trainer withdrew a validation (the trail keeps every earlier state).
    reason = models.CharField(_("motif"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("preuve de compétence")
        verbose_name_plural = _("preuves de compétences")
        constraints = [
            models.UniqueConstraint(fields=["staff", "item"], name="evidence_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.item.code} : {self.get_state_display()}"


class TeachingSituation(models.Model):
    """A teaching or training situation led by a C2i2e candidate (the certification asks
    for at least one, ``Framework.min_situations``), with who validated it."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="situations")
    date = models.DateField(_("date"))
    group = models.CharField(_("classe ou groupe"), max_length=100)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("validée par"),
    )
    validated_at = models.DateTimeField(_("validée le"), auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("situation d'enseignement ou de formation")
        verbose_name_plural = _("situations d'enseignement ou de formation")

    def __str__(self) -> str:
        return f"{self.staff} — {self.date:%d/%m/%Y} — {self.group}"
