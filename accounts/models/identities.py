"""A person's identity at an identity provider (OpenID Connect, CAS), remembered at the
first match so that a later change of e-mail at the provider does not lose the person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    class Provider(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        CAS = "cas", _("CAS")

    provider = models.CharField(_("fournisseur"), max_length=8, choices=Provider.choices)
    subject = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    issuer = models.CharField(_("émetteur"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    created_at = models.DateTimeField(_("rattachée le"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité externe")
        verbose_name_plural = _("identités externes")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="accounts_identity_unique_subject"
            ),
            # One identity per provider and person: a second one never claims the same
            # person silently.
            models.UniqueConstraint(
                fields=["provider", "user"], name="accounts_identity_one_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.subject} → {self.user}"
