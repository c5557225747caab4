from django.contrib import admin

from dziennik.core.admin import ViewOnlyAdmin

from .models import AttendanceKind, AttendanceSettings, SubjectExemption


@admin.register(AttendanceKind)
class AttendanceKindAdmin(ViewOnlyAdmin):
    list_display = ("code", "name", "base", "counts_as", "shortcut", "school", "is_active")
    list_filter = ("school", "base", "counts_as")


@admin.register(AttendanceSettings)
class AttendanceSettingsAdmin(ViewOnlyAdmin):
    list_display = ("school", "adult_students_may_justify", "justification_deadline_days")


@admin.register(SubjectExemption)
class SubjectExemptionAdmin(ViewOnlyAdmin):
    list_display = ("student", "subject", "date_from", "date_to", "must_attend")
    raw_id_fields = ("student", "subject")
