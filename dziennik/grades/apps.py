from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradesConfig(AppConfig):
    name = "dziennik.grades"
    label = "grades"
    verbose_name = _("Grades")

    def ready(self):
        from dziennik.core.cache import register_subject_models

        from .models import Assessment, ClassificationGrade, Grade

        # A recorded change of these rows moves the cache scope of its subject (the
        # grade overview keeps each subject's row per that scope).
        register_subject_models(
            {
                Grade: "assessment__subject",
                Assessment: "subject",
                ClassificationGrade: "subject",
            }
        )
