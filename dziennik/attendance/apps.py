from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "dziennik.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self):
        from dziennik.core.cache import register_apart_models, register_dated_models

        from .models import AbsenceNotice, AttendanceAlert, AttendanceMark, Justification, Lesson

        # A recorded change of these rows moves the attendance's share of each month its
        # dates fall in (the student's attendance page keeps its parts per month).
        register_dated_models(
            {
                AttendanceMark: "date",
                Lesson: "date",
                Justification: "date_from..date_to",
                AbsenceNotice: "date_from..date_to",
                AttendanceAlert: "date",
            }
        )
        # The student page's excuses, warnings and announcements are kept apart from its
        # months: a new mark does not rebuild them.
        register_apart_models([Justification, AbsenceNotice, AttendanceAlert])
