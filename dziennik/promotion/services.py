"""Writes of the promotion lists: each in one transaction, every step in the history.

prepare (the principal, any time before confirmation; again after a change of grades)
→ the council's decision (date and resolution number) → the principal's confirmation,
which freezes the list; afterwards only a documented correction of one entry
(``promotion_entry_correct``, its basis in words) changes it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.core.text import clean_text
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors
from .models import PromotionEntry, PromotionList

ENTRY_FIELDS = ["outcome", "average", "behaviour", "reasons"]


def _require_manager(actor: User, school_class: SchoolClass) -> None:
    if not permissions.promotion_classes.allows(get_viewer(actor), "manage", school_class):
        raise PermissionDenied


def _locked_list(school_class: SchoolClass) -> PromotionList | None:
    return PromotionList.objects.select_for_update().filter(school_class=school_class).first()


def _entry_log(actor: User, entry: PromotionEntry, action: str, changes: dict):
    return audit.build_entry(
        actor=actor,
        instance=entry,
        action=action,
        changes=changes,
        student_id=entry.student_id,
        school_class_id=entry.school_class_id,
        object_repr=f"{entry.student.full_name}: {entry.get_outcome_display()}",
    )


@transaction.atomic
def promotion_list_prepare(*, actor: User, school_class: SchoolClass) -> PromotionList:
    """The principal prepares (or prepares again) the class's list from its annual grades
    and behaviour. A list the council decided goes back to "prepared": the council
    decides on the list as it is now. A confirmed list is frozen."""
    _require_manager(actor, school_class)
    promotion_list = _locked_list(school_class)
    if promotion_list is not None and promotion_list.is_frozen:
        raise ValidationError(
            _("The list is confirmed: it changes only by a documented correction.")
        )
    now = timezone.now()
    links = {"school_class_id": school_class.pk}
    if promotion_list is None:
        promotion_list = PromotionList.objects.create(
            school_id=school_class.school_id, school_class=school_class, prepared_at=now
        )
        audit.record_create(actor=actor, instance=promotion_list, **links)
    else:
        before = audit.snapshot(promotion_list)
        promotion_list.status = PromotionList.Status.PREPARED
        promotion_list.prepared_at = now
        promotion_list.council_date = None
        promotion_list.resolution_number = ""
        promotion_list.save()
        audit.record_update(actor=actor, instance=promotion_list, before=before, **links)
    saved = {
        e.student_id: e
        for e in PromotionEntry.objects.select_for_update()
        .filter(promotion_list=promotion_list)
        .select_related("student")
    }
    logs, created, updated = [], [], []
    preview = selectors.promotion_preview(school_class)
    for row in preview:
        values = {
            "outcome": row.outcome,
            "average": row.average,
            "behaviour": row.behaviour,
            "reasons": "\n".join(row.reasons),
        }
        entry = saved.pop(row.student.pk, None)
        if entry is None:
            entry = PromotionEntry(
                promotion_list=promotion_list,
                school_id=school_class.school_id,
                school_class=school_class,
                student=row.student,
                **values,
            )
            created.append(entry)
            continue
        before = audit.snapshot(entry, fields=ENTRY_FIELDS)
        for name, value in values.items():
            setattr(entry, name, value)
        after = audit.snapshot(entry, fields=ENTRY_FIELDS)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            updated.append(entry)
            logs.append(_entry_log(actor, entry, "update", changes))
    gone = list(saved.values())  # students who left the class meanwhile
    for entry in gone:
        logs.append(_entry_log(actor, entry, "delete", {"outcome": [entry.outcome, None]}))
    if gone:
        PromotionEntry.objects.filter(pk__in=[e.pk for e in gone]).delete()
    if created:
        PromotionEntry.objects.bulk_create(created)
        for entry in created:
            values = audit.snapshot(entry, fields=ENTRY_FIELDS)
            logs.append(
                _entry_log(actor, entry, "create", {k: [None, v] for k, v in values.items()})
            )
    if updated:
        PromotionEntry.objects.bulk_update(updated, ENTRY_FIELDS)
    audit.record_many(logs)
    return promotion_list


@transaction.atomic
def promotion_decision_record(
    *,
    actor: User,
    school_class: SchoolClass,
    council_date: datetime.date | None,
    resolution_number: str,
) -> PromotionList:
    """Record the teachers' council's decision on the prepared list: the day of its
    meeting and the number of its resolution (*uchwała*)."""
    _require_manager(actor, school_class)
    promotion_list = _locked_list(school_class)
    if promotion_list is None:
        raise ValidationError(_("Prepare the list first."))
    if promotion_list.is_frozen:
        raise ValidationError(
            _("The list is confirmed: it changes only by a documented correction.")
        )
    errors = []
    resolution_number = clean_text(resolution_number)[:50]
    if council_date is None:
        errors.append(_("Enter the date of the council's meeting."))
    elif council_date > timezone.localdate():
        errors.append(_("The council's meeting cannot be in the future."))
    if not resolution_number:
        errors.append(_("Enter the number of the council's resolution."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(promotion_list)
    promotion_list.status = PromotionList.Status.DECIDED
    promotion_list.council_date = council_date
    promotion_list.resolution_number = resolution_number
    promotion_list.save()
    audit.record_update(
        actor=actor, instance=promotion_list, before=before, school_class_id=school_class.pk
    )
    return promotion_list


@transaction.atomic
def promotion_list_confirm(*, actor: User, school_class: SchoolClass) -> PromotionList:
    """The principal confirms the list the council decided: from now on it is frozen."""
    _require_manager(actor, school_class)
    promotion_list = _locked_list(school_class)
    if promotion_list is None or promotion_list.status != PromotionList.Status.DECIDED:
        raise ValidationError(_("Record the council's decision before confirming the list."))
    before = audit.snapshot(promotion_list)
    promotion_list.status = PromotionList.Status.CONFIRMED
    promotion_list.confirmed_at = timezone.now()
    promotion_list.confirmed_by = actor
    promotion_list.save()
    audit.record_update(
        actor=actor, instance=promotion_list, before=before, school_class_id=school_class.pk
    )
    return promotion_list


@transaction.atomic
def promotion_entry_correct(
    *, actor: User, entry: PromotionEntry, outcome: str, basis: str
) -> PromotionEntry:
    """A documented correction of one entry of a confirmed list (e.g. after a make-up
    or a classification exam): the new outcome and its basis, kept with the entry."""
    entry = (
        PromotionEntry.objects.select_for_update()
        .select_related("promotion_list", "school_class", "student")
        .get(pk=entry.pk)
    )
    _require_manager(actor, entry.school_class)
    if not entry.promotion_list.is_frozen:
        raise ValidationError(_("Before confirmation, prepare the list again instead."))
    basis = clean_text(basis)[:500]
    errors = []
    if outcome not in PromotionEntry.Outcome.values:
        errors.append(_("Choose the outcome."))
    if not basis:
        errors.append(_("Give the basis of the correction."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(entry, fields=["outcome", "correction"])
    stamp = timezone.localdate().strftime("%d.%m.%Y")
    entry.outcome = outcome
    entry.correction = "\n".join(filter(None, [entry.correction, f"{stamp}: {basis}"]))
    entry.save(update_fields=["outcome", "correction"])
    after = audit.snapshot(entry, fields=["outcome", "correction"])
    audit.record_many(
        [
            _entry_log(
                actor,
                entry,
                "update",
                {k: [before[k], after[k]] for k in before if before[k] != after[k]},
            )
        ]
    )
    return entry
