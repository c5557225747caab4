from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Models whose rows shape what many pages show (who may see what, names, rules). Their
# saves and deletes bump the cache's CONFIG version (see ``dziennik.core.cache``).
CONFIG_MODELS = (
    "accounts.User",
    "schools.School",
    "schools.SchoolYear",
    "schools.Term",
    "schools.DayOff",
    "schools.LessonSlot",
    "schools.Subject",
    "schools.SchoolClass",
    "schools.Family",
    "schools.Student",
    "schools.Enrolment",
    "schools.ClassGroup",
    "schools.Guardian",
    "schools.Guardianship",
    "schools.SchoolRole",
    "schools.TeachingAssignment",
    "timetable.Room",
    "timetable.TimetableEntry",
    "timetable.TimetableChange",
    "attendance.AttendanceSettings",
    "attendance.AttendanceKind",
    "attendance.SubjectExemption",
    "grades.GradingSettings",
    "grades.GradeCategory",
    "grades.SpecialMark",
    "grades.PointScaleStep",
    "grades.AverageThreshold",
)


class CoreConfig(AppConfig):
    name = "dziennik.core"
    label = "core"
    verbose_name = _("Register core")

    def ready(self):
        from . import checks  # noqa: F401 – registers the deployment checks
        from .cache import register_config_models

        register_config_models(*(apps.get_model(label) for label in CONFIG_MODELS))
