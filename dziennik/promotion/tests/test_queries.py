"""The promotion pages run a fixed number of queries, whatever the class's size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.promotion import services
from dziennik.schools.tests import factories as sf

from .factories import classify_4a


def _grow(world, n, start=10):
    for i in range(start, start + n):
        student = sf.StudentFactory(school=world.school, first_name=f"Uczeń{i}", last_name="Nowy")
        sf.EnrolmentFactory(student=student, school_class=world.school_class, journal_number=i)


def _count(world, url, role="principal"):
    client = world.client(role)
    client.get(url)  # the session and the viewer are warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_promotion_pages_do_not_grow_with_the_class(world):
    classify_4a(world)
    page = reverse("promotion:class", args=[world.school_class.pk])
    index = reverse("promotion:index")
    small = (_count(world, page), _count(world, index))
    _grow(world, 5)
    grown = (_count(world, page), _count(world, index))
    principal = world.user("principal")
    services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    prepared = (_count(world, page), _count(world, page, "class_teacher"))
    _grow(world, 3, start=20)
    services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    after = (_count(world, page), _count(world, page, "class_teacher"))
    measured = (small, grown, prepared, after)
    assert measured == (
        (PREVIEW_PAGE, INDEX),
        (PREVIEW_PAGE, INDEX),
        (PREPARED_PAGE, CLASS_TEACHER_PAGE),
        (PREPARED_PAGE, CLASS_TEACHER_PAGE),
    ), f"measured: {measured}"


# The principal's page before the list exists computes the preview (the annual grades,
# behaviour, the class's subjects and groups, the not classified ones).
PREVIEW_PAGE, INDEX, PREPARED_PAGE, CLASS_TEACHER_PAGE = 14, 4, 15, 5
