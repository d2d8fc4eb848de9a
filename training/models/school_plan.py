"""The school training plan (plan de formation d'établissement) and teachers' needs.

Each school drafts, per school year, a plan from its colleagues' needs: the référent
(or the head) writes its lines, submits it, and the head returns it with a comment or
approves it. An approved version is read-only; a new version can be opened from it.
Every change is written to ``SchoolPlanEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training.validators import TEXT_MAX_LENGTH

from .catalogue import Modality, Module
from .directory import School, SchoolYear, Staff
from .plan import Item, Priority


class TrainingNeed(models.Model):
    """A need for training expressed by a member of staff, for his school's plan."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="training_needs")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="training_needs")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="training_needs"
    )
    theme = models.CharField(_("thème"), max_length=200)
    description = models.TextField(_("précisions"), blank=True, max_length=TEXT_MAX_LENGTH)
    items = models.ManyToManyField(
        Item, blank=True, related_name="training_needs", verbose_name=_("items C2i2e")
    )
    modality = models.CharField(
        _("modalité souhaitée"), max_length=12, choices=Modality.choices, blank=True
    )
    created_at = models.DateTimeField(_("exprimé le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("besoin de formation")
        verbose_name_plural = _("besoins de formation")
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return f"{self.staff} — {self.theme}"


class SchoolPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis au chef d'établissement")
        APPROVED = "approved", _("Approuvé")
        RETURNED = "returned", _("Renvoyé pour modification")

    # A returned plan is a draft again, with the head's comment to answer.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # What the rectorate sees of a school's plans.
    PUBLISHED = (Status.SUBMITTED, Status.APPROVED)

    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="training_plans",
        verbose_name=_("établissement"),
    )
    school_year = models.ForeignKey(
        SchoolYear,
        on_delete=models.PROTECT,
        related_name="school_plans",
        verbose_name=_("année scolaire"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    head_comment = models.TextField(
        _("commentaire du chef d'établissement"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvé par"),
    )

    class Meta:
        ordering = ["school_year", "school", "version"]
        verbose_name = _("plan de formation d'établissement")
        verbose_name_plural = _("plans de formation d'établissement")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "version"], name="schoolplan_unique_version"
            ),
            # One version at a time is being prepared; the others are approved.
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=~Q(status="approved"),
                name="schoolplan_one_open_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="schoolplan_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.school_year} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class SchoolPlanLine(models.Model):
    """A line of the plan: a theme or a catalogue module, for some or all of the
    school's staff, with the time planned for each person."""

    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="lines")
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    module = models.ForeignKey(
        Module,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="school_plan_lines",
        verbose_name=_("module du catalogue"),
    )
    target_staff = models.ManyToManyField(
        Staff,
        blank=True,
        related_name="school_plan_lines",
        verbose_name=_("personnels visés"),
        help_text=_("Aucun : tous les personnels de l'établissement."),
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="school_plan_lines",
        verbose_name=_("priorité"),
    )
    planned_minutes = models.PositiveIntegerField(_("durée prévue par personne (minutes)"))
    modality = models.CharField(_("modalité"), max_length=12, choices=Modality.choices, blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("ligne de plan de formation")
        verbose_name_plural = _("lignes de plan de formation")
        constraints = [
            models.CheckConstraint(
                condition=~Q(theme="") | Q(module__isnull=False),
                name="schoolplanline_theme_or_module",
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gt=0), name="schoolplanline_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.theme or (self.module.title if self.module_id else "")


class SchoolPlanEvent(models.Model):
    """The history of a plan: who did what, when (one row per change)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Plan créé")
        VERSION_OPENED = "version_opened", _("Nouvelle version ouverte")
        LINE_ADDED = "line_added", _("Ligne ajoutée")
        LINE_CHANGED = "line_changed", _("Ligne modifiée")
        LINE_REMOVED = "line_removed", _("Ligne supprimée")
        SUBMITTED = "submitted", _("Soumis au chef d'établissement")
        RETURNED = "returned", _("Renvoyé avec un commentaire")
        APPROVED = "approved", _("Approuvé")

    plan = models.ForeignKey(SchoolPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(
        _("état avant"), max_length=10, choices=SchoolPlan.Status.choices, blank=True
    )
    to_status = models.CharField(_("état après"), max_length=10, choices=SchoolPlan.Status.choices)
    detail = models.TextField(_("détail"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("historique de plan de formation")
        verbose_name_plural = _("historiques de plans de formation")

    def __str__(self) -> str:
        return f"{self.plan} — {self.get_action_display()}"
