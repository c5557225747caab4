"""The read log: staff opening a student's pages, the family's page of it, the purge."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dziennik.privacy.models import StudentRead
from testsupport.url_matrix import Scene

pytestmark = pytest.mark.django_db


def _reads():
    return list(StudentRead.objects.values_list("reader__username", "student_id", "kind"))


def test_a_teacher_opening_the_grades_page_twice_a_day_is_one_row(world):
    url = reverse("grades:student", args=[world.student.pk])
    client = world.client("teacher_in")
    assert client.get(url).status_code == 200
    assert _reads() == [("n-in", world.student.pk, "grades")]
    # again the same day (the page may now come from the page cache): still one row
    assert client.get(url).status_code == 200
    assert client.get(reverse("grades:student_overview", args=[world.student.pk])).status_code == (
        200
    )
    assert _reads() == [("n-in", world.student.pk, "grades")]
    read = StudentRead.objects.get()
    assert (read.day, read.roles) == (timezone.localdate(), "teacher")


def test_each_kind_of_page_and_reader_has_its_row_and_the_family_is_not_logged(world):
    for role in ("class_teacher", "principal"):
        client = world.client(role)
        for name in ("attendance:student", "behaviour:student", "schools:student_detail"):
            assert client.get(reverse(name, args=[world.student.pk])).status_code == 200
    for role in ("student", "own_parent"):
        client = world.client(role)
        assert client.get(reverse("grades:student", args=[world.student.pk])).status_code == 200
    # a refused page is no read
    world.client("teacher_out").get(reverse("grades:student", args=[world.student.pk]))
    assert sorted(_reads()) == sorted(
        (user, world.student.pk, kind)
        for user in ("dyrektor-test", "wych")
        for kind in ("attendance", "behaviour", "personal")
    )
    assert StudentRead.objects.filter(reader__username="wych").first().roles == (
        "class_teacher,teacher"
    )


def test_the_family_sees_who_read_and_changed_others_do_not(world):
    Scene(world).note  # noqa: B018 – a change of Zofia's data by her teacher
    world.client("teacher_in").get(reverse("behaviour:student", args=[world.student.pk]))
    url = reverse("privacy:reads", args=[world.student.pk])
    for role in ("own_parent", "student"):
        response = world.client(role).get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Tomasz Lewandowski" in text  # read, and changed (the note)
        assert 'id="reads-table"' in text and 'id="changes-table"' in text
    for role in ("other_parent", "teacher_in", "class_teacher", "principal", "other_principal"):
        assert world.client(role).get(url).status_code == 404


def _add_reads(world, roles, days):
    today = timezone.localdate()
    StudentRead.objects.bulk_create(
        StudentRead(
            student=world.student,
            reader=world.user(role),
            kind=kind,
            day=today - datetime.timedelta(days=day),
            at=timezone.now() - datetime.timedelta(days=day),
            roles="teacher",
        )
        for role in roles
        for kind in ("grades", "attendance")
        for day in days
    )


# session, user; the viewer (roles, student, guardian, guardianships); the layout's
# children (students, enrolments); the student; the reads' count and page; the changes'
# count and page, and which of their authors are staff
QUERIES = 14


def test_the_family_page_has_a_fixed_query_count(world, django_assert_num_queries):
    client = world.client("own_parent")
    url = reverse("privacy:reads", args=[world.student.pk])
    scene = Scene(world)
    scene.note  # noqa: B018
    _add_reads(world, ("teacher_in",), range(1))
    client.get(url)  # the first visit makes Zofia the current child (a session write)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
    # more readers, more days, changes by two people: the same queries
    _add_reads(world, ("class_teacher", "principal", "secretary"), range(1, 20))
    scene.column  # noqa: B018
    with django_assert_num_queries(QUERIES):
        response = client.get(url + "?odczyty=2&zmiany=1")
    assert response.status_code == 200
    assert len(response.context["reads"].object_list) == 25
    assert response.context["changes"].paginator.count >= 2


def test_purge_deletes_the_reads_older_than_a_year(world):
    today = timezone.localdate()
    for days in (0, 365, 366, 800):
        StudentRead.objects.create(
            student=world.student,
            reader=world.user("teacher_in"),
            kind="grades",
            day=today - datetime.timedelta(days=days),
            at=timezone.now() - datetime.timedelta(days=days),
        )
    out = io.StringIO()
    call_command("privacy_purge_reads", stdout=out)
    assert "Deleted 2" in out.getvalue()
    kept = sorted((today - day).days for day in StudentRead.objects.values_list("day", flat=True))
    assert kept == [0, 365]


def test_a_page_from_the_page_cache_still_logs_the_read_with_one_insert(world):
    url = reverse("grades:student", args=[world.student.pk])
    client = world.client("teacher_in")
    assert client.get(url).status_code == 200  # builds and caches the page
    StudentRead.objects.all().delete()  # as if the cached page were read on a new day
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if "privacy_studentread" in q["sql"]]
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT")
    assert _reads() == [("n-in", world.student.pk, "grades")]
