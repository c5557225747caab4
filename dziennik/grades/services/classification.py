"""Term and final grades (and their proposals) and behaviour grades: one at a time, or a
class's whole sheet in one transaction – every cell is checked first, and one bad cell
saves nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency
from dziennik.core.params import parse_int
from dziennik.core.text import clean_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import Enrolment, SchoolClass, Student, Subject, Term
from dziennik.schools.services import ensure_year_open
from dziennik.schools.viewer import get_viewer

from .. import permissions
from ..models import BehaviourGrade, ClassificationGrade
from ..sheets import (
    BEHAVIOUR_COLUMNS,
    CLASSIFICATION_COLUMNS,
    CellError,
    CellInput,
    SheetInvalid,
    sheet_version,
)
from .current_grades import descriptive_text

KINDS = {ClassificationGrade.Kind.TERM, ClassificationGrade.Kind.FINAL}
OUTCOME = ClassificationGrade.Outcome


# --- the rules of one cell ------------------------------------------------------------------
def _classification_values(
    school_class: SchoolClass, grade: int | None, text: str, outcome: str = ""
) -> tuple[int | None, str, str]:
    """(grade, text, outcome) of a term or final grade, or ``ValidationError``:
    descriptive in classes 1–3, a grade from 1 to 6 above; or, instead of either,
    another outcome (G-11: not classified, exempt)."""
    text = descriptive_text(text)
    if outcome:
        if outcome not in ClassificationGrade.Outcome.values:
            raise ValidationError(_("Unknown outcome."))
        if grade is not None or text:
            raise ValidationError(_("Not classified or exempt is entered instead of a grade."))
        return None, "", outcome
    if school_class.has_descriptive_grades:
        if grade is not None:
            raise ValidationError(
                _("Classes 1–3 get descriptive term and final grades, not numbers.")
            )
    elif text:
        raise ValidationError(_("Classes 4 and above get a grade from 1 to 6."))
    elif grade is not None and not 1 <= grade <= 6:
        raise ValidationError(_("The grade must be from 1 to 6."))
    return grade, text, ""


# What a teacher types in a cell of the sheet for an outcome other than a grade (G-11).
TYPED_OUTCOMES = {"nkl": OUTCOME.UNCLASSIFIED, "zw": OUTCOME.EXEMPT}


def _typed_classification(school_class: SchoolClass, raw: str) -> tuple[int | None, str, str]:
    """(grade, text, outcome) from what was typed in a cell of the sheet: a grade, a
    descriptive text in classes 1–3, or ``nkl`` / ``zw``."""
    raw = (raw or "").strip()
    if raw.lower() in TYPED_OUTCOMES:
        return _classification_values(school_class, None, "", TYPED_OUTCOMES[raw.lower()])
    if school_class.has_descriptive_grades:
        return _classification_values(school_class, None, raw)
    grade = parse_int(raw, min_value=0, max_value=99)
    if raw and grade is None:
        shown = clean_text(raw)[:20]
        raise ValidationError(
            _("“%(value)s” is not a grade from 1 to 6 (nor nkl or zw).") % {"value": shown}
        )
    return _classification_values(school_class, grade, "")


def _outcome_details(row: ClassificationGrade | None, outcome: str) -> dict:
    """The reason and the classification exam of a not-classified grade: kept while it
    stays not classified, cleared when it becomes a grade or exempt."""
    if outcome == OUTCOME.UNCLASSIFIED and row is not None:
        return {
            "reason": row.reason,
            "reason_text": row.reason_text,
            "exam_allowed_on": row.exam_allowed_on,
            "exam_grade": row.exam_grade,
        }
    return {"reason": "", "reason_text": "", "exam_allowed_on": None, "exam_grade": None}


def _classification_row_values(row, grade, text, outcome) -> dict:
    return {"grade": grade, "text": text, "outcome": outcome, **_outcome_details(row, outcome)}


def _merge_cell(
    cell: CellInput,
    initial: Mapping[str, str] | None,
    typed: tuple,
    current: tuple,
    parse: Callable[[str], tuple],
) -> tuple | None:
    """The values to save in a cell of a stale sheet (``concurrency.merge`` of what the
    cell showed, what was typed and what is saved now); ``None`` for a conflict. A
    shown value that does not parse matches no saved one."""
    if initial is None or cell.name not in initial:
        return typed
    try:
        shown = parse(initial[cell.name])
    except ValidationError:
        shown = None
    values, conflict = concurrency.merge(shown, typed, current)
    return None if conflict else values


def _refuse(errors: list[CellError], conflicts: list[CellError], stale: bool) -> None:
    """Refuse the sheet (``SheetInvalid``) when a cell is bad or the sheet is stale:
    with ``initial``, stale means some cell was changed by both (named first)."""
    if errors or stale:
        raise SheetInvalid(
            [*conflicts, *errors], stale=stale, conflicts=[error.name for error in conflicts]
        )


def _conflict(cell: CellInput) -> CellError:
    return CellError(cell, _("changed by someone else meanwhile"))


def _behaviour_values(school_class: SchoolClass, value: str, text: str) -> tuple[str, str]:
    """(value, text) of a behaviour grade: descriptive in classes 1–3 (B-01), from the
    scale above."""
    value, text = clean_text(value), descriptive_text(text)
    if school_class.has_descriptive_grades:
        if value:
            raise ValidationError(_("Classes 1–3 get a descriptive behaviour grade."))
    elif text or (value and value not in BehaviourGrade.Value.values):
        raise ValidationError(_("Choose a behaviour grade from the scale."))
    return value, text


def _typed_behaviour(school_class: SchoolClass, raw: str) -> tuple[str, str]:
    if school_class.has_descriptive_grades:
        return _behaviour_values(school_class, "", raw)
    return _behaviour_values(school_class, raw, "")


# --- shared checks and the writer -------------------------------------------------------------
def _enrolled(school_class: SchoolClass, student_ids: Iterable[int]) -> set[int]:
    """Which of the students are in the class now (one query)."""
    return set(
        Enrolment.objects.filter(
            school_class=school_class, end_date__isnull=True, student_id__in=set(student_ids)
        )
        .order_by()
        .values_list("student_id", flat=True)
    )


def _require_open_year(actor: User, school_class: SchoolClass, term: Term) -> None:
    """The term is of the class's year, and that year is not closed (L-12)."""
    if term.school_year_id != school_class.school_year_id:
        raise ValidationError(_("Choose a term of this school year."))
    ensure_year_open(actor=actor, school_year_id=term.school_year_id)


def _write_rows(
    *,
    actor: User,
    model: type[Model],
    school_class: SchoolClass,
    rows: Sequence[tuple[Model | None, dict, dict]],
) -> tuple[list[Model | None], int]:
    """For each ``(saved row or None, lookup, values)``: create the row, update it, or –
    when every value is empty – delete it, with the history. A fixed number of queries
    whatever the number of rows; unchanged rows are not written. Returns the rows as
    they are now (``None``: none) and how many changed."""
    now = timezone.now()
    created, updated, deleted, entries, result = [], [], [], [], []
    for row, lookup, values in rows:
        links = {"student_id": lookup["student_id"], "school_class_id": school_class.pk}
        if all(value in (None, "") for value in values.values()):
            if row is not None:
                deleted.append(row)
                entries.append(_entry(actor, row, "delete", audit.snapshot(row), links))
            result.append(None)
            continue
        if row is None:
            row = model(
                **lookup,
                **values,
                school_id=school_class.school_id,
                school_class=school_class,
                teacher_id=actor.pk,
            )
            created.append((row, links))
        else:
            before = audit.snapshot(row, fields=list(values))
            for name, value in values.items():
                setattr(row, name, value)
            after = audit.snapshot(row, fields=list(values))
            changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            if changes:
                row.updated_at = now
                updated.append(row)
                entries.append(_entry(actor, row, "update", changes, links))
        result.append(row)
    if deleted:
        model.objects.filter(pk__in=[row.pk for row in deleted]).delete()
    if created:
        model.objects.bulk_create([row for row, _links in created])
        entries.extend(
            _entry(actor, row, "create", audit.snapshot(row), links) for row, links in created
        )
    if updated:
        model.objects.bulk_update(updated, [*rows[0][2], "updated_at"])
    if entries:
        audit.record_many(entries)
    return result, len(entries)


def _entry(actor: User, row: Model, action: str, values: dict, links: dict):
    """A history entry; ``values`` are the changes of an update, or the row's snapshot
    (what it became, or what it was) for a create or a delete."""
    if action == "create":
        values = {name: [None, value] for name, value in values.items()}
    elif action == "delete":
        values = {name: [value, None] for name, value in values.items()}
    return audit.build_entry(actor=actor, instance=row, action=action, changes=values, **links)


def _require_classifier(actor: User, school_class: SchoolClass, subject: Subject) -> None:
    viewer = get_viewer(actor)
    if not permissions.can_classify(viewer, school_class=school_class, subject_id=subject.pk):
        raise PermissionDenied


def _saved_classification(
    student_ids: Iterable[int], subject: Subject, term: Term
) -> dict[tuple[int, str, bool], ClassificationGrade]:
    """The saved term and final grades of the students, locked until the save ends.
    The students are locked first: a grade not saved yet has no row to lock, and two
    saves creating it at once would otherwise collide on its unique key."""
    student_ids = set(student_ids)
    concurrency.locked(Student.objects.filter(pk__in=student_ids).only("pk"))
    return {
        (cg.student_id, cg.kind, cg.is_proposal): cg
        for cg in ClassificationGrade.objects.select_for_update()
        .filter(student_id__in=set(student_ids), subject=subject, term=term)
        .order_by("pk")
    }


# --- term and final grades ------------------------------------------------------------------
@transaction.atomic
def classification_grade_set(
    *,
    actor: User,
    student: Student,
    school_class: SchoolClass,
    subject: Subject,
    term: Term,
    kind: str,
    is_proposal: bool,
    grade: int | None = None,
    text: str = "",
    outcome: str = "",
) -> ClassificationGrade | None:
    """Set a term or final grade (or its proposal); descriptive in classes 1–3; or, in
    its place, ``outcome`` (G-11: ``nkl`` not classified, ``zw`` exempt). Empty input
    removes it."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind: {kind!r}")
    _require_classifier(actor, school_class, subject)
    _require_open_year(actor, school_class, term)
    if student.pk not in _enrolled(school_class, [student.pk]):
        raise ValidationError(_("This student is not in the class."))
    grade, text, outcome = _classification_values(school_class, grade, text, outcome)
    saved = _saved_classification([student.pk], subject, term)
    lookup = {
        "student_id": student.pk,
        "subject": subject,
        "term": term,
        "kind": kind,
        "is_proposal": is_proposal,
    }
    row = saved.get((student.pk, kind, is_proposal))
    values = _classification_row_values(row, grade, text, outcome)
    notices = _classification_notices(subject, [(row, lookup, values)])
    written, _count = _write_rows(
        actor=actor,
        model=ClassificationGrade,
        school_class=school_class,
        rows=[(row, lookup, values)],
    )
    _notify_classification(school_class.school_id, notices)
    return written[0]


@transaction.atomic
def classification_sheet_save(
    *,
    actor: User,
    school_class: SchoolClass,
    subject: Subject,
    term: Term,
    cells: Iterable[CellInput],
    based_on: str | None = None,
    initial: Mapping[str, str] | None = None,
) -> int:
    """Save a class's sheet of term and final grades and proposals in one subject and
    term: every cell is checked first, and on any bad cell nothing is saved
    (``SheetInvalid`` names each one: student, column, reason).

    ``initial`` (cell name → what the cell showed) makes a stale sheet merge: a cell
    the user did not change keeps what is saved now, one changed by the user only is
    saved, and one changed by both differently refuses the save, named as a bad cell
    (``SheetInvalid.stale``). Without it, ``based_on`` – the version of the whole sheet
    the form showed (``sheets.sheet_version``) – refuses any stale save. Returns how
    many grades changed."""
    cells = list(cells)
    _require_classifier(actor, school_class, subject)
    _require_open_year(actor, school_class, term)
    if any(cell.column not in CLASSIFICATION_COLUMNS for cell in cells):
        raise ValueError("A cell of another sheet")
    enrolled = _enrolled(school_class, (cell.student.pk for cell in cells))
    saved = _saved_classification((cell.student.pk for cell in cells), subject, term)
    errors, rows, conflicts = [], [], []
    for cell in cells:
        try:
            if cell.student.pk not in enrolled:
                raise ValidationError(_("This student is not in the class."))
            typed = _typed_classification(school_class, cell.raw)
        except ValidationError as exc:
            errors.append(CellError(cell, " ".join(exc.messages)))
            continue
        key = (cell.student.pk, cell.column.kind, cell.column.is_proposal)
        lookup = {
            "student_id": cell.student.pk,
            "subject": subject,
            "term": term,
            "kind": cell.column.kind,
            "is_proposal": cell.column.is_proposal,
        }
        row = saved.get(key)
        current = (row.grade, row.text, row.outcome) if row is not None else (None, "", "")
        merged = _merge_cell(
            cell, initial, typed, current, partial(_typed_classification, school_class)
        )
        if merged is None:
            conflicts.append(_conflict(cell))
            continue
        rows.append((row, lookup, _classification_row_values(row, *merged)))
    if initial is None:
        stale = based_on is not None and based_on != sheet_version(saved.values())
    else:
        stale = bool(conflicts)
    _refuse(errors, conflicts, stale)
    notices = _classification_notices(subject, rows)
    _written, changed = _write_rows(
        actor=actor, model=ClassificationGrade, school_class=school_class, rows=rows
    )
    _notify_classification(school_class.school_id, notices)
    return changed


def _classification_notices(
    subject: Subject, rows: Sequence[tuple[Model | None, dict, dict]]
) -> dict[str, list[notifications.About]]:
    """The families to tell of term and final grades that are new or changed (not of
    proposals: those are told when published), by event."""
    result: dict[str, list[notifications.About]] = {}
    saved_at = timezone.now().isoformat()
    for row, lookup, values in rows:
        value = values["grade"] if values["grade"] is not None else values["text"]
        if values["outcome"]:
            value = OUTCOME(values["outcome"]).label
        if lookup["is_proposal"] or value in (None, ""):
            continue
        shown = (values["grade"], values["text"], values["outcome"])
        if row is not None and (row.grade, row.text, row.outcome) == shown:
            continue
        event = events.GRADE_FINAL if lookup["kind"] == "final" else events.GRADE_TERM
        student_id = lookup["student_id"]
        result.setdefault(event, []).append(
            notifications.About(
                student_id,
                # each save that changes the grade is an event of its own
                key=f"classification:{student_id}:{subject.pk}:{lookup['term'].pk}:"
                f"{lookup['kind']}:{saved_at}",
                params={"subject": subject.name, "value": str(value)[:200]},
                url=reverse("grades:student", args=[student_id]),
            )
        )
    return result


def _notify_classification(school_id: int, notices: dict[str, list]) -> None:
    for event, items in sorted(notices.items()):
        notifications.notify_families(event=event, school_id=school_id, items=items)


@transaction.atomic
def proposals_publish(
    *, actor: User, school_class: SchoolClass, subject: Subject, term: Term
) -> int:
    """Show the class's proposed grades in a subject to parents and students."""
    _require_classifier(actor, school_class, subject)
    ensure_year_open(actor=actor, school_year_id=term.school_year_id)
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
    notifications.notify_families(
        event=events.GRADE_PROPOSED,
        school_id=school_class.school_id,
        items=[
            notifications.About(
                cg.student_id,
                key=f"proposal:{cg.pk}:{now.isoformat()}",
                params={
                    "subject": subject.name,
                    "value": str(cg.grade or cg.text or OUTCOME(cg.outcome).label)[:200],
                },
                url=reverse("grades:student", args=[cg.student_id]),
            )
            for cg in pending
        ],
    )
    return len(pending)


# --- behaviour grades -----------------------------------------------------------------------
def _require_class_teacher(actor: User, school_class: SchoolClass) -> None:
    if not permissions.can_set_behaviour(get_viewer(actor), school_class=school_class):
        raise PermissionDenied


def _saved_behaviour(
    student_ids: Iterable[int], term: Term
) -> dict[tuple[int, str], BehaviourGrade]:
    """The saved behaviour grades, locked as in ``_saved_classification``."""
    student_ids = set(student_ids)
    concurrency.locked(Student.objects.filter(pk__in=student_ids).only("pk"))
    return {
        (bg.student_id, bg.kind): bg
        for bg in BehaviourGrade.objects.select_for_update()
        .filter(student_id__in=set(student_ids), term=term)
        .order_by("pk")
    }


@transaction.atomic
def behaviour_grade_set(
    *,
    actor: User,
    student: Student,
    school_class: SchoolClass,
    term: Term,
    kind: str,
    value: str = "",
    text: str = "",
) -> BehaviourGrade | None:
    """The class teacher sets a behaviour grade; descriptive in classes 1–3 (B-01)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind: {kind!r}")
    _require_class_teacher(actor, school_class)
    _require_open_year(actor, school_class, term)
    if student.pk not in _enrolled(school_class, [student.pk]):
        raise ValidationError(_("This student is not in the class."))
    value, text = _behaviour_values(school_class, value, text)
    row = _saved_behaviour([student.pk], term).get((student.pk, kind))
    lookup = {"student_id": student.pk, "term": term, "kind": kind}
    written, _count = _write_rows(
        actor=actor,
        model=BehaviourGrade,
        school_class=school_class,
        rows=[(row, lookup, {"value": value, "text": text})],
    )
    return written[0]


@transaction.atomic
def behaviour_sheet_save(
    *,
    actor: User,
    school_class: SchoolClass,
    term: Term,
    cells: Iterable[CellInput],
    based_on: str | None = None,
    initial: Mapping[str, str] | None = None,
) -> int:
    """Save the class teacher's sheet of behaviour grades: all cells or, on any bad cell
    or a stale ``based_on``, nothing (``SheetInvalid``). ``initial`` merges a stale sheet
    cell by cell, as in ``classification_sheet_save``. Returns how many changed."""
    cells = list(cells)
    _require_class_teacher(actor, school_class)
    _require_open_year(actor, school_class, term)
    if any(cell.column not in BEHAVIOUR_COLUMNS for cell in cells):
        raise ValueError("A cell of another sheet")
    enrolled = _enrolled(school_class, (cell.student.pk for cell in cells))
    saved = _saved_behaviour((cell.student.pk for cell in cells), term)
    errors, rows, conflicts = [], [], []
    for cell in cells:
        try:
            if cell.student.pk not in enrolled:
                raise ValidationError(_("This student is not in the class."))
            value, text = _typed_behaviour(school_class, cell.raw)
        except ValidationError as exc:
            errors.append(CellError(cell, " ".join(exc.messages)))
            continue
        lookup = {"student_id": cell.student.pk, "term": term, "kind": cell.column.kind}
        row = saved.get((cell.student.pk, cell.column.kind))
        current = (row.value, row.text) if row is not None else ("", "")
        merged = _merge_cell(
            cell, initial, (value, text), current, partial(_typed_behaviour, school_class)
        )
        if merged is None:
            conflicts.append(_conflict(cell))
            continue
        rows.append((row, lookup, {"value": merged[0], "text": merged[1]}))
    if initial is None:
        stale = based_on is not None and based_on != sheet_version(saved.values())
    else:
        stale = bool(conflicts)
    _refuse(errors, conflicts, stale)
    _written, changed = _write_rows(
        actor=actor, model=BehaviourGrade, school_class=school_class, rows=rows
    )
    return changed


# --- not classified: the reason and the classification exam -----------------------------------
@transaction.atomic
def unclassified_details_set(
    *,
    actor: User,
    classification_grade: ClassificationGrade,
    reason: str,
    reason_text: str = "",
    exam_allowed_on=None,
    exam_grade: int | None = None,
) -> ClassificationGrade:
    """Record why a student is not classified (absence over the school's threshold, or
    another reason in words) and, when the teachers' council allowed a classification
    exam (*egzamin klasyfikacyjny*, u.s.o. art. 44k), the day it did and the exam's
    result grade (G-11). The reason: the subject's teacher or the principal; the exam:
    the principal, who records the council's decisions."""
    cg = ClassificationGrade.objects.select_for_update().get(pk=classification_grade.pk)
    viewer = get_viewer(actor)
    school_class = SchoolClass.objects.get(pk=cg.school_class_id)
    classifies = permissions.can_classify(
        viewer, school_class=school_class, subject_id=cg.subject_id
    )
    if viewer.school_id != cg.school_id or not (viewer.is_principal or classifies):
        raise PermissionDenied
    if cg.outcome != OUTCOME.UNCLASSIFIED:
        raise ValidationError(_("This grade is not “not classified”."))
    errors = []
    if not reason or reason not in ClassificationGrade.Reason.values:
        errors.append(_("Choose the reason."))
    reason_text = clean_text(reason_text)[:300]
    if reason == ClassificationGrade.Reason.OTHER and not reason_text:
        errors.append(_("Describe the other reason."))
    exam_changed = (exam_allowed_on, exam_grade) != (cg.exam_allowed_on, cg.exam_grade)
    if exam_changed and not viewer.is_principal:
        errors.append(_("Only the principal records the council's permission for an exam."))
    if exam_grade is not None and (exam_allowed_on is None or not 1 <= exam_grade <= 6):
        errors.append(_("An exam's result needs the council's permission and a grade 1–6."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(cg)
    cg.reason, cg.reason_text = reason, reason_text
    cg.exam_allowed_on, cg.exam_grade = exam_allowed_on, exam_grade
    cg.save(update_fields=["reason", "reason_text", "exam_allowed_on", "exam_grade", "updated_at"])
    audit.record_update(
        actor=actor,
        instance=cg,
        before=before,
        student_id=cg.student_id,
        school_class_id=cg.school_class_id,
    )
    return cg
