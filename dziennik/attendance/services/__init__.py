"""Writes to the lesson register: attendance kinds, lessons and marks, justifications,
early-warning alerts. Every service takes the ``actor`` (a ``User``), asks the app's
policies (``permissions``) whether they may make the change, runs in one transaction
and records its changes in the history (``dziennik.core.audit``) with the student and
class they concern.

A package of topic modules; every public name stays importable from here: ``kinds``
(the default kinds), ``lessons`` (opening and saving lessons), ``justifications``.
The school's attendance rules and exemptions are ``settings_services``.
"""

from .justifications import (
    ALLOWED_ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    justification_decide,
    justification_submit,
    validate_attachment,
)
from .kinds import DEFAULT_KINDS, DefaultKind, attendance_kinds_ensure_defaults
from .lessons import TOPIC_MAX_LENGTH, alerts_check_later, lesson_open, lesson_save
from .notices import absence_notice_submit, absence_notice_withdraw

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "DEFAULT_KINDS",
    "MAX_ATTACHMENT_BYTES",
    "TOPIC_MAX_LENGTH",
    "DefaultKind",
    "absence_notice_submit",
    "absence_notice_withdraw",
    "alerts_check_later",
    "attendance_kinds_ensure_defaults",
    "justification_decide",
    "justification_submit",
    "lesson_open",
    "lesson_save",
    "validate_attachment",
]
