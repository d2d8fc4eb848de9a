from django.contrib import admin

from training import models


@admin.register(models.Academy)
class AcademyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class HolidayInline(admin.TabularInline):
    model = models.HolidayPeriod
    extra = 0


class AcademyZoneInline(admin.TabularInline):
    model = models.AcademyZone
    extra = 0
    autocomplete_fields = ["academy"]


@admin.register(models.SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "closed_at"]
    inlines = [HolidayInline, AcademyZoneInline]


@admin.register(models.HolidayPeriod)
class HolidayPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "school_year", "classes_end", "classes_resume"]
    list_filter = ["school_year", "zone"]


@admin.register(models.AcademyZone)
class AcademyZoneAdmin(admin.ModelAdmin):
    list_display = ["academy", "school_year", "zone"]
    list_filter = ["school_year", "zone"]
    list_select_related = ["academy", "school_year"]


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "academy"]
    list_filter = ["kind", "academy"]
    search_fields = ["name"]
    list_select_related = ["academy"]


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "kind", "degree", "city", "district", "academy"]
    list_filter = ["degree", "kind", "academy"]
    search_fields = ["uai", "name", "city"]
    list_select_related = ["academy", "district"]
    autocomplete_fields = ["district"]


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["staff_id", "full_name", "school", "position", "discipline", "degree", "active"]
    list_filter = ["degree", "position", "active"]
    search_fields = [
        "staff_id",
        "user__last_name",
        "user__first_name",
        "user__email",
        "school__uai",
    ]
    list_select_related = ["user", "school"]
    autocomplete_fields = ["user", "school"]


@admin.register(models.RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "academy", "created_at"]
    list_filter = ["role", "academy"]
    search_fields = ["user__username", "user__last_name", "school__uai"]
    list_select_related = ["user", "school", "academy"]
    autocomplete_fields = ["user", "school", "academy"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        # A token's secret is shown once to its owner: it is created from his page.
        return False


class PriorityInline(admin.TabularInline):
    model = models.Priority
    extra = 0


class HoursTargetInline(admin.TabularInline):
    model = models.HoursTarget
    extra = 0


@admin.register(models.TrainingPlan)
class TrainingPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "school_year"]
    inlines = [PriorityInline, HoursTargetInline]


@admin.register(models.Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "order"]
    list_filter = ["plan"]


@admin.register(models.HoursTarget)
class HoursTargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "degree", "target_minutes", "min_training_minutes", "online_allowed"]


class DomainInline(admin.TabularInline):
    model = models.Domain
    extra = 0


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "min_validated_items", "max_missing_per_domain"]
    inlines = [DomainInline]


class ItemInline(admin.TabularInline):
    model = models.Item
    extra = 0


@admin.register(models.Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "framework", "block_code"]
    list_filter = ["framework"]
    inlines = [ItemInline]


@admin.register(models.Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "domain"]
    list_filter = ["domain__framework", "domain"]
    search_fields = ["code", "title"]
    list_select_related = ["domain"]


class PhaseInline(admin.TabularInline):
    model = models.ParcoursPhase
    extra = 0


@admin.register(models.ParcoursTemplate)
class ParcoursTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    inlines = [PhaseInline]


@admin.register(models.ParcoursPhase)
class ParcoursPhaseAdmin(admin.ModelAdmin):
    list_display = ["template", "order", "title", "modality", "minutes"]
    list_filter = ["template"]


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "academy", "school_year", "priority", "kind", "degree"]
    list_filter = ["academy", "school_year", "kind", "priority"]
    search_fields = ["code", "title"]
    list_select_related = ["academy", "school_year", "priority"]


@admin.register(models.Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "programme"]
    search_fields = ["code", "title", "programme__code"]
    list_select_related = ["programme"]
    filter_horizontal = ["items"]


class SlotInline(admin.TabularInline):
    model = models.Slot
    fk_name = "session"
    extra = 0
    fields = [
        "modality",
        "title",
        "start",
        "end",
        "credited_minutes",
        "school",
        "room",
        "video_url",
        "status",
    ]
    autocomplete_fields = ["school"]


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "capacity", "approval", "host_school", "district"]
    list_filter = ["status", "approval", "module__programme__academy"]
    search_fields = ["module__title", "module__programme__code"]
    list_select_related = ["module", "host_school", "district"]
    autocomplete_fields = ["host_school", "trainers"]
    inlines = [SlotInline]


@admin.register(models.Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "modality", "start", "end", "school", "room", "status", "sequence"]
    list_filter = ["modality", "status"]
    list_select_related = ["session__module", "school"]
    readonly_fields = ["sequence"]


class EventInline(admin.TabularInline):
    model = models.EnrolmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Read-only: enrolments change through the services (history, seats, e-mails)."""

    list_display = ["staff", "session", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["staff__user__last_name", "staff__staff_id", "session__module__title"]
    list_select_related = ["staff__user", "session__module"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(models.EnrolmentEvent)
class EnrolmentEventAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "from_state", "to_state", "actor", "at"]
    list_select_related = ["enrolment__staff__user", "enrolment__session__module", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["template", "recipient", "created_at", "sent_at"]
    list_filter = ["template"]
    list_select_related = ["recipient"]
    readonly_fields = [
        "key",
        "recipient",
        "template",
        "enrolment",
        "session",
        "reason",
        "created_at",
        "sent_at",
    ]


@admin.register(models.CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        # The secret is shown once to its owner: links are created from his page.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only through the services (history, ledger, e-mails): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["staff", "slot", "status", "minutes", "recorded_by", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["staff__user", "slot__session__module", "recorded_by"]


@admin.register(models.HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "staff",
        "slot",
        "minutes",
        "source",
        "modality",
        "school_year",
        "author",
        "created_at",
    ]
    list_filter = ["school_year", "source", "modality"]
    search_fields = ["staff__staff_id", "staff__user__last_name"]
    list_select_related = ["staff__user", "slot__session__module", "school_year", "author"]


@admin.register(models.ItemEvidence)
class ItemEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["staff", "item", "state", "source", "author", "at"]
    list_filter = ["state", "source"]
    list_select_related = ["staff__user", "item", "author"]


@admin.register(models.TeachingSituation)
class TeachingSituationAdmin(ReadOnlyAdmin):
    list_display = ["staff", "date", "group", "validated_by", "validated_at"]
    search_fields = ["staff__staff_id", "staff__user__last_name", "group"]
    list_select_related = ["staff__user", "validated_by"]


# Anomalies and closings are written by the scan and the closing service only.
@admin.register(models.Anomaly)
class AnomalyAdmin(ReadOnlyAdmin):
    list_display = ["code", "academy", "school_year", "message", "found_at", "resolved_at"]
    list_filter = ["code", "academy", "school_year"]
    list_select_related = ["academy", "school_year"]


@admin.register(models.AcademyYearClosure)
class AcademyYearClosureAdmin(ReadOnlyAdmin):
    list_display = ["academy", "school_year", "closed_at", "closed_by", "open_anomalies"]
    list_select_related = ["academy", "school_year", "closed_by"]


# School training plans: written by their services only (history, transitions).
class SchoolPlanLineInline(admin.TabularInline):
    model = models.SchoolPlanLine
    extra = 0
    can_delete = False
    fields = ["theme", "module", "priority", "planned_minutes", "modality"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.SchoolPlan)
class SchoolPlanAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "version", "status", "submitted_at", "approved_at"]
    list_filter = ["school_year", "status"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year"]
    inlines = [SchoolPlanLineInline]


@admin.register(models.SchoolPlanLine)
class SchoolPlanLineAdmin(ReadOnlyAdmin):
    list_display = ["plan", "theme", "module", "priority", "planned_minutes", "modality"]
    list_select_related = ["plan__school", "plan__school_year", "module", "priority"]


@admin.register(models.SchoolPlanEvent)
class SchoolPlanEventAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "from_status", "to_status", "author", "at"]
    list_filter = ["action"]
    list_select_related = ["plan__school", "plan__school_year", "author"]


@admin.register(models.TrainingNeed)
class TrainingNeedAdmin(ReadOnlyAdmin):
    list_display = ["staff", "school", "school_year", "theme", "modality", "created_at"]
    list_filter = ["school_year", "modality"]
    search_fields = ["theme", "school__uai", "staff__user__last_name"]
    list_select_related = ["staff__user", "school", "school_year"]


@admin.register(models.ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["report", "format", "author", "status", "progress", "rows", "created_at"]
    list_filter = ["status", "format", "report"]
    list_select_related = ["author"]


@admin.register(models.ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["kind", "filename", "academy", "author", "status", "lines", "created_at"]
    list_filter = ["kind", "status", "academy"]
    exclude = ["content"]
    list_select_related = ["academy", "author"]
