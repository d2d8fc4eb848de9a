"""The académies' catalogue, as the rectorates' training system (GAIA) organises it:
Programme (dispositif) → Module → Session (one run people enrol in) → Slot (séance).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.validators import TEXT_MAX_LENGTH

from .directory import Academy, Degree, District, School, SchoolYear
from .enrolment import Enrolment
from .plan import Item, Priority


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("Présentiel")
    VIRTUAL = "virtual", _("Classe virtuelle")
    SELF_PACED = "self_paced", _("À distance (travail en ligne)")


class ParcoursTemplate(models.Model):
    """A reusable hybrid parcours (Pairform@nce-style): its phases are editable data."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        verbose_name = _("modèle de parcours")
        verbose_name_plural = _("modèles de parcours")

    def __str__(self) -> str:
        return self.title


class ParcoursPhase(models.Model):
    template = models.ForeignKey(ParcoursTemplate, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(_("ordre"))
    title = models.CharField(_("intitulé"), max_length=200)
    modality = models.CharField(_("modalité"), max_length=12, choices=Modality.choices)
    minutes = models.PositiveIntegerField(_("durée prévue (minutes)"))
    # Days after the start of the previous phase, to lay out a first draft of the dates.
    offset_days = models.PositiveSmallIntegerField(_("décalage (jours)"), default=7)

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("phase de parcours")
        verbose_name_plural = _("phases de parcours")
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="phase_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Programme(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Candidature individuelle")
        DESIGNATED = "designated", _("Public désigné")

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="programmes")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="programmes")
    code = models.CharField(
        _("identifiant GAIA"),
        max_length=10,
        help_text=_("Identifiant du dispositif (10 caractères)"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("priorité")
    )
    degree = models.PositiveSmallIntegerField(
        _("public (degré)"),
        choices=Degree.choices,
        null=True,
        blank=True,
        help_text=_("Vide : tous"),
    )
    disciplines = models.CharField(
        _("disciplines visées"),
        max_length=300,
        blank=True,
        help_text=_("Séparées par des virgules ; vide : toutes"),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    # A national dispositif (GAIA identifier whose third character is N): the ministry's
    # plan, run by the académie; any other one is the académie's own.
    national = models.BooleanField(_("dispositif national"), default=False, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "school_year", "code"], name="programme_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @staticmethod
    def is_national_code(code: str) -> bool:
        """The third character of a GAIA dispositif identifier: N for national."""
        code = (code or "").strip().upper()
        return len(code) >= 3 and code[2] == "N"

    @property
    def discipline_list(self) -> list[str]:
        return [d.strip() for d in self.disciplines.split(",") if d.strip()]


class Module(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    code = models.CharField(_("identifiant du module"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    planned_in_person_minutes = models.PositiveIntegerField(
        _("présentiel prévu (minutes)"), default=0
    )
    planned_online_minutes = models.PositiveIntegerField(_("distance prévue (minutes)"), default=0)
    items = models.ManyToManyField(
        Item, blank=True, related_name="modules", verbose_name=_("items C2i2e")
    )
    parcours = models.ForeignKey(
        ParcoursTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="modules"
    )

    class Meta:
        ordering = ["programme", "code"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="module_unique_code")
        ]

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(models.QuerySet):
    def with_counts(self) -> SessionQuerySet:
        """Seats booked and waitlisted, and the start of the first slot not cancelled.

        Correlated subqueries rather than joins: joining enrolments and slots together
        would multiply rows (enrolments × slots) before counting.
        """

        def count(state):
            return Coalesce(
                Subquery(
                    Enrolment.objects.filter(session=OuterRef("pk"), state=state)
                    .order_by()
                    .values("session")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        first = (
            Slot.objects.filter(session=OuterRef("pk"))
            .exclude(status=Slot.Status.CANCELLED)
            .order_by("start")
            .values("start")[:1]
        )
        return self.annotate(
            booked_count=count(Enrolment.State.BOOKED),
            waitlisted_count=count(Enrolment.State.WAITLISTED),
            first_slot_start=Subquery(first),
        )

    def with_sheets_to_fill(self, now=None) -> SessionQuerySet:
        """``sheets_to_fill``: slots held (started before ``now``), not cancelled, timed
        (online work is declared, not signed), whose sheet has no mark yet."""
        now = now or timezone.now()
        pending = (
            Slot.objects.filter(session=OuterRef("pk"), start__lt=now, attendances__isnull=True)
            .exclude(status=Slot.Status.CANCELLED)
            .exclude(modality=Modality.SELF_PACED)
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(sheets_to_fill=Coalesce(Subquery(pending), 0))

    def for_catalogue(self) -> SessionQuerySet:
        return self.select_related(
            "module__programme__priority", "module__programme__academy", "host_school", "district"
        )


class Session(models.Model):
    """One run of a module that people enrol in (a GAIA "groupe")."""

    class Approval(models.TextChoices):
        NONE = "none", _("Sans validation")
        HEAD = "head", _("Validation du chef d'établissement")
        HEAD_THEN_RECTORATE = "head_then_rectorate", _("Chef d'établissement puis rectorat")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        PUBLISHED = "published", _("Publiée")
        CANCELLED = "cancelled", _("Annulée")

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="sessions")
    group = models.CharField(_("groupe"), max_length=2, default="01")
    capacity = models.PositiveIntegerField(_("places"))
    waitlist_enabled = models.BooleanField(_("liste d'attente"), default=True)
    enrolment_opens = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    enrolment_closes = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    approval = models.CharField(
        _("validation"), max_length=20, choices=Approval.choices, default=Approval.HEAD
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_sessions",
        verbose_name=_("formateurs"),
    )
    external_trainers = models.CharField(_("intervenants extérieurs"), max_length=300, blank=True)
    host_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_sessions",
        verbose_name=_("formation d'établissement"),
        help_text=_("Session dans l'établissement, pour ses personnels seulement"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("bassin ou circonscription"),
        help_text=_("Session réservée aux personnels de ce bassin ou de cette circonscription"),
    )
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    promotion_cutoff_days = models.PositiveSmallIntegerField(
        _("pas de promotion automatique dans les N jours avant le début"), default=2
    )
    cancellation_cutoff_days = models.PositiveSmallIntegerField(
        _("désistement possible jusqu'à N jours avant le début"), default=1
    )
    cancelled_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    # The session's id in the rectorate's training system (GAIA), set by its imports.
    gaia_id = models.CharField(
        _("identifiant GAIA de la session"), max_length=20, blank=True, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["module", "group"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["module", "group"], name="session_unique_group"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(enrolment_opens__isnull=True)
                | Q(enrolment_closes__isnull=True)
                | Q(enrolment_closes__gt=models.F("enrolment_opens")),
                name="session_window_ordered",
                violation_error_message=_(
                    "La clôture des inscriptions doit venir après leur ouverture."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.title} — groupe {self.group}"

    def active_slots(self):
        return self.slots.exclude(status=Slot.Status.CANCELLED)

    def first_start(self) -> dt.datetime | None:
        if hasattr(self, "_prefetched_objects_cache") and "slots" in self._prefetched_objects_cache:
            starts = [s.start for s in self.slots.all() if s.status != Slot.Status.CANCELLED]
            return min(starts) if starts else None
        return self.active_slots().aggregate(first=Min("start"))["first"]

    def withdrawal_deadline(self) -> dt.datetime | None:
        """Until when a booked person withdraws online: the cut-off before the first
        slot (None: no slot yet, always)."""
        first = self.first_start()
        if first is None:
            return None
        return first - dt.timedelta(days=self.cancellation_cutoff_days)

    def may_withdraw(self, now: dt.datetime | None = None) -> bool:
        deadline = self.withdrawal_deadline()
        return deadline is None or (now or timezone.now()) < deadline

    def window_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.enrolment_opens and now < self.enrolment_opens:
            return False
        return not (self.enrolment_closes and now >= self.enrolment_closes)


class SlotQuerySet(models.QuerySet):
    def missing_attendance(self, *, now: dt.datetime, days: int) -> SlotQuerySet:
        """Timed slots ended more than ``days`` ago, with people booked and an empty
        sheet."""
        return (
            self.filter(status=Slot.Status.SCHEDULED, end__lte=now - dt.timedelta(days=days))
            .exclude(modality=Modality.SELF_PACED)
            .filter(session__enrolments__state=Enrolment.State.BOOKED)
            .exclude(attendances__isnull=False)
            .distinct()
        )


class Slot(models.Model):
    """A séance: in person (school and room), virtual (video link), or self-paced online
    work (an open–close window with the minutes it credits)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévue")
        CANCELLED = "cancelled", _("Annulée")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    modality = models.CharField(_("modalité"), max_length=12, choices=Modality.choices)
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    credited_minutes = models.PositiveIntegerField(
        _("durée créditée (minutes)"), null=True, blank=True, help_text=_("Travail en ligne")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("lieu"),
    )
    room = models.CharField(_("salle"), max_length=100, blank=True)
    video_url = models.URLField(_("lien de la classe virtuelle"), blank=True)
    phase = models.ForeignKey(
        ParcoursPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # iCalendar SEQUENCE: bumped on every change of time, place or status.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    conflict_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conflict_override_reason = models.CharField(
        _("motif du passage outre"), max_length=300, blank=True
    )
    # Stable key of a slot imported from GAIA ("<session id>#<rank in the session>"): a
    # slot moved in GAIA is updated in place (same UID, SEQUENCE bumped).
    gaia_key = models.CharField(max_length=40, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="slot_end_after_start",
                violation_error_message=_("La fin de la séance doit être après son début."),
            ),
        ]
        indexes = [
            models.Index(fields=["start", "end"]),
            models.Index(fields=["gaia_key"], name="slot_gaia_key"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.title or self.session.module.title} — {local:%d/%m/%Y %H:%M}"

    @property
    def minutes(self) -> int:
        if self.modality == Modality.SELF_PACED and self.credited_minutes:
            return self.credited_minutes
        return int((self.end - self.start).total_seconds() // 60)
