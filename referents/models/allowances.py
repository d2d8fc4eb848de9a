"""The allowance: the regimes (``AllowanceScheme``), each académie's envelope, the ledger
of monthly instalments and the payroll exports that carry them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from referents.errors import ReferentError
from referents.models.appointments import Appointment
from training.models import SchoolYear


class AllowanceScheme(models.Model):
    """An allowance regime as data (FACTS.md): its amounts, payment schedule, proration."""

    class Regime(models.TextChoices):
        FIC_2010 = "fic2010", _("Indemnité pour fonctions d'intérêt collectif (décret 2010-1065)")
        IMP_2015 = "imp2015", _("Indemnité pour mission particulière (décret 2015-475)")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    regime = models.CharField(_("régime"), max_length=10, choices=Regime.choices)
    min_cents = models.PositiveIntegerField(
        _("montant annuel minimum (centimes)"), null=True, blank=True
    )
    max_cents = models.PositiveIntegerField(
        _("montant annuel maximum (centimes)"), null=True, blank=True
    )
    rates_cents = models.JSONField(
        _("taux annuels autorisés (centimes)"),
        default=list,
        blank=True,
        help_text=_("Vide : tout montant entre le minimum et le maximum"),
    )
    instalments = models.PositiveSmallIntegerField(_("nombre de mensualités"), default=12)
    first_month = models.PositiveSmallIntegerField(_("mois de la première mensualité"), default=9)
    prorate_by_days = models.BooleanField(_("proratisation au jour près"), default=True)
    # The school years the regime applies to (décret 2010-1065: 2010-2011 to 2014-2015;
    # IMP from 2015-2016): an appointment under a regime not in force is refused.
    in_force_from = models.DateField(_("en vigueur à partir du"), default=dt.date(2010, 9, 1))
    in_force_until = models.DateField(
        _("en vigueur jusqu'au"), null=True, blank=True, help_text=_("Vide : toujours en vigueur")
    )

    class Meta:
        verbose_name = _("régime d'indemnité")
        verbose_name_plural = _("régimes d'indemnité")
        constraints = [
            models.CheckConstraint(
                condition=Q(instalments__gte=1, instalments__lte=12),
                name="scheme_instalments_range",
            ),
            models.CheckConstraint(
                condition=Q(first_month__gte=1, first_month__lte=12),
                name="scheme_first_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_for(self, school_year) -> bool:
        """Whether the regime applies to the whole school year."""
        return self.in_force_from <= school_year.start and (
            self.in_force_until is None or school_year.end <= self.in_force_until
        )


class Envelope(models.Model):
    """The académie's allowance budget for a school year, in cents."""

    academy = models.ForeignKey(
        "training.Academy", on_delete=models.PROTECT, related_name="envelopes"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="envelopes")
    amount_cents = models.PositiveBigIntegerField(_("enveloppe (centimes)"))

    class Meta:
        verbose_name = _("enveloppe académique")
        verbose_name_plural = _("enveloppes académiques")
        constraints = [
            models.UniqueConstraint(fields=["academy", "school_year"], name="envelope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.academy} {self.school_year} : {self.amount_cents / 100:.2f} €"


class ExportedInstalmentError(ReferentError):
    """An instalment already sent to payroll cannot change: correct it with a new row."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "Cette mensualité a déjà été exportée en paie : elle ne peut plus changer. "
                "Saisissez une correction."
            ),
            status=409,
        )


class AllowanceInstalmentQuerySet(models.QuerySet):
    """Exported rows are frozen, whatever the path (service, admin, shell): ``update`` and
    ``delete`` refuse to touch them. The export itself marks rows that are not exported."""

    def update(self, **kwargs):
        if self.filter(exported_at__isnull=False).exists():
            raise ExportedInstalmentError
        return super().update(**kwargs)

    def delete(self):
        if self.filter(exported_at__isnull=False).exists():
            raise ExportedInstalmentError
        return super().delete()


class PayrollExport(models.Model):
    """One sending of instalments to payroll by the rectorate: who, when, what. The file
    can be downloaded again from it (CSV or XLSX) without exporting anything twice."""

    academy = models.ForeignKey(
        "training.Academy", on_delete=models.PROTECT, related_name="payroll_exports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("exporté le"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export de paie")
        verbose_name_plural = _("exports de paie")

    def __str__(self) -> str:
        return f"{self.academy} {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"


class AllowanceInstalment(models.Model):
    """One month's allowance for an appointment (or a correction, with its reason).
    Regular rows are unique per appointment and month: the monthly job can run twice.
    Once exported to payroll a row never changes (see the queryset and ``save``)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Mensualité")
        CORRECTION = "correction", _("Correction")

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="instalments"
    )
    month = models.DateField(_("mois"), help_text=_("Premier jour du mois"))
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    amount_cents = models.IntegerField(_("montant (centimes)"))
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    service_done_at = models.DateTimeField(_("service fait le"), null=True, blank=True)
    service_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("exporté en paie le"), null=True, blank=True)
    export = models.ForeignKey(
        PayrollExport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instalments",
        verbose_name=_("export de paie"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AllowanceInstalmentQuerySet.as_manager()

    class Meta:
        ordering = ["month", "pk"]
        verbose_name = _("mensualité d'indemnité")
        verbose_name_plural = _("mensualités d'indemnité")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "month"],
                condition=Q(kind="regular"),
                name="one_regular_instalment_per_month",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="instalment_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment} {self.month:%m/%Y} : {self.amount_cents / 100:.2f} €"

    def save(self, *args, **kwargs):
        if self.pk is not None and (
            type(self).objects.filter(pk=self.pk, exported_at__isnull=False).exists()
        ):
            raise ExportedInstalmentError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.exported_at is not None or (
            type(self).objects.filter(pk=self.pk, exported_at__isnull=False).exists()
        ):
            raise ExportedInstalmentError
        return super().delete(*args, **kwargs)
