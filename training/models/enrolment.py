"""Enrolments (teacher × session), their history, and the notification outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .directory import Staff


class EnrolmentQuerySet(models.QuerySet):
    def active(self) -> EnrolmentQuerySet:
        return self.filter(state__in=Enrolment.ACTIVE_STATES)

    def booked(self) -> EnrolmentQuerySet:
        return self.filter(state=Enrolment.State.BOOKED)

    def waitlist(self) -> EnrolmentQuerySet:
        """In the order seats are offered: first waitlisted, first served."""
        return self.filter(state=Enrolment.State.WAITLISTED).order_by("waitlisted_at", "pk")


class Enrolment(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        APPROVED = "approved", _("Validée")
        BOOKED = "booked", _("Inscrit")
        WAITLISTED = "waitlisted", _("En liste d'attente")
        DECLINED = "declined", _("Refusée")
        EXPIRED = "expired", _("Expirée")
        CANCELLED = "cancelled", _("Annulée (désistement)")
        SESSION_CANCELLED = "session_cancelled", _("Session annulée")

    ACTIVE_STATES = (State.REQUESTED, State.APPROVED, State.BOOKED, State.WAITLISTED)

    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, related_name="enrolments"
    )
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(_("état"), max_length=20, choices=State.choices)
    # Set when the head has approved (head_then_rectorate: before the rectorate confirms).
    head_approved_at = models.DateTimeField(null=True, blank=True)
    rectorate_confirmed_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            # One live enrolment per person and session; ended ones stay as history.
            models.UniqueConstraint(
                fields=["session", "staff"],
                condition=Q(state__in=["requested", "approved", "booked", "waitlisted"]),
                name="enrolment_one_active_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state"]),
            models.Index(fields=["staff", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.session} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class EnrolmentEvent(models.Model):
    """One change of an enrolment's state: who, when, why. Never edited."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=Enrolment.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Enrolment.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide : changement automatique"),
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("historique d'inscription")
        verbose_name_plural = _("historiques d'inscription")

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


class Notification(models.Model):
    """The outbox: a message to send, written in the same transaction as the change it
    tells about, and sent once by a Celery task after commit (``key`` is unique, so a
    periodic job that runs twice writes it once)."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    template = models.CharField(max_length=50)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school_plan = models.ForeignKey(
        "training.SchoolPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"
