"""Reads whose SQL is built once (``grades.selectors.prepared``): the same rows as the
queryset they are built from, whatever the arguments."""

import pytest
from django.db import DatabaseError, connection, transaction

from dziennik.grades import services
from dziennik.grades.models import BehaviourGrade, ClassificationGrade, Grade
from dziennik.grades.selectors import report
from dziennik.grades.selectors.prepared import Prepared

from .conftest import add_column


def _grades(student_id, term_id, skip):
    return report._grades_of_term(student_id, term_id, skip)


@pytest.fixture
def graded(world, column):
    """The child's 4+ and 3 in Matematyka, the classmate's 2."""
    teacher = world.user("teacher_in")
    quiz = add_column(world, name="Kartkówka")
    services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="3")
    return quiz


def test_the_rows_are_the_querysets(world, graded):
    prepared = Prepared(_grades)
    for student, term, skip in (
        (world.student, world.term1, []),
        (world.classmate, world.term1, []),
        (world.student, world.term2, []),
        (world.student, world.term1, [world.subject.pk]),
        (world.student, world.term1, [world.other_subject.pk, world.subject.pk]),
    ):
        expected = list(_grades(student.pk, term.pk, skip))
        assert prepared(student.pk, term.pk, skip) == expected
    assert len(prepared(world.student.pk, world.term1.pk, [])) == 2
    assert prepared(world.student.pk, world.term1.pk, [world.subject.pk]) == []


def test_an_empty_list_gives_no_rows(world, graded):
    prepared = Prepared(
        lambda student_id, ids: Grade.objects.filter(
            student_id=student_id, assessment__term__in=ids
        ).values_list("pk")
    )
    assert prepared(world.student.pk, []) == []
    assert len(prepared(world.student.pk, [world.term1.pk, world.term2.pk])) == 2


def test_an_argument_the_sql_does_not_carry_is_refused(world):
    prepared = Prepared(lambda student_id: Grade.objects.filter(pk__gt=0).values_list("pk"))
    with pytest.raises(ValueError):
        prepared(world.student.pk)


def test_term_and_behaviour_grades_are_the_models(world, column):
    teacher = world.user("class_teacher")
    ClassificationGrade.objects.create(
        student=world.student,
        subject=world.subject,
        term=world.term1,
        kind=ClassificationGrade.Kind.TERM,
        school=world.school,
        school_class=world.school_class,
        is_proposal=False,
        grade=4,
        teacher=teacher,
    )
    BehaviourGrade.objects.create(
        school=world.school,
        student=world.student,
        school_class=world.school_class,
        term=world.term1,
        kind=BehaviourGrade.Kind.TERM,
        value=BehaviourGrade.Value.GOOD,
        teacher=teacher,
    )
    terms = [world.term1, world.term2]
    cgs = report._instances(
        ClassificationGrade,
        report._CLASSIFICATION_FIELDS,
        report._CLASSIFICATION_GRADES(world.student.pk, [t.pk for t in terms], []),
    )
    # as the ``only`` queryset the page read them with: the same fields loaded
    orm = list(
        ClassificationGrade.objects.filter(student=world.student).only(
            *report._CLASSIFICATION_FIELDS
        )
    )
    assert [cg.__dict__ | {"_state": None} for cg in cgs] == [
        cg.__dict__ | {"_state": None} for cg in orm
    ]
    assert cgs[0].get_deferred_fields() == orm[0].get_deferred_fields() != set()
    behaviour = report._behaviour_grades(world.student, terms)
    assert [b.__dict__ | {"_state": None} for b in behaviour] == [
        b.__dict__ | {"_state": None} for b in BehaviourGrade.objects.filter(student=world.student)
    ]
    assert behaviour[0].get_deferred_fields() == set()
    assert behaviour[0].term == world.term1


def _shown(grades) -> list[tuple]:
    """What the home panel shows of each grade."""
    return [
        (
            g.pk,
            g.display,
            g.comment,
            g.corrects_id,
            g.created_at,
            g.assessment.name,
            g.assessment.date,
            g.assessment.subject.name,
        )
        for g in grades
    ]


def test_a_familys_recent_grades_are_what_the_policy_gives(world, graded):
    """The home panel's prepared read of one's own child: the grades the grades' policy
    gives (newest first), with what the panel shows of each; a stranger's: none."""
    from dziennik.schools.viewer import get_viewer

    parent = get_viewer(world.user("own_parent"))
    staff = get_viewer(world.user("principal"))  # through the policy's queryset
    for limit in (1, 5):
        own = report.recent_grades(parent, world.student.pk, limit=limit)
        policy = report.recent_grades(staff, world.student.pk, limit=limit)
        assert len(own) == min(limit, 2)
        assert _shown(own) == _shown(policy)
    assert report.recent_grades(parent, world.classmate.pk) == []


def test_a_prepared_read_is_a_query_django_sees(world, graded, django_assert_num_queries):
    """The read goes through Django's cursor wrapping: the query log (the pins), the
    execute wrappers (the replica's watch, the cache guard); on PostgreSQL it is a
    statement prepared on the server, kept for the connection's next requests."""
    prepared = Prepared(_grades)
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    for _ in range(2):  # built, then run again with its SQL kept
        with django_assert_num_queries(1) as captured, connection.execute_wrapper(watch):
            rows = prepared(world.student.pk, world.term1.pk, [])
        assert len(rows) == 2
        assert "grades_grade" in captured.captured_queries[0]["sql"]
    assert len(seen) == 2 and seen[0] == seen[1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%grades_grade%"],
            )
            assert cursor.fetchone()[0] == 1


def _raise_in_python():
    raise RuntimeError


def _fail_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")


@pytest.mark.parametrize(
    ("break_off", "error"),
    [
        pytest.param(_raise_in_python, RuntimeError, id="an-exception"),
        pytest.param(_fail_in_the_database, DatabaseError, id="an-error-in-the-transaction"),
    ],
)
def test_a_prepared_read_survives_a_rolled_back_transaction(world, graded, break_off, error):
    """Read (prepared) in a transaction that is then rolled back: read again after it,
    in a transaction and outside one, with other arguments too."""
    prepared = Prepared(_grades)
    with pytest.raises(error), transaction.atomic():
        assert len(prepared(world.student.pk, world.term1.pk, [])) == 2
        break_off()
    with transaction.atomic():
        assert len(prepared(world.student.pk, world.term1.pk, [])) == 2
    assert len(prepared(world.classmate.pk, world.term1.pk, [])) == 1


def test_text_and_aware_moment_arguments_give_the_querysets_rows(db):
    """A text given to a text column and an aware date and time given to a datetime field
    (the session's read: ``accounts.sessions``): the database's form of each, SQLite's
    text in UTC included, whatever the time zone the moment is given in."""
    import datetime
    import zoneinfo

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    now = timezone.now().replace(microsecond=500_000)
    keys = []
    for i, seconds in enumerate((-2, -1, 0, 1, 2)):
        key = f"key-{i}-" + "x" * 30
        keys.append(key)
        Session.objects.create(
            session_key=key,
            session_data="{}",
            expire_date=now + datetime.timedelta(seconds=seconds, microseconds=i * 1234),
        )

    def build(key, when):
        return Session.objects.filter(session_key=key, expire_date__gt=when).values_list(
            "session_key", "expire_date"
        )

    prepared = Prepared(build)
    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    moments = (now, now - datetime.timedelta(seconds=1), now + datetime.timedelta(seconds=1))
    found = 0
    for key in [*keys, "no-such-key"]:
        for when in (*moments, now.astimezone(warsaw)):
            rows = prepared(key, when)
            assert rows == list(build(key, when)), (key, when)
            found += len(rows)
    # of the 4 moments (now in UTC and in Warsaw, a second before, a second after) the
    # 5 keys' rows are after 0, 1, 3, 4 and 4
    assert found == 12
    with pytest.raises(ValueError):  # a naive one: the ORM would guess its zone
        prepared(keys[0], now.replace(tzinfo=None))
