"""Double submits of a substitution (docs/rules.md, "Concurrent edits"): one change, the
same answer to both, never a server error."""

import pytest

from dziennik.attendance.tests.factories import build_register
from dziennik.core.models import AuditEntry
from dziennik.timetable import services
from dziennik.timetable.models import TimetableChange
from testsupport.race import race


@pytest.fixture
def reg(world):
    return build_register(world)


def _substitute(world, reg, teacher="teacher_out"):
    return services.timetable_change_create(
        actor=world.user("principal"),
        entry=reg.history1,
        date=reg.day,
        kind=TimetableChange.Kind.SUBSTITUTION,
        substitute_teacher=world.user(teacher),
    )


def test_the_same_substitution_submitted_twice_is_recorded_once(world, reg):
    first = _substitute(world, reg)
    assert _substitute(world, reg).pk == first.pk
    assert TimetableChange.objects.count() == 1
    assert AuditEntry.objects.filter(content_type__model="timetablechange").count() == 1
    with pytest.raises(Exception, match="już"):  # another change of the same lesson
        _substitute(world, reg, teacher="teacher_in")


@pytest.mark.django_db(transaction=True)
def test_parallel_substitution_posts_make_one_change(world, reg):
    data = {
        "entry": reg.history1.pk,
        "date": reg.day.isoformat(),
        "kind": "substitution",
        "substitute_teacher": world.user("teacher_out").pk,
    }

    def post(i):
        return world.client("principal").post(f"/plan/zmiany/?dzien={reg.day}", data).status_code

    outcome = race(post, 4)
    assert outcome.failures == []
    assert outcome.results == [302, 302, 302, 302]
    assert TimetableChange.objects.count() == 1
