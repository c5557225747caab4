"""One app's share of a student's or a class's register data (``core.cache.app_scopes``):
a recorded change of one app's row moves that app's share and not the others'; any other
bump of a student's or a class's scope moves every share."""

import pytest

from dziennik.core import audit, cache
from dziennik.schools.models import Enrolment

from .cache_shares import BASE, CLASS, STUDENT, moved

pytestmark = pytest.mark.django_db  # a bump moves the versions again at the commit


GRADES = cache.app_scopes("grades", BASE)
ATTENDANCE = cache.app_scopes("attendance", BASE)


def test_app_scopes_narrow_only_the_students_and_classes_data():
    assert (
        cache.config_scope(1),
        ("student-in", 7, "grades"),
        ("student-any", 7),
        ("data-in", 3, "grades"),
        ("data-any", 3),
    ) == GRADES


def test_a_recorded_change_moves_its_apps_share_only():
    recorded = [("grades", STUDENT), ("grades", CLASS)]
    assert moved(GRADES, lambda: cache.bump_recorded(recorded))
    assert not moved(ATTENDANCE, lambda: cache.bump_recorded(recorded))
    # the whole scopes move as before: the pages kept per them are built afresh
    assert moved([STUDENT], lambda: cache.bump_recorded(recorded))
    assert moved([CLASS], lambda: cache.bump_recorded(recorded))
    assert moved(ATTENDANCE, lambda: cache.bump_in("attendance", STUDENT))
    assert not moved(GRADES, lambda: cache.bump_in("attendance", STUDENT))


@pytest.mark.parametrize("scope", [STUDENT, CLASS])
def test_a_bump_that_names_no_app_moves_every_share(scope):
    assert moved(GRADES, lambda: cache.bump(scope))
    assert moved(ATTENDANCE, lambda: cache.bump(scope))


def test_another_students_share_does_not_move():
    other = cache.app_scopes("grades", [cache.student_scope(8)])
    assert not moved(other, lambda: cache.bump(STUDENT))
    assert not moved(other, lambda: cache.bump_recorded([("grades", STUDENT)]))


def test_the_history_moves_the_share_of_the_recorded_rows_app(world):
    enrolment = Enrolment.objects.get(student=world.student, end_date__isnull=True)
    base = [cache.student_scope(world.student.pk), cache.data_scope(world.school_class.pk)]
    schools = cache.app_scopes("schools", base)
    grades = cache.app_scopes("grades", base)

    def record() -> None:
        audit.record_create(
            actor=world.user("principal"),
            instance=enrolment,
            student_id=world.student.pk,
            school_class_id=world.school_class.pk,
        )

    before = cache.versions(*grades)
    assert moved(schools, record)
    assert cache.versions(*grades) == before

    # a save that changed nothing still moves the versions: of the row's app only
    def unchanged() -> None:
        audit.record_update(
            actor=world.user("principal"),
            instance=enrolment,
            before=audit.snapshot(enrolment),
            student_id=world.student.pk,
            school_class_id=world.school_class.pk,
        )

    assert moved(schools, unchanged)
    assert cache.versions(*grades) == before
