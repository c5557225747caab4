"""The overview keeps each subject's row in the cache per version of that subject's data
(``core.cache.subject_scope``): a new grade rebuilds its subject's row only, and the page
is the same as one built wholly afresh."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dziennik.core import cache
from dziennik.grades import services, settings_services
from dziennik.grades.models import GradeCategory

from .conftest import add_column, in_term

STRIP = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


@pytest.fixture
def history(world, column):
    """Historia of 4a (the class teacher's) with Zofia's 5, next to Matematyka's 4+."""
    teacher = world.user("class_teacher")
    assessment = services.assessment_create(
        actor=teacher,
        school_class=world.school_class,
        subject=world.other_subject,
        term=world.term1,
        name="Odpowiedź ustna",
        date=in_term(world, 11),
        category=GradeCategory.objects.get(school=world.school, name="Odpowiedź ustna"),
    )
    services.grade_set(actor=teacher, assessment=assessment, student=world.student, raw="5")
    return assessment


def _get(client, world, **params):
    url = reverse("grades:student_overview", args=[world.student.pk])
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def _html(response) -> str:
    return STRIP.sub("", response.content.decode())


def _rebuilt(response) -> set[int]:
    """The subjects whose rows this request built afresh (not taken from the cache)."""
    return set(response.context["report"].fresh)


def _row(html: str, subject) -> str:
    return html.split(f'id="ov-subject-{subject.pk}"')[1].split("</li>")[0]


def _visited(world, role="own_parent"):
    """A family that has seen the page (its "last seen" mark set, the rows kept)."""
    client = world.client(role)
    _get(client, world)
    _get(client, world)
    return client


def _fully_afresh(client, world) -> str:
    """The page with every row built afresh (the school's configuration moved)."""
    cache.bump(cache.config_scope(world.school.pk))
    response = _get(client, world)
    assert _rebuilt(response) == {world.subject.pk, world.other_subject.pk}
    return _html(response)


def test_kept_rows_make_the_page_built_afresh(world, history):
    parent = _visited(world)
    cache.bump(cache.student_scope(world.student.pk))  # the page's own version moves
    response = _get(parent, world)
    assert _rebuilt(response) == set()  # every row from the cache
    kept = _html(response)
    assert kept == _fully_afresh(parent, world)  # byte for byte
    assert "4+" in kept and ">5<" in kept


def test_a_new_grade_rebuilds_its_subject_only(world, history):
    parent = _visited(world)
    quiz = add_column(world, name="Kartkówka – potęgi")
    services.grade_set(
        actor=world.user("teacher_in"), assessment=quiz, student=world.student, raw="3"
    )
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk}  # Historia's row kept
    html = _html(response)
    assert "Kartkówka – potęgi" in _row(html, world.subject)
    assert 'class="badge new"' in _row(html, world.subject)
    assert 'class="badge new"' not in _row(html, world.other_subject)


def test_one_row_rebuilt_next_to_kept_ones_is_the_page_built_afresh(world, history):
    """Byte for byte, for a viewer whose "new" marks stay (a teacher: no "last seen")."""
    teacher = _visited(world, "teacher_in")
    quiz = add_column(world, name="Kartkówka – potęgi")
    services.grade_set(
        actor=world.user("teacher_in"), assessment=quiz, student=world.student, raw="3"
    )
    response = _get(teacher, world)
    assert _rebuilt(response) == {world.subject.pk}
    html = _html(response)
    assert "Kartkówka – potęgi" in html
    assert html == _fully_afresh(teacher, world)


def test_an_edited_and_a_deleted_grade_show_at_once(world, column, history):
    parent = _visited(world)
    teacher = world.user("teacher_in")
    services.grade_set(actor=teacher, assessment=column, student=world.student, raw="2")
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk}
    assert "4+" not in _row(_html(response), world.subject)
    assert 'data-value="2.00"' in _row(_html(response), world.subject)
    _get(parent, world)  # seen: the "new" mark moved on, every row is built again
    services.grade_set(actor=teacher, assessment=column, student=world.student, raw="")
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk}
    assert "chip-wrap" not in _row(_html(response), world.subject)


def test_a_grade_of_history_leaves_the_math_row_kept(world, history):
    parent = _visited(world)
    services.grade_set(
        actor=world.user("class_teacher"), assessment=history, student=world.student, raw="1"
    )
    response = _get(parent, world)
    assert _rebuilt(response) == {world.other_subject.pk}
    assert 'data-value="1.00"' in _row(_html(response), world.other_subject)


def test_a_classmates_grade_leaves_the_childs_rows_kept(world, column, history):
    parent = _visited(world)
    services.grade_set(
        actor=world.user("teacher_in"), assessment=column, student=world.classmate, raw="6"
    )
    assert _rebuilt(_get(parent, world)) == set()


def test_a_changed_column_rebuilds_its_subject_for_the_whole_class(world, column, history):
    parent = _visited(world)
    services.assessment_update(
        actor=world.user("teacher_in"), assessment=column, name="Sprawdzian – procenty"
    )
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk}
    assert "Sprawdzian – procenty" in _row(_html(response), world.subject)


def test_a_term_grade_shows_at_once(world, history):
    parent = _visited(world)
    services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=False,
        grade=5,
    )
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk}
    assert "<strong>5" in _row(_html(response), world.subject).split('class="ov-term"')[1]


def test_an_unpublished_proposal_is_kept_for_staff_only(world, column, history):
    """The teacher sees proposals not yet published, the family does not: the rows are
    kept apart."""
    services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=True,
        grade=4,
    )
    teacher = _visited(world, "teacher_in")
    proposed = _row(_html(_get(teacher, world)), world.subject).split('class="ov-proposed"')[1]
    assert proposed.startswith("><strong>4")
    parent = world.client("own_parent")
    shown = _row(_html(_get(parent, world)), world.subject).split('class="ov-proposed"')[1]
    assert shown.startswith(">–")


def test_a_rule_change_rebuilds_every_row(world, column, history):
    parent = _visited(world)
    before = _html(_get(parent, world))
    category = GradeCategory.objects.get(school=world.school, name="Sprawdzian")
    settings_services.grade_category_update(
        actor=world.user("principal"), category=category, counts_towards_average=False
    )
    response = _get(parent, world)
    assert _rebuilt(response) == {world.subject.pk, world.other_subject.pk}
    after = _html(response)
    assert _row(before, world.subject).count('data-value="4.50"') == 1  # 4+ counted
    assert 'class="ov-average" data-value=""' in _row(after, world.subject)  # not any more


def test_the_term_switch_keeps_each_terms_rows_apart(world, column, history):
    parent = _visited(world)
    other = _get(parent, world, okres=world.term2.pk)
    assert _rebuilt(other) == {world.subject.pk, world.other_subject.pk}
    assert "4+" not in _html(other)
    again = _get(parent, world, okres=world.term1.pk)
    assert "4+" in _html(again)


def test_each_language_keeps_its_own_rows(world, column, history):
    parent = _visited(world)
    parent.cookies["django_language"] = "en"
    english = _get(parent, world)
    assert _rebuilt(english) == {world.subject.pk, world.other_subject.pk}
    assert "Term grade" in _html(english)
    parent.cookies["django_language"] = "pl"
    polish = _get(parent, world)
    assert "Term grade" not in _html(polish)


def test_new_markers_go_after_the_visit(world, column, history):
    parent = world.client("own_parent")
    first = _html(_get(parent, world))  # never seen: everything new
    assert 'class="badge new"' in _row(first, world.subject)
    assert 'class="badge new"' in _row(first, world.other_subject)
    second = _get(parent, world)  # seen since: nothing new
    assert 'class="badge new"' not in _html(second)
    assert _rebuilt(second) == {world.subject.pk, world.other_subject.pk}
    quiz = add_column(world, name="Kartkówka")
    services.grade_set(
        actor=world.user("teacher_in"), assessment=quiz, student=world.student, raw="5"
    )
    third = _html(_get(parent, world))
    assert _row(third, world.subject).count("chip is-new") == 1  # only the new grade
    assert 'class="badge new"' not in _row(third, world.other_subject)
    fourth = _html(_get(parent, world))  # seen again
    assert "is-new" not in fourth


def test_another_child_never_gets_this_childs_rows(world, column, history):
    _visited(world)
    other = world.client("other_parent")
    url = reverse("grades:student_overview", args=[world.classmate.pk])
    response = other.get(url)
    assert response.status_code == 200
    assert set(response.context["report"].fresh) == {world.subject.pk, world.other_subject.pk}
    html = response.content.decode()
    assert "4+" not in html and 'data-value="2.00"' in html


def test_kept_rows_cost_no_queries_of_their_own(world, column, history, assert_warm_queries):
    """Whether one row or all are kept, the page costs the same queries."""
    parent = _visited(world)
    counts = []
    student = cache.student_scope(world.student.pk)
    for bump in (
        [student],
        [student, cache.subject_scope(world.student.pk, world.subject.pk)],
        [cache.config_scope(world.school.pk)],
    ):
        cache.bump(*bump)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            _get(parent, world)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[2] > counts[1]  # the configuration's parts read again, not the rows


def test_the_weights_of_the_kept_rows_count_in_the_overall_average(world, column, history):
    parent = _visited(world)
    cache.bump(cache.student_scope(world.student.pk))
    response = _get(parent, world)
    assert _rebuilt(response) == set()
    assert response.context["report"].overall == Decimal("4.75")  # (4.50 + 5) / 2
