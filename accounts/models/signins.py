"""The sign-in log (who, when, from where, which provider, what happened), which the
lockout counts and the académie's managers read, and the sessions sign-ins opened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    class Provider(models.TextChoices):
        LOCAL = "local", _("mot de passe")
        OIDC = "oidc", _("OpenID Connect")
        CAS = "cas", _("CAS")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("connexion")
        FAILURE = "failure", _("échec")
        LOCKED = "locked", _("refus : compte verrouillé")
        REFUSED = "refused", _("refus")
        UNLOCKED = "unlocked", _("déverrouillage")
        LINKED = "linked", _("identité rattachée")

    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    username = models.CharField(_("identifiant saisi"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)
    provider = models.CharField(_("moyen"), max_length=8, choices=Provider.choices)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("connexion")
        verbose_name_plural = _("journal des connexions")
        indexes = [models.Index(fields=["username", "at"], name="accounts_signin_username_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_outcome_display()}"


class UserSession(models.Model):
    """A session a sign-in opened: "sign out everywhere" ends them all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dune_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=8, choices=SignInEvent.Provider.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session ouverte")
        verbose_name_plural = _("sessions ouvertes")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"
