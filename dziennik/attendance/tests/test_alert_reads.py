"""The family's alerts are read with everything their panel shows: a family with several
children sees each alert's class, with no query per alert."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dziennik.attendance.models import AttendanceAlert
from dziennik.attendance.selectors.alerts import alerts_for_students
from dziennik.schools.tests import factories as sf


def test_alerts_of_several_children_come_with_their_classes_in_one_query(world):
    second = sf.StudentFactory(school=world.school, first_name="Antoni")
    sf.EnrolmentFactory(student=second, school_class=world.other_class, journal_number=30)
    today = timezone.localdate()
    for number, (student, school_class) in enumerate(
        [(world.student, world.school_class), (second, world.other_class)] * 3
    ):
        AttendanceAlert.objects.create(
            school=world.school,
            student=student,
            school_class=school_class,
            kind=AttendanceAlert.Kind.RISK,
            key=f"risk-{number}",
            date=today - datetime.timedelta(days=number),
        )
    with CaptureQueriesContext(connection) as queries:
        alerts = alerts_for_students([world.student.pk, second.pk], since=today)
        shown = {(a.student.first_name, a.school_class.name) for a in alerts}
    assert len(alerts) == 6
    assert shown == {
        (world.student.first_name, world.school_class.name),
        ("Antoni", world.other_class.name),
    }
    assert len(queries.captured_queries) == 1
