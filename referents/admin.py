from django.contrib import admin

from referents.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["staff", "school", "school_year", "state", "start", "end"]
    list_filter = ["state", "school_year"]
    search_fields = ["staff__user__last_name", "school__uai", "school__name"]
    list_select_related = ["staff__user", "school", "school_year"]
    autocomplete_fields = ["staff", "school"]
