"""Scoped role memberships and personal API tokens.

The teacher role follows from a ``Staff`` profile and the référent role from an active
appointment (in ``referents``); the other roles are memberships, each scoped to what
it governs: a head to a school, an auditor, manager or trainer to an académie, the
ministry to everything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .directory import Academy, School


class RoleMembership(models.Model):
    class Role(models.TextChoices):
        HEAD = "head", _("Chef d'établissement")
        TRAINER = "trainer", _("Formateur")
        AUDITOR = "auditor", _("Auditeur (rectorat)")
        MANAGER = "manager", _("Gestionnaire (rectorat)")
        NATIONAL = "national", _("Ministère")

    SCHOOL_ROLES = (Role.HEAD,)
    ACADEMY_ROLES = (Role.TRAINER, Role.AUDITOR, Role.MANAGER)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    academy = models.ForeignKey(
        Academy, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["head"], school__isnull=False, academy__isnull=True)
                    | Q(
                        role__in=["trainer", "auditor", "manager"],
                        school__isnull=True,
                        academy__isnull=False,
                    )
                    | Q(role="national", school__isnull=True, academy__isnull=True)
                ),
                name="membership_scope_matches_role",
                violation_error_message=_(
                    "Un chef d'établissement est rattaché à un établissement, un formateur, "
                    "auditeur ou gestionnaire à une académie, le ministère à aucun des deux."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "academy"],
                condition=Q(academy__isnull=False),
                name="membership_unique_academy",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role="national"),
                name="membership_unique_national",
            ),
        ]

    def __str__(self) -> str:
        scope = self.school or self.academy or _("national")
        return f"{self.user} — {self.get_role_display()} — {scope}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored: the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("début du jeton"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CalendarTokenQuerySet(models.QuerySet):
    def active(self) -> CalendarTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarToken(models.Model):
    """The secret in a person's calendar feed URL. Only its SHA-256 is stored: the URL
    is shown once, when created; rotating revokes the old one at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    prefix = models.CharField(_("début du lien"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lien d'agenda")
        verbose_name_plural = _("liens d'agenda")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"
