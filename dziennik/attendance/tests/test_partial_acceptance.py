"""A class teacher may accept a justification for some of its lessons only: those are
excused, the others stay unexcused, the excuse is "accepted in part" with a comment, and
the history says which lessons were excused and which refused."""

import pytest
from django.core.exceptions import ValidationError

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance import services
from dziennik.attendance.models import AttendanceMark, Justification
from dziennik.core.models import AuditEntry
from testsupport.a11y import axe_violations, format_violations
from testsupport.browser import login

from .factories import build_register, committed, save_lesson
from .test_justifications import kinds_of, submit


@pytest.fixture
def reg(world):
    r = build_register(world)
    s = world.student
    save_lesson(world, r, r.history1, {s: "nb"})
    save_lesson(world, r, r.math2, {s: "nb"})
    save_lesson(world, r, r.math3, {s: "sp"})
    return r


def _mark(world, entry):
    return AttendanceMark.objects.get(student=world.student, lesson__slot=entry.slot)


def test_part_of_the_lessons_excused_the_rest_refused(world, reg):
    j = submit(world, reg)
    first, late = _mark(world, reg.history1), _mark(world, reg.math3)
    with committed():
        services.justification_decide(
            actor=world.user("class_teacher"),
            justification=j,
            accept=True,
            comment="Na matematyce był w szkole.",
            mark_ids=[first.pk, late.pk],
        )
    j.refresh_from_db()
    assert j.status == Justification.Status.PARTIAL
    assert kinds_of(world.student) == ["u", "nb", "su"]
    entry = AuditEntry.objects.filter(content_type__model="justification", action="update").get()
    assert entry.changes["status"] == ["pending", "partial"]
    assert entry.changes["excused_marks"] == [None, sorted([first.pk, late.pk])]
    assert entry.changes["refused_marks"] == [None, [_mark(world, reg.math2).pk]]
    assert entry.student_id == world.student.pk
    excused = AuditEntry.objects.filter(content_type__model="attendancemark", action="update")
    assert sorted(tuple(e.changes["kind"]) for e in excused) == [("nb", "u"), ("sp", "su")]


@pytest.mark.parametrize(
    ("mark_ids", "comment", "field"),
    [
        ([], "x", "marks"),  # nothing ticked: reject instead
        ("other", "x", "marks"),  # a lesson of another excuse
        ("one", "", "comment"),  # in part without saying why
    ],
)
def test_partial_acceptance_is_checked(world, reg, mark_ids, comment, field):
    j = submit(world, reg, mark_ids=[_mark(world, reg.history1).pk, _mark(world, reg.math2).pk])
    ids = mark_ids
    if mark_ids == "other":
        ids = [_mark(world, reg.math3).pk]
    elif mark_ids == "one":
        ids = [_mark(world, reg.history1).pk]
    with pytest.raises(ValidationError) as raised:
        services.justification_decide(
            actor=world.user("class_teacher"),
            justification=j,
            accept=True,
            comment=comment,
            mark_ids=ids,
        )
    assert field in raised.value.error_dict
    assert Justification.objects.get(pk=j.pk).status == "pending"
    assert kinds_of(world.student) == ["nb", "nb", "sp"]


def test_all_ticked_is_a_full_acceptance(world, reg):
    j = submit(world, reg)
    ids = list(j.marks.values_list("pk", flat=True))
    with committed():
        services.justification_decide(
            actor=world.user("class_teacher"), justification=j, accept=True, mark_ids=ids
        )
    assert Justification.objects.get(pk=j.pk).status == "accepted"
    assert kinds_of(world.student) == ["u", "u", "su"]


@pytest.mark.browser
def test_class_teacher_unticks_a_lesson_and_accepts_the_rest(world, reg, page):
    j = submit(world, reg)
    refused = _mark(world, reg.math2)
    login(page, "wych", TEST_PASSWORD)
    page.goto(f"/frekwencja/usprawiedliwienia/{j.pk}/")
    found = [v for v in axe_violations(page) if v["impact"] != "minor"]
    assert found == [], format_violations(found)
    assert page.locator("#justification-marks input[type=checkbox]:checked").count() == 3
    page.uncheck(f"#excuse-{refused.pk}")
    # Without a comment the save is refused and the choice kept.
    with page.expect_navigation():
        page.click("button[value=accept]")
    assert page.locator("#id_comment + .errorlist, .errorlist").first.is_visible()
    assert not page.locator(f"#excuse-{refused.pk}").is_checked()
    assert Justification.objects.get(pk=j.pk).status == "pending"
    page.fill("#id_comment", "Na matematyce był w szkole.")
    with page.expect_navigation():
        page.click("button[value=accept]")
    assert page.locator("#status").get_attribute("data-status") == "partial"
    assert page.locator("#status").inner_text() == "przyjęte częściowo"
    assert kinds_of(world.student) == ["u", "nb", "su"]
