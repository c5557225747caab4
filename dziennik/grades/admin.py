from django.contrib import admin

from .models import AverageThreshold, GradeCategory, GradingSettings, PointScaleStep, SpecialMark


@admin.register(GradingSettings)
class GradingSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "school",
        "plus_value",
        "minus_value",
        "correction_policy",
        "comparisons_enabled",
    )
    readonly_fields = ("plus_value", "minus_value", "correction_policy", "comparisons_enabled")


@admin.register(GradeCategory)
class GradeCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "weight", "counts_towards_average", "is_homework")
    list_filter = ("school",)


@admin.register(SpecialMark)
class SpecialMarkAdmin(admin.ModelAdmin):
    list_display = ("symbol", "school", "rule", "value", "convert_count")
    list_filter = ("school",)


@admin.register(PointScaleStep)
class PointScaleStepAdmin(admin.ModelAdmin):
    list_display = ("school", "min_percent", "symbol")
    list_filter = ("school",)


@admin.register(AverageThreshold)
class AverageThresholdAdmin(admin.ModelAdmin):
    list_display = ("school", "grade", "min_average")
    list_filter = ("school",)
