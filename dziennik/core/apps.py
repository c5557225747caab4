from django.apps import AppConfig, apps
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

# Models whose rows shape what many pages show (who may see what, names, rules), each
# with the way a row finds its school (``core.cache.school_resolver``). Their saves and
# deletes bump the configuration scope of that school (see ``dziennik.core.cache``).
# A user without a school (a superuser) bumps the scope of "no school".
CONFIG_MODELS = {
    "accounts.User": "school",
    "schools.School": "pk",
    "schools.SchoolYear": "school",
    "schools.Term": "school_year__school",
    "schools.DayOff": "school",
    "schools.LessonSlot": "school",
    "schools.Subject": "school",
    "schools.SchoolClass": "school",
    "schools.Family": "school",
    "schools.Student": "school",
    "schools.Enrolment": "school_class__school|student__school",
    "schools.ClassGroup": "school_class__school",
    "schools.Guardian": "school",
    "schools.Guardianship": "student__school|guardian__school",
    "schools.SchoolRole": "school",
    "schools.TeachingAssignment": "school",
    "timetable.Room": "school",
    "timetable.TimetableEntry": "school",
    "timetable.TimetableChange": "school",
    "attendance.AttendanceSettings": "school",
    "attendance.AttendanceKind": "school",
    "attendance.SubjectExemption": "school",
    "grades.GradingSettings": "school",
    "grades.GradeCategory": "school",
    "grades.SpecialMark": "school",
    "grades.PointScaleStep": "school",
    "grades.AverageThreshold": "school",
    "grades.ScaleGradeName": "school",
    "behaviour.BehaviourSettings": "school",
    "lucky.LuckySettings": "school",
    "keystroke.KeystrokeSettings": "school",
    "behaviour.BehaviourCategory": "school",
    "meetings.MeetingSettings": "school",
    "messaging.MessagingSettings": "school",
    "planner.PlannerSettings": "school",
    "plans.PlanSettings": "school",
    "plans.Plan": "school",
    "plans.Package": "school",
    "plans.Promotion": "package__school",
    "plans.Offer": "school",
}

# Fields whose changes no page shows: a login, a password change; the flag of a mark
# whose warnings wait for their background check.
QUIET_FIELDS = {
    "accounts.User": (
        "last_login",
        "password",
        "must_change_password",
        "activated_at",
        "session_generation",
    ),
    "attendance.AttendanceMark": ("alerts_pending",),
}

# Rows that point at a student or a class but are no register data: the history itself,
# the "last seen" mark of the grade page (part of that page's key, written through), and
# a class's credential letters waiting for download (no page shows them but their own),
# the register's XML exports (shown only on the records page, which is not cached), the
# printouts of the journals (shown only on the printing pages, built per request).
# The privacy app's rows (the log of staff reads of a student's pages, written on GET;
# data exports; rectification requests) are shown on no cached page, only on its own
# pages built per request.
NOT_REGISTER_DATA = (
    "core.AuditEntry",
    "grades.GradeVisit",
    "accounts.LetterJob",
    "records.RegisterExport",
    "printing.PrintJob",
    "privacy.StudentRead",
    "privacy.DataExport",
    "privacy.RectificationRequest",
    # Activation lists and their lines are shown only on their own pages, built per request.
    "plans.ActivationList",
    "plans.ActivationLine",
)
# Rows of a school that are no configuration and point at no student or class, whose
# services move their own cache scopes explicitly: an announcement moves its school's
# board (``notices.scopes.board_scope``); the day's lucky number is cached under its date;
# a teacher's consultation hours move the school's meetings (``meetings.scopes``).
# Messages move their recipients' mailboxes (``messaging.scopes.mailbox_scope``).
# Notifications and their deliveries are on no cached page: the notification centre and
# its unread count are built for each request; so is the SMS page with the school's SMS
# settings. The school's e-learning platforms (single sign-on) are on no cached page:
# their screen and the login through them read them anew. A year's archives likewise
# (the year close's pages and the principal's home, staff pages, are built for each
# request).
SELF_SCOPED = (
    "notices.Announcement",
    "lucky.LuckyNumber",
    "meetings.ConsultationSession",
    "messaging.Thread",
    "messaging.Message",
    "messaging.Attachment",
    "notifications.Notification",
    "notifications.Delivery",
    "sso.Platform",
    # OneRoster's clients and the school's namespace of roster ids: on no cached page (the
    # OneRoster screen and the API read them anew for each request).
    "oneroster.RosterClient",
    "oneroster.RosterSettings",
    # a destruction's protocol: on no cached page (the retention screen is built per
    # request); its service moves the scopes of whatever it destroyed
    "retention.DestructionProtocol",
    "notifications.SmsSettings",
    # The register's XML exports: on no cached page (the records page is built for each
    # request), so they move nothing.
    "records.RegisterExport",
    # The printouts of the journals likewise (the printing pages are built per request).
    "printing.PrintJob",
    # A person's data exports and rectification requests are on no cached page either
    # (their pages are built per request; NOT_REGISTER_DATA above).
    "privacy.DataExport",
    "privacy.RectificationRequest",
    "archive.YearArchive",
    # Learning tools (LTI) and their gradebook columns' settings: on no cached page (the
    # tools' and the links' screens are built for each request); the grades a tool gives
    # go through the grades' history, which moves their scopes.
    "lti.Tool",
    "lti.LineItem",
    # A family's purchases and payments are on no cached page (the plan page, the
    # activation lists and the revenue report are built for each request); the accesses
    # they activate are register data, moved by their history (the student).
    "plans.Purchase",
    "plans.Payment",
    # The school's bank account, its online orders and imported bank statements are on
    # no cached page either (the payment pages and the slip are built for each request).
    "plans.BankAccount",
    "plans.OnlineOrder",
    "plans.Statement",
    "plans.StatementLine",
    "plans.ActivationList",
)
# Register data is whatever points at a student or a class (``core.cache_guard``).
REGISTER_ANCHORS = ("schools.Student", "schools.SchoolClass")


class CoreConfig(AppConfig):
    name = "dziennik.core"
    label = "core"
    verbose_name = _("Register core")

    def ready(self):
        from . import cache_guard, checks, db_faults, db_router, history_checks  # noqa: F401 – registers the checks
        from .audit_chain import register_sqlite_functions
        from .cache import register_config_models

        # SQLite's history trigger hashes each new entry with a Python function.
        connection_created.connect(register_sqlite_functions, dispatch_uid="audit-chain")

        config = {apps.get_model(label): path for label, path in CONFIG_MODELS.items()}
        quiet = {apps.get_model(label): names for label, names in QUIET_FIELDS.items()}
        register_config_models(config, quiet)
        # Notes each request's writes, so a 503 can say whether a change was saved.
        db_faults.install()
        # Reads of read-only requests from a streaming replica, if one is configured.
        db_router.install()
        if getattr(settings, "CACHE_WRITE_GUARD", settings.DEBUG):
            cache_guard.install(
                config_models=config,
                ignored=[apps.get_model(label) for label in NOT_REGISTER_DATA],
                anchors=[apps.get_model(label) for label in REGISTER_ANCHORS],
            )
