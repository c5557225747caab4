"""The register's XML export and import on the test world: the schema is the one
committed, a bad file imports nothing, the export's cost does not grow with the
students, only the school office exports, and every export is in the history."""

import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.attendance.tests.factories import add_students, build_register, save_lesson
from dziennik.core.models import AuditEntry
from dziennik.grades.tests.factories import AssessmentFactory, GradeFactory
from dziennik.records.jobs import export_school_start
from dziennik.records.models import RegisterExport
from dziennik.records.services import export_recorded
from dziennik.records.xml_export import Scope, schema_document, write_register
from dziennik.records.xml_import import (
    SCHEMA_PATH,
    RegisterInvalid,
    load_schema,
    register_import,
)
from dziennik.schools.models import School, Student
from dziennik.schools.tests.factories import SchoolClassFactory
from testsupport.url_matrix import expect
from testsupport.world import AuthzMatrix

pytestmark = pytest.mark.django_db


def _export(world, school_class=None) -> bytes:
    out = io.BytesIO()
    write_register(out, Scope(world.school, world.year, school_class))
    return out.getvalue()


def _filled(world):
    """The world with a day of lessons (topics, marks) and grades of 4a."""
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Ułamki zwykłe")
    assessment = AssessmentFactory(
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        teacher=world.user("teacher_in"),
    )
    for student in (world.student, world.classmate):
        GradeFactory(assessment=assessment, student=student, symbol="5-", value="4.75")
    return reg


def _counts() -> tuple:
    return (
        School.objects.count(),
        Student.objects.count(),
        Lesson.objects.count(),
        AttendanceMark.objects.count(),
    )


def test_the_committed_schema_is_the_one_the_export_writes():
    assert SCHEMA_PATH.read_bytes() == schema_document(), (
        "the models changed the document: run `manage.py register_schema` and, if the "
        "change is not backwards compatible, raise the schema's version"
    )


def test_a_class_export_holds_that_class_only_and_validates(world):
    _filled(world)
    data = _export(world, world.school_class)
    doc = etree.fromstring(data)
    assert load_schema().validate(etree.ElementTree(doc))
    ns = {"r": "urn:dziennik:register:1.0"}
    assert doc.get("scope") == "class"
    assert [c.get("name") for c in doc.findall("r:classes/r:class", ns)] == ["4a"]
    names = {s.get("last-name") for s in doc.findall("r:students/r:student", ns)}
    assert names == {"Wiśniewska", "Dąbrowski"}
    (lesson,) = doc.findall("r:lessons/r:lesson", ns)
    assert lesson.get("topic") == "Ułamki zwykłe"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", lesson.get("date"))
    assert {g.get("value") for g in doc.findall("r:grades/r:grade", ns)} == {"4.75"}
    # no password, no login anywhere in the register
    assert b"password" not in data
    assert world.user("teacher_in").username.encode() not in data


def _import_fails(data: bytes, *messages: str) -> list[str]:
    before = _counts()
    with pytest.raises(RegisterInvalid) as caught:
        register_import(io.BytesIO(data), allow_existing=True)
    assert _counts() == before, "a refused file created something"
    text = "\n".join(caught.value.errors)
    for message in messages:
        assert message in text, text
    return caught.value.errors


def test_a_file_invalid_against_the_schema_imports_nothing(world):
    _filled(world)
    data = _export(world)
    bad_kind = re.sub(rb'(<lesson-slot [^>]*number=")\d+', rb"\g<1>X", data, count=1)
    errors = _import_fails(bad_kind, "number", "'X'")
    assert errors[0].startswith("line ")
    missing_attr = re.sub(rb' first-name="Zofia"', b"", data, count=1)
    _import_fails(missing_attr, "first-name")
    _import_fails(b"<register>", "not well-formed")


def test_a_link_to_a_missing_or_wrong_record_imports_nothing(world):
    _filled(world)
    data = _export(world)
    missing = re.sub(rb'(<attendance-mark [^>]*student=")[^"]+', rb"\1student-999999", data)
    _import_fails(missing, "student-999999")
    # a link to a record of the wrong kind (a teacher where a student belongs)
    teacher_id = f"teacher-{world.user('teacher_in').pk}".encode()
    wrong = re.sub(rb'(<grade [^>]*student=")[^"]+', rb"\1" + teacher_id, data, count=1)
    _import_fails(wrong, teacher_id.decode())


def test_records_that_contradict_each_other_import_nothing(world):
    """The schema cannot know that two subjects of a school have different names; the
    database does, and the import rolls everything back."""
    _filled(world)
    data = _export(world)
    twice = re.sub(rb'name="Historia"', b'name="Matematyka"', data)
    _import_fails(twice, "<subject>")


def test_an_export_imports_into_a_new_school_but_never_over_its_original(world):
    _filled(world)
    world.school.rspo = "123456"
    world.school.save()
    data = _export(world)
    with pytest.raises(RegisterInvalid) as caught:
        register_import(io.BytesIO(data))
    assert "RSPO" in str(caught.value)
    result = register_import(io.BytesIO(data), allow_existing=True)
    copy = result.school
    assert copy.name == world.school.name
    assert result.counts["lesson"] == 1 and result.counts["grade"] == 2
    assert Student.objects.filter(school=copy, user__isnull=False).count() == 0
    teachers = copy.users.all()
    assert teachers.count() == 5 and not any(t.has_usable_password() for t in teachers)
    assert AuditEntry.objects.filter(school=copy, action="create").exists()


def test_the_exports_queries_do_not_grow_with_the_students(world):
    reg = _filled(world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _export(world)
        return len(ctx)

    small = queries()
    more = add_students(world, 6)
    save_lesson(world, reg, reg.math3, {more[0]: "nb"})
    assessment = AssessmentFactory(
        school_class=world.school_class, subject=world.subject, term=world.term1
    )
    for student in more:
        GradeFactory(assessment=assessment, student=student)
    assert queries() == small


# --- the commands -------------------------------------------------------------------


def test_the_commands_export_and_import_and_say_why_they_refuse(world, tmp_path):
    _filled(world)
    target = tmp_path / "dziennik.xml"
    call_command(
        "register_export",
        "--school",
        str(world.school.pk),
        "--year",
        str(world.year.pk),
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    assert load_schema().validate(etree.parse(str(target)))
    export = RegisterExport.objects.get()
    assert (export.via, export.requested_by, export.school_class) == ("command", None, None)
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RegisterExport), object_id=str(export.pk)
    ).exists()
    with pytest.raises(CommandError, match="no school year"):
        call_command(
            "register_export",
            "--school",
            str(world.other_school.pk),
            "--year",
            str(world.year.pk),
            "-o",
            str(target),
        )
    bad = tmp_path / "bad.xml"
    bad.write_bytes(target.read_bytes().replace(b'level="4"', b'level="cztery"', 1))
    before = _counts()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("register_import", str(bad), stdout=io.StringIO())
    assert _counts() == before
    out = io.StringIO()
    call_command("register_import", str(target), stdout=out)
    assert "Imported school" in out.getvalue()
    assert School.objects.count() == before[0] + 1


# --- the screens --------------------------------------------------------------------


def _exports_state():
    return sorted(RegisterExport.objects.values_list("pk", "status"))


def test_the_class_export_matrix(world):
    _filled(world)
    url = reverse("records:class_export", args=[world.school_class.pk])
    results = AuthzMatrix(world).check(
        url,
        expect(404, principal=200, secretary=200, anonymous=302),
        method="post",
        secrets=["Ułamki zwykłe", "Wiśniewska"],
        state=_exports_state,
    )
    response = results["principal"]
    assert "Ułamki zwykłe" in response.content.decode()
    assert load_schema().validate(etree.ElementTree(etree.fromstring(response.content)))
    exports = RegisterExport.objects.order_by("pk")
    assert [e.requested_by for e in exports] == [world.user("principal"), world.user("secretary")]
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RegisterExport)
    )
    assert {e.actor for e in entries} == {world.user("principal"), world.user("secretary")}


def test_the_whole_school_is_exported_in_the_background_and_downloaded(
    world, django_capture_on_commit_callbacks
):
    _filled(world)
    client = world.client("principal")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records:school_export", args=[world.year.pk]))
    assert response.status_code == 302
    export = RegisterExport.objects.get()  # the tests' task backend ran it at once
    assert (export.status, export.via) == ("ready", "background")
    assert export.size > 1000
    page = client.get(reverse("records:index")).content.decode()
    assert 'data-status="ready"' in page
    url = reverse("records:download", args=[export.pk])
    assert client.get(url).status_code == 405
    results = AuthzMatrix(world).check(
        url,
        expect(404, principal=200, secretary=200, anonymous=302),
        method="post",
        secrets=["Ułamki zwykłe"],
    )
    body = results["secretary"].content
    assert load_schema().validate(etree.ElementTree(etree.fromstring(body)))
    downloads = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RegisterExport), action="update"
    )
    assert {e.actor for e in downloads} == {world.user("principal"), world.user("secretary")}


def test_the_school_export_matrix(world, django_capture_on_commit_callbacks):
    url = reverse("records:school_export", args=[world.year.pk])
    with django_capture_on_commit_callbacks(execute=True):
        AuthzMatrix(world).check(
            url,
            expect(404, principal=302, secretary=302, anonymous=302),
            method="post",
            state=lambda: RegisterExport.objects.exclude(
                requested_by__in=[world.user("principal"), world.user("secretary")]
            ).count(),
        )
    # The secretary's click came while the principal's export was waiting: one export.
    (export,) = RegisterExport.objects.all()
    assert (export.requested_by, export.status) == (world.user("principal"), "ready")


# The records page: the session and user, the viewer (cold), the layout, the years (the
# chosen one among them), the classes, the exports with their year, class and requester
# in one query.
INDEX_QUERIES = 13


@pytest.mark.parametrize("n", [1, 10])
def test_the_records_page_makes_a_fixed_number_of_queries(world, django_assert_num_queries, n):
    for i in range(n):
        school_class = SchoolClassFactory(
            school=world.school, school_year=world.year, name=f"{5 + i}c", level=5
        )
        export_recorded(
            actor=world.user("secretary"),
            school=world.school,
            year=world.year,
            school_class=school_class,
            via=RegisterExport.Via.DOWNLOAD,
        )
    client = world.client("principal")
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("records:index"))
    html = response.content.decode()
    assert html.count("<tr data-status=") == n
    assert html.count('action="/eksport-dziennika/klasa/') == n + 2


def test_a_school_without_a_year_gets_a_page_that_says_so(world):
    world.year.delete()
    response = world.client("principal").get(reverse("records:index"))
    assert response.status_code == 200
    assert "nie ma jeszcze roku szkolnego" in response.content.decode()
    bad = world.client("principal").get(reverse("records:index") + "?year=abc")
    assert bad.status_code == 404


def test_a_character_xml_cannot_carry_does_not_stop_the_export(world):
    reg = _filled(world)
    lesson = save_lesson(world, reg, reg.math3, {})
    # The lesson form cleans what it is given; older data or a raw write need not be.
    Lesson.objects.filter(pk=lesson.pk).update(topic="Potęgi\x0b i pierwiastki\x01")
    doc = etree.fromstring(_export(world))
    assert load_schema().validate(etree.ElementTree(doc))
    topics = {el.get("topic") for el in doc.iter("{*}lesson")}
    assert "Potęgi\ufffd i pierwiastki\ufffd" in topics


def test_an_export_whose_worker_died_does_not_hold_the_next_one_back(world):
    stuck = RegisterExport.objects.create(
        school=world.school,
        school_year=world.year,
        requested_by=world.user("principal"),
        via="background",
        status="running",
    )
    principal = world.user("principal")
    same, started = export_school_start(actor=principal, year=world.year)
    assert (same, started) == (stuck, False)  # still running: the click gets it
    RegisterExport.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    fresh, started = export_school_start(actor=principal, year=world.year)
    assert started and fresh != stuck
    stuck.refresh_from_db()
    assert stuck.status == "failed"
