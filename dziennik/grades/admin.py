"""The grading rules in the Django admin: shown, never changed there. The principal
changes them on the register's own screens (``views_settings``, ``views.school_settings``),
whose services check the rules, record the history and recompute the stored averages."""

from django.contrib import admin

from dziennik.core.admin import ViewOnlyAdmin

from .models import AverageThreshold, GradeCategory, GradingSettings, PointScaleStep, SpecialMark


@admin.register(GradingSettings)
class GradingSettingsAdmin(ViewOnlyAdmin):
    list_display = (
        "school",
        "plus_value",
        "minus_value",
        "correction_policy",
        "comparisons_enabled",
    )


@admin.register(GradeCategory)
class GradeCategoryAdmin(ViewOnlyAdmin):
    list_display = (
        "name",
        "school",
        "weight",
        "counts_towards_average",
        "is_homework",
        "is_active",
    )
    list_filter = ("school",)


@admin.register(SpecialMark)
class SpecialMarkAdmin(ViewOnlyAdmin):
    list_display = ("symbol", "school", "rule", "value", "convert_count")
    list_filter = ("school",)


@admin.register(PointScaleStep)
class PointScaleStepAdmin(ViewOnlyAdmin):
    list_display = ("school", "min_percent", "symbol")
    list_filter = ("school",)


@admin.register(AverageThreshold)
class AverageThresholdAdmin(ViewOnlyAdmin):
    list_display = ("school", "grade", "min_average")
    list_filter = ("school",)
