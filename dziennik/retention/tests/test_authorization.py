"""The POST matrix of the destruction: only the school's principal destroys, only what is
due in their own school; a refused request changes nothing."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.retention.models import DestructionProtocol
from testsupport.url_matrix import expect

from .factories import Records


def _state():
    return (
        list(Lesson.objects.order_by("pk").values_list("pk", flat=True)),
        AttendanceMark.objects.count(),
        DestructionProtocol.objects.count(),
    )


def test_destroy_matrix(world, matrix):
    records = Records(world)
    year = timezone.localdate().year - 10
    records.lesson(datetime.date(year - 1, 11, 5))
    records.lesson(datetime.date(year, 2, 3))
    kept = records.lesson(timezone.localdate())
    url = reverse("retention:destroy")
    data = {"kind": "R-01", "year": str(year), "expected_total": "2", "confirm": "on"}
    # another school's principal: nothing of theirs is due (their school has no lessons)
    expected = expect(404, principal=302, other_principal=400)
    refused = [role for role in expected if role != "principal"]
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert Lesson.objects.count() == 3
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert list(Lesson.objects.all()) == [kept]
    protocol = DestructionProtocol.objects.get()
    assert (protocol.school, protocol.confirmed_by) == (world.school, world.user("principal"))
