from django.contrib import admin

from .models import AttendanceKind, AttendanceSettings, SubjectExemption


@admin.register(AttendanceKind)
class AttendanceKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "base", "counts_as", "shortcut", "school", "is_active")
    list_filter = ("school", "base", "counts_as")


@admin.register(AttendanceSettings)
class AttendanceSettingsAdmin(admin.ModelAdmin):
    list_display = ("school", "adult_students_may_justify", "justification_deadline_days")


@admin.register(SubjectExemption)
class SubjectExemptionAdmin(admin.ModelAdmin):
    list_display = ("student", "subject", "date_from", "date_to", "must_attend")
    raw_id_fields = ("student", "subject")
