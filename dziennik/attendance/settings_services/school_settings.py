"""Writes to the school's attendance settings (its statute's choices)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency

from ..models import AttendanceSettings
from ..tasks import attendance_alerts_sweep
from .base import add_error as _add
from .base import lock_school as _lock_school
from .base import school_of as _school_of

SETTINGS_LIMITS = {
    "justification_deadline_days": (0, 365),
    "risk_threshold_percent": (0, 100),
    "risk_minimum_lessons": (1, 200),
}
SETTINGS_FIELDS = ("adult_students_may_justify", *SETTINGS_LIMITS)
RISK_FIELDS = ("risk_threshold_percent", "risk_minimum_lessons")


def settings_version(config: AttendanceSettings) -> str:
    """The version of the school's attendance rules a form shows (the defaults' when
    the school has never changed them)."""
    return concurrency.version_of([config]) if config.pk else ""


@transaction.atomic
def attendance_settings_update(
    *, actor: User, version: str | None = None, **changes
) -> AttendanceSettings:
    """The principal changes the school's attendance rules (its statute's choices).
    ``version`` is what the form showed (``settings_version``): a form based on older
    rules is refused (``StaleEdit``).

    When the non-classification risk rule changes, the school's warnings of the current
    term are checked again once the change is committed.
    """
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown attendance settings: {sorted(unknown)}")
    school_id = _school_of(actor)
    _lock_school(school_id)  # the first save of two at once must not both insert
    config = AttendanceSettings.objects.filter(school_id=school_id).first()
    created = config is None
    if created:
        config = AttendanceSettings(school_id=school_id)
    concurrency.require_version(version, settings_version(config))
    before = audit.snapshot(config)
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name in SETTINGS_LIMITS:
            low, high = SETTINGS_LIMITS[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                _add(
                    errors,
                    name,
                    _("Enter a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high},
                )
                continue
        else:
            value = bool(value)
        setattr(config, name, value)
    if errors:
        raise ValidationError(errors)
    after = audit.snapshot(config)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed and not created:
        return config
    config.save()
    if created:
        # The school worked under the defaults until now: they are the old values.
        audit.record_many(
            [audit.build_entry(actor=actor, instance=config, action="create", changes=changed)]
        )
    else:
        audit.record_update(actor=actor, instance=config, before=before)
    if set(changed) & set(RISK_FIELDS):
        day = timezone.localdate().isoformat()
        transaction.on_commit(lambda: attendance_alerts_sweep.enqueue(school_id, day))
    return config
