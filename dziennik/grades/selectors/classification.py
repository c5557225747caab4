"""Term and final grades, their proposals, and behaviour grades: the sheets of a
class.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.http import Http404
from django.utils import timezone

from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import get_viewer

from .. import permissions
from ..models import BehaviourGrade, ClassificationGrade, Grade
from ..rules import Entry, weighted_average
from .gradebook import Gradebook, roster
from .grading import entry_for, pick_term, proposal_deadline, settings_for, year_terms


# --- classification -------------------------------------------------------------------
def classification_sheet(book: Gradebook, viewer, today: datetime.date | None = None) -> dict:
    """Term/final grades and proposals of the gradebook's students, with suggestions,
    the proposals' deadline and the students still without the proposal it requires."""
    student_ids = [row.student.pk for row in book.rows]
    existing = defaultdict(dict)
    for cg in ClassificationGrade.objects.filter(
        student_id__in=student_ids, subject=book.subject, term=book.term
    ):
        existing[cg.student_id][f"{cg.kind}{'_proposal' if cg.is_proposal else ''}"] = cg
    grading = settings_for(book.school_class.school_id)
    deadline = proposal_deadline(book.term, grading)
    final_deadline = proposal_deadline(book.terms[-1], grading)
    today = today or timezone.localdate()
    # The proposal that matters this term: the final one in the year's last term.
    proposal_kind = (
        ClassificationGrade.Kind.FINAL
        if book.term.pk == book.terms[-1].pk
        else ClassificationGrade.Kind.TERM
    )
    missing = [
        row.student
        for row in book.rows
        if f"{proposal_kind}_proposal" not in existing.get(row.student.pk, {})
    ]
    # The final grade reflects the whole year (G-05): its suggestion uses every term so far.
    year_entries: dict[int, list[Entry]] = defaultdict(list)
    for g in (
        Grade.objects.filter(
            student_id__in=student_ids,
            assessment__subject=book.subject,
            assessment__term__in=[t.pk for t in book.terms if t.number <= book.term.number],
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    ):
        year_entries[g.student_id].append(
            entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        )
    year = {}
    for student_id in student_ids:
        avg = weighted_average(year_entries.get(student_id, []), book.rules)
        year[student_id] = (avg, book.rules.proposed_grade(avg))
    return {
        "existing": existing,
        "deadline": deadline,
        "deadline_passed": today >= deadline,
        # Proposals parents see whether published or not (their deadline has come).
        "shown_anyway": {
            key
            for key, day in (("term_proposal", deadline), ("final_proposal", final_deadline))
            if today >= day
        },
        "days_left": (deadline - today).days,
        "proposal_kind": proposal_kind,
        "missing_proposals": missing,
        "year": year,
    }


def behaviour_sheet(viewer, class_id: int, *, term_id: int | None = None) -> dict:
    v = get_viewer(viewer)
    school_class = school_selectors.get_class_for(v, class_id)
    if not (v.leads_class(school_class.pk) or v.is_principal):
        raise Http404
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, timezone.localdate())
    if term is None:
        raise Http404
    students = roster(school_class, None)
    existing = defaultdict(dict)
    for bg in BehaviourGrade.objects.filter(student_id__in=[s.pk for _n, s in students], term=term):
        existing[bg.student_id][bg.kind] = bg
    return {
        "school_class": school_class,
        "terms": terms,
        "term": term,
        "rows": [(n, s, existing.get(s.pk, {})) for n, s in students],
        "can_edit": permissions.can_set_behaviour(v, school_class=school_class),
    }
