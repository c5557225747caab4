"""Writes to the school's attendance rules: attendance kinds (*kategorie frekwencji*),
the school's attendance settings and students' subject exemptions (*zwolnienia z
zajęć*, A-04).

Every service takes the actor (a ``User``), asks ``permissions`` whether they may make
the change, runs in one transaction and records the change in the history
(``dziennik.core.audit``). Kinds, settings and exemptions are configuration: saving them
moves the school's configuration cache version (``core.cache.config_scope``) through the
signals of ``core.apps``; the default kinds, written in bulk, move it themselves
(``services.attendance_kinds_ensure_defaults``).

A package of topic modules; every public name stays importable from here:
``kind_rules`` (what makes a kind valid), ``kinds``, ``school_settings``, ``exemptions``.
"""

from .exemptions import (
    subject_exemption_create,
    subject_exemption_end,
    subject_exemption_withdraw,
)
from .kind_rules import (
    CODE_PATTERN,
    DEFAULT_COLOUR,
    EXCUSED_BASES,
    JUSTIFIABLE_BASES,
    KIND_FIELDS,
    MAX_ORDER,
    MEANING_FIELDS,
    SHORTCUT_PATTERN,
    Base,
    Counts,
    colour_error,
)
from .kinds import (
    attendance_kind_create,
    attendance_kind_delete,
    attendance_kind_update,
    attendance_kinds_setup,
)
from .school_settings import (
    RISK_FIELDS,
    SETTINGS_FIELDS,
    SETTINGS_LIMITS,
    attendance_settings_update,
    settings_version,
)

__all__ = [
    "CODE_PATTERN",
    "DEFAULT_COLOUR",
    "EXCUSED_BASES",
    "JUSTIFIABLE_BASES",
    "KIND_FIELDS",
    "MAX_ORDER",
    "MEANING_FIELDS",
    "RISK_FIELDS",
    "SETTINGS_FIELDS",
    "SETTINGS_LIMITS",
    "SHORTCUT_PATTERN",
    "Base",
    "Counts",
    "attendance_kind_create",
    "attendance_kind_delete",
    "attendance_kind_update",
    "attendance_kinds_setup",
    "attendance_settings_update",
    "colour_error",
    "settings_version",
    "subject_exemption_create",
    "subject_exemption_end",
    "subject_exemption_withdraw",
]
