"""The directory: académies, school years and holidays, schools and their staff."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.validators import validate_uai


class Degree(models.IntegerChoices):
    FIRST = 1, _("1er degré")
    SECOND = 2, _("2nd degré")


class Zone(models.TextChoices):
    A = "A", _("Zone A")
    B = "B", _("Zone B")
    C = "C", _("Zone C")


class Academy(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("académie")
        verbose_name_plural = _("académies")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SchoolYearQuerySet(models.QuerySet):
    def containing(self, day: dt.date) -> SchoolYearQuerySet:
        return self.filter(start__lte=day, end__gte=day)

    def current(self, today: dt.date | None = None) -> SchoolYear | None:
        """The year containing today; between two years (or past the last one), the
        latest that has started; before any, the first. None when there is none."""
        today = today or timezone.localdate()
        return (
            self.containing(today).first()
            or self.filter(start__lte=today).order_by("-start").first()
            or self.order_by("start").first()
        )


class SchoolYear(models.Model):
    """An administrative school year (1 September – 31 August).

    ``closed_at`` is set when the rectorate locks the year: its ledgers are then frozen.
    """

    name = models.CharField(_("nom"), max_length=9, unique=True, help_text="2010-2011")
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    objects = SchoolYearQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="schoolyear_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AcademyZone(models.Model):
    """Holiday zone of an académie for one school year (the map changes over the years)."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="zones")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="academy_zones"
    )
    zone = models.CharField(_("zone"), max_length=1, choices=Zone.choices)

    class Meta:
        verbose_name = _("zone de vacances d'une académie")
        verbose_name_plural = _("zones de vacances des académies")
        constraints = [
            models.UniqueConstraint(fields=["academy", "school_year"], name="academyzone_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.academy.name} {self.school_year}: {self.zone}"


class HolidayPeriodQuerySet(models.QuerySet):
    def for_zone(self, school_year: SchoolYear, zone: str | None) -> HolidayPeriodQuerySet:
        """Holidays of a zone; periods with no zone (Toussaint, Noël, été) apply to all."""
        return self.filter(Q(zone="") | Q(zone=zone or ""), school_year=school_year)


class HolidayPeriod(models.Model):
    """School holidays: classes end on ``classes_end`` and resume on ``classes_resume``.

    This is how the official calendar reads ("fin des cours samedi 23 octobre, reprise
    jeudi 4 novembre"): the days off are the ones strictly between the two dates.
    """

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(_("nom"), max_length=50)
    zone = models.CharField(
        _("zone"),
        max_length=1,
        choices=Zone.choices,
        blank=True,
        help_text=_("Vide : toutes zones"),
    )
    classes_end = models.DateField(_("fin des cours"))
    classes_resume = models.DateField(_("reprise des cours"))

    objects = HolidayPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["classes_end", "zone"]
        verbose_name = _("période de vacances")
        verbose_name_plural = _("périodes de vacances")
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name", "zone"], name="holiday_unique"),
            models.CheckConstraint(
                condition=Q(classes_resume__gt=models.F("classes_end")),
                name="holiday_resume_after_end",
            ),
        ]

    def __str__(self) -> str:
        zone = f" {self.zone}" if self.zone else ""
        return f"{self.name}{zone} {self.school_year}"

    def contains(self, day: dt.date) -> bool:
        return self.classes_end < day < self.classes_resume


class District(models.Model):
    """A bassin de formation (2nd degré) or a circonscription (1er degré) of an académie."""

    class Kind(models.TextChoices):
        BASSIN = "bassin", _("Bassin")
        CIRCONSCRIPTION = "circonscription", _("Circonscription")

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="districts")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        ordering = ["academy", "kind", "name"]
        verbose_name = _("bassin ou circonscription")
        verbose_name_plural = _("bassins et circonscriptions")
        constraints = [
            models.UniqueConstraint(fields=["academy", "kind", "name"], name="district_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class SchoolKind(models.TextChoices):
    ECOLE_MATERNELLE = "ecole_maternelle", _("École maternelle")
    ECOLE_ELEMENTAIRE = "ecole_elementaire", _("École élémentaire")
    ECOLE_PRIMAIRE = "ecole_primaire", _("École primaire")
    COLLEGE = "college", _("Collège")
    LEGT = "legt", _("Lycée d'enseignement général et technologique")
    LP = "lp", _("Lycée professionnel")
    LPO = "lpo", _("Lycée polyvalent")
    EREA = "erea", _("EREA")


FIRST_DEGREE_KINDS = (
    SchoolKind.ECOLE_MATERNELLE,
    SchoolKind.ECOLE_ELEMENTAIRE,
    SchoolKind.ECOLE_PRIMAIRE,
)
SECOND_DEGREE_KINDS = tuple(k for k in SchoolKind if k not in FIRST_DEGREE_KINDS)


def degree_of_kind(kind: str) -> int:
    return Degree.FIRST if kind in FIRST_DEGREE_KINDS else Degree.SECOND


def school_search(text: str) -> Q:
    """Schools by name or town (part of it), or by exact UAI; empty text matches all."""
    text = (text or "").strip()
    if not text:
        return Q()
    return Q(name__icontains=text) | Q(city__icontains=text) | Q(uai__iexact=text)


class SchoolQuerySet(models.QuerySet):
    def search(self, text: str) -> SchoolQuerySet:
        return self.filter(school_search(text))


class School(models.Model):
    uai = models.CharField(
        _("UAI"),
        max_length=8,
        unique=True,
        validators=[validate_uai],
        help_text=_(
            "Identifiant de l'établissement (ex-RNE) : 7 chiffres et une lettre de contrôle."
        ),
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=SchoolKind.choices)
    degree = models.PositiveSmallIntegerField(_("degré"), choices=Degree.choices, editable=False)
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="schools")
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
        verbose_name=_("bassin ou circonscription"),
    )
    city = models.CharField(_("commune"), max_length=100, blank=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        constraints = [
            # The degree follows from the kind; the database refuses a mismatch too.
            models.CheckConstraint(
                condition=(
                    Q(degree=Degree.FIRST, kind__in=[k.value for k in FIRST_DEGREE_KINDS])
                    | Q(degree=Degree.SECOND, kind__in=[k.value for k in SECOND_DEGREE_KINDS])
                ),
                name="school_degree_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["academy", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.degree = degree_of_kind(self.kind)
        if kwargs.get("update_fields") is not None and "kind" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "degree"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.uai = (self.uai or "").strip().upper()
        if self.kind:
            self.degree = degree_of_kind(self.kind)
        if self.district_id and self.academy_id:
            if self.district.academy_id != self.academy_id:
                raise ValidationError(
                    {
                        "district": _(
                            "Ce bassin ou cette circonscription appartient à une autre académie."
                        )
                    }
                )
            expected = (
                District.Kind.CIRCONSCRIPTION
                if self.degree == Degree.FIRST
                else District.Kind.BASSIN
            )
            if self.district.kind != expected:
                raise ValidationError(
                    {
                        "district": _(
                            "Une école relève d'une circonscription, un établissement du 2nd degré "
                            "d'un bassin."
                        )
                    }
                )


class Staff(models.Model):
    """A member of staff (teacher, documentaliste, CPE) and his school.

    Names and email are the user's. ``staff_id`` is an opaque identifier from the
    rectorate's directory; the NUMEN is confidential and never stored.
    """

    class Position(models.TextChoices):
        TEACHER = "teacher", _("Enseignant")
        LIBRARIAN = "librarian", _("Professeur documentaliste")
        CPE = "cpe", _("CPE")
        OTHER = "other", _("Autre")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    staff_id = models.CharField(_("identifiant agent"), max_length=32, unique=True)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="staff", verbose_name=_("établissement")
    )
    position = models.CharField(
        _("fonction"), max_length=12, choices=Position.choices, default=Position.TEACHER
    )
    discipline = models.CharField(_("discipline"), max_length=100, blank=True)
    degree = models.PositiveSmallIntegerField(_("degré"), choices=Degree.choices)
    active = models.BooleanField(_("en poste"), default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("personnel")
        verbose_name_plural = _("personnels")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
