"""Filters of the HTML lists (django-filter), over querysets already scoped by
``training.permissions``."""

from __future__ import annotations

import datetime as dt

import django_filters
import django_filters.fields
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training import permissions
from training.forms import CatalogueFilterForm, DateInput
from training.models import Degree, District, Item, Modality, Module, Priority, Slot


def _midnight(day: dt.date) -> dt.datetime:
    """Start of a day in Paris (the current time zone), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _districts(request):
    if request is None:
        return District.objects.none()
    return District.objects.filter(academy__in=permissions.visible_academies(request.user))


def priority_choices() -> list[tuple[str, str]]:
    """Each priority of the national plans once, by its code (the same priority comes
    back in every year's plan), titled and ordered as in the latest plan."""
    latest: dict[str, tuple[int, str]] = {}
    for code, title, order in Priority.objects.order_by("plan__school_year__start").values_list(
        "code", "title", "order"
    ):
        latest[code] = (order, title)
    return [(code, title) for code, (_order, title) in sorted(latest.items(), key=lambda i: i[1])]


class ItemChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} — {obj.title[:70]}"


class ItemChoiceFilter(django_filters.ModelChoiceFilter):
    """A C2i2e item, shown with the beginning of its wording."""

    field_class = ItemChoiceField


class SessionFilter(django_filters.FilterSet):
    """The catalogue's filters. Degree and discipline keep the sessions meant for
    everyone (a programme with no degree or no discipline is open to all)."""

    q = django_filters.CharFilter(
        label=_("Rechercher"), method="filter_text", help_text=_("Intitulé, dispositif, lieu")
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priorité"),
        field_name="module__programme__priority__code",
        choices=priority_choices,
    )
    degree = django_filters.ChoiceFilter(
        label=_("Public"), choices=Degree.choices, method="filter_degree"
    )
    discipline = django_filters.CharFilter(label=_("Discipline"), method="filter_discipline")
    modality = django_filters.ChoiceFilter(
        label=_("Modalité"), choices=Modality.choices, method="filter_modality"
    )
    district = django_filters.ModelChoiceFilter(
        label=_("Bassin ou circonscription"), queryset=_districts, method="filter_district"
    )
    starts_after = django_filters.DateFilter(
        label=_("Début à partir du"), method="filter_starts_after", widget=DateInput()
    )
    starts_before = django_filters.DateFilter(
        label=_("Début au plus tard le"), method="filter_starts_before", widget=DateInput()
    )
    item = ItemChoiceFilter(
        label=_("Item C2i2e"),
        queryset=Item.objects.select_related("domain__framework"),
        method="filter_item",
    )

    class Meta:
        fields: list[str] = []
        form = CatalogueFilterForm

    # Filters on the slots or the items go through a subquery on the session ids, not a
    # join: a join would multiply the rows that ``with_counts()`` aggregates.

    def filter_text(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(module__title__icontains=word)
                | Q(module__code__icontains=word)
                | Q(module__programme__title__icontains=word)
                | Q(module__programme__code__icontains=word)
                | Q(location__icontains=word)
            )
        return queryset

    def filter_degree(self, queryset, name, value):
        return queryset.filter(
            Q(module__programme__degree=value) | Q(module__programme__degree__isnull=True)
        )

    def filter_discipline(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(module__programme__disciplines__icontains=value)
            | Q(module__programme__disciplines="")
        )

    def filter_modality(self, queryset, name, value):
        slots = Slot.objects.filter(modality=value).exclude(status=Slot.Status.CANCELLED)
        return queryset.filter(pk__in=slots.values("session_id"))

    def filter_district(self, queryset, name, value):
        slots = Slot.objects.filter(school__district=value).exclude(status=Slot.Status.CANCELLED)
        return queryset.filter(
            Q(district=value)
            | Q(host_school__district=value)
            | Q(pk__in=slots.values("session_id"))
        )

    def filter_starts_after(self, queryset, name, value):
        return queryset.filter(first_slot_start__gte=_midnight(value))

    def filter_starts_before(self, queryset, name, value):
        return queryset.filter(first_slot_start__lt=_midnight(value + dt.timedelta(days=1)))

    def filter_item(self, queryset, name, value):
        modules = Module.items.through.objects.filter(item=value).values("module_id")
        return queryset.filter(module_id__in=modules)
