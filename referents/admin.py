from django.contrib import admin

from referents import models
from referents.models import Appointment
from training.admin import ReadOnlyAdmin


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["staff", "school", "school_year", "state", "start", "end"]
    list_filter = ["state", "school_year"]
    search_fields = ["staff__user__last_name", "school__uai", "school__name"]
    list_select_related = ["staff__user", "school", "school_year"]
    autocomplete_fields = ["staff", "school"]


@admin.register(models.AllowanceScheme)
class AllowanceSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regime", "instalments", "first_month", "prorate_by_days"]


@admin.register(models.Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    list_display = ["academy", "school_year", "amount_cents"]
    list_select_related = ["academy", "school_year"]


@admin.register(models.AllowanceInstalment)
class AllowanceInstalmentAdmin(ReadOnlyAdmin):
    """Read-only: the ledger changes through the services (corrections are new rows)."""

    list_display = [
        "appointment",
        "month",
        "kind",
        "amount_cents",
        "service_done_at",
        "exported_at",
    ]
    list_filter = ["kind", "month"]
    list_select_related = ["appointment__staff__user", "appointment__school"]


@admin.register(models.MissionLog)
class MissionLogAdmin(admin.ModelAdmin):
    list_display = ["appointment", "date", "category", "minutes"]
    list_filter = ["category"]
    list_select_related = ["appointment__staff__user", "appointment__school"]


@admin.register(models.SchoolMission)
class SchoolMissionAdmin(admin.ModelAdmin):
    list_display = ["school", "shared", "updated_by", "updated_at"]
    list_filter = ["shared"]
    list_select_related = ["school", "updated_by"]
    autocomplete_fields = ["school"]


@admin.register(models.PayrollExport)
class PayrollExportAdmin(ReadOnlyAdmin):
    """Read-only: an export is a fact (its rows are frozen)."""

    list_display = ["academy", "created_at", "created_by"]
    list_select_related = ["academy", "created_by"]
