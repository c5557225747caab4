"""Term and final grades (and their proposals) and behaviour grades."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.models import Enrolment, SchoolClass, Student, Subject, Term
from dziennik.schools.viewer import get_viewer

from .. import permissions
from ..models import BehaviourGrade, ClassificationGrade


# --- classification -----------------------------------------------------------------------
@transaction.atomic
def classification_grade_set(
    *,
    actor,
    student: Student,
    school_class: SchoolClass,
    subject: Subject,
    term: Term,
    kind: str,
    is_proposal: bool,
    grade: int | None = None,
    text: str = "",
) -> ClassificationGrade | None:
    """Set a term or final grade (or its proposal); descriptive in classes 1–3."""
    if not permissions.can_grade(
        actor, school_class=school_class, subject_id=subject.pk, group_id=None
    ) and not _teaches_subject_in_any_group(actor, school_class, subject):
        raise PermissionDenied
    if not Enrolment.objects.filter(
        student=student, school_class=school_class, end_date__isnull=True
    ).exists():
        raise ValidationError(_("This student is not in the class."))
    text = (text or "").strip()
    if school_class.has_descriptive_grades:
        if grade is not None:
            raise ValidationError(
                _("Classes 1–3 get descriptive term and final grades, not numbers.")
            )
    elif text:
        raise ValidationError(_("Classes 4 and above get a grade from 1 to 6."))
    elif grade is not None and not 1 <= grade <= 6:
        raise ValidationError(_("The grade must be from 1 to 6."))
    return _set_or_clear(
        actor=actor,
        model=ClassificationGrade,
        lookup={
            "student": student,
            "subject": subject,
            "term": term,
            "kind": kind,
            "is_proposal": is_proposal,
        },
        values={"grade": grade, "text": text},
        school_class=school_class,
    )


def _set_or_clear(*, actor, model, lookup: dict, values: dict, school_class: SchoolClass):
    """Create, update or – when every value is empty – delete the one row of ``model``
    matching ``lookup`` (a term or behaviour grade), recording the change in the history."""
    links = {"student_id": lookup["student"].pk, "school_class_id": school_class.pk}
    existing = model.objects.select_for_update().filter(**lookup).first()
    if all(value in (None, "") for value in values.values()):
        if existing is not None:
            audit.record_delete(actor=actor, instance=existing, **links)
            existing.delete()
        return None
    if existing is None:
        existing = model.objects.create(
            **lookup,
            **values,
            school_id=school_class.school_id,
            school_class=school_class,
            teacher_id=get_viewer(actor).user_id,
        )
        audit.record_create(actor=actor, instance=existing, **links)
        return existing
    before = audit.snapshot(existing, fields=list(values))
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    audit.record_update(actor=actor, instance=existing, before=before, **links)
    return existing


def _teaches_subject_in_any_group(actor, school_class, subject) -> bool:
    v = get_viewer(actor)
    return school_class.assignments.filter(teacher_id=v.user_id, subject=subject).exists()


@transaction.atomic
def proposals_publish(*, actor, school_class: SchoolClass, subject: Subject, term: Term) -> int:
    """Show the class's proposed grades in a subject to parents and students."""
    if not permissions.can_grade(
        actor, school_class=school_class, subject_id=subject.pk, group_id=None
    ) and not _teaches_subject_in_any_group(actor, school_class, subject):
        raise PermissionDenied
    now = timezone.now()
    pending = list(
        ClassificationGrade.objects.select_for_update().filter(
            school_class=school_class,
            subject=subject,
            term=term,
            is_proposal=True,
            published_at__isnull=True,
        )
    )
    entries = []
    for cg in pending:
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=cg,
                action="update",
                changes={"published_at": [None, now.isoformat()]},
                student_id=cg.student_id,
                school_class_id=school_class.pk,
            )
        )
        cg.published_at = now
    ClassificationGrade.objects.bulk_update(pending, ["published_at"])
    audit.record_many(entries)
    return len(pending)


@transaction.atomic
def behaviour_grade_set(
    *,
    actor,
    student: Student,
    school_class: SchoolClass,
    term: Term,
    kind: str,
    value: str = "",
    text: str = "",
) -> BehaviourGrade | None:
    """The class teacher sets a behaviour grade; descriptive in classes 1–3 (B-01)."""
    if not permissions.can_set_behaviour(actor, school_class=school_class):
        raise PermissionDenied
    if not Enrolment.objects.filter(
        student=student, school_class=school_class, end_date__isnull=True
    ).exists():
        raise ValidationError(_("This student is not in the class."))
    text = (text or "").strip()
    if school_class.has_descriptive_grades:
        if value:
            raise ValidationError(_("Classes 1–3 get a descriptive behaviour grade."))
    elif text or (value and value not in BehaviourGrade.Value.values):
        raise ValidationError(_("Choose a behaviour grade from the scale."))
    return _set_or_clear(
        actor=actor,
        model=BehaviourGrade,
        lookup={"student": student, "term": term, "kind": kind},
        values={"value": value, "text": text},
        school_class=school_class,
    )
