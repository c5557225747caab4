"""The person's data export: whose rows it holds, what it leaves out, the PDF, and the
principal's export in the history."""

import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from dziennik.behaviour.models import BehaviourNote
from dziennik.core.models import AuditEntry
from dziennik.grades.models import Grade
from dziennik.privacy.models import DataExport
from dziennik.privacy.tasks import data_export_build
from dziennik.schools.models import Guardianship
from testsupport.url_matrix import MATRIX_ROLES, NOTE, Scene, expect

pytestmark = pytest.mark.django_db


def _export(world, role, url_name, target_id, fmt="json"):
    response = world.client(role).post(reverse(url_name, args=[target_id, fmt]))
    return response


def _json(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store, private"
    return json.loads(response.content)


def _student_ids(rows) -> set:
    return {row.get("student") for row in rows}


def test_parent_exports_themself_and_their_child_never_another_family(world):
    scene = Scene(world)
    scene.column  # noqa: B018 – Zofia's 4+ and Kacper's 2
    scene.note  # noqa: B018 – a note about Zofia
    own = _json(_export(world, "own_parent", "privacy:export_user", world.user("own_parent").pk))
    assert own["person"]["name"] == "Anna Wiśniewska"
    assert own["apps"]["accounts"]["User"][0]["username"] == "rodzic-test"
    assert "password" not in own["apps"]["accounts"]["User"][0]
    assert own["apps"]["schools"]["Guardian"][0]["last_name"] == "Wiśniewska"
    assert [row["student"] for row in own["apps"]["schools"]["Guardianship"]] == [world.student.pk]
    # the parent's own export holds no grades: those are the child's data
    assert "grades" not in own["apps"]

    child = _json(_export(world, "own_parent", "privacy:export_student", world.student.pk))
    grades = child["apps"]["grades"]["Grade"]
    assert _student_ids(grades) == {world.student.pk}
    assert [g["value"] for g in grades] == [str(Grade.objects.get(student=world.student).value)]
    assert [n["text"] for n in child["apps"]["behaviour"]["BehaviourNote"]] == [NOTE]
    assert child["apps"]["schools"]["Student"][0]["first_name"] == "Zofia"
    assert "Kacper" not in json.dumps(child, ensure_ascii=False)
    # the history of changes of the child's data is in it, by whom and what
    history = child["apps"]["core"]["AuditEntry"]
    assert {row["student"] for row in history} == {world.student.pk}
    assert "entry_hash" not in history[0]

    for other in (world.classmate.pk,):
        assert _export(world, "own_parent", "privacy:export_student", other).status_code == 404
    other_user = world.user("other_parent").pk
    assert _export(world, "own_parent", "privacy:export_user", other_user).status_code == 404


def test_court_limited_guardian_cannot_export_the_child(world):
    Guardianship.objects.filter(guardian=world.own_guardian).update(
        access=Guardianship.Access.COURT_LIMITED, court_order_reference="III RC 12/26"
    )
    response = _export(world, "own_parent", "privacy:export_student", world.student.pk)
    assert response.status_code == 404
    assert not DataExport.objects.exists()


def test_student_exports_themself_with_their_account(world):
    scene = Scene(world)
    scene.column  # noqa: B018
    data = _json(_export(world, "student", "privacy:export_student", world.student.pk))
    assert data["apps"]["accounts"]["User"][0]["username"] == "uczen-test"
    assert _student_ids(data["apps"]["grades"]["Grade"]) == {world.student.pk}
    assert data["own"]["keystroke"]["enabled"] is False
    assert _export(world, "student", "privacy:export_student", world.classmate.pk).status_code == (
        404
    )


def test_teacher_export_shows_what_they_did_not_the_students_data(world):
    scene = Scene(world)
    scene.column  # noqa: B018 – two grades by teacher_in
    teacher = world.user("teacher_in")
    data = _json(_export(world, "teacher_in", "privacy:export_user", teacher.pk))
    grades = data["by"]["grades"]["Grade"]
    assert len(grades) == 2
    assert all(row["teacher"] == teacher.pk for row in grades)
    # a row by the teacher names neither the student nor the value: their data, not hers
    assert all("student" not in row and "value" not in row for row in grades)
    assert data["by"]["schools"]["TeachingAssignment"][0]["teacher"] == teacher.pk
    assert "grades" not in data["apps"]
    assert "Student" not in data["apps"]["schools"]
    assert _export(world, "teacher_in", "privacy:export_student", world.student.pk).status_code == (
        404
    )


def test_the_pdf_names_the_person_and_its_sections(world, django_capture_on_commit_callbacks):
    scene = Scene(world)
    scene.note  # noqa: B018
    scene.column  # noqa: B018
    with django_capture_on_commit_callbacks(execute=True):  # the tests' backend builds it
        started = _export(world, "own_parent", "privacy:export_student", world.student.pk, "pdf")
    row = DataExport.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse("privacy:export_job", args=[row.pk])
    assert (row.format, row.status, row.student) == ("pdf", "ready", world.student)
    client = world.client("own_parent")
    page = client.get(started["Location"]).content.decode()
    assert 'data-status="ready"' in page
    response = client.post(reverse("privacy:export_download", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Zofia Wiśniewska" in text
    assert "Przeszkadzała" in text  # the note's text (wrapped in its table cell)
    with translation.override("pl"):
        sections = (
            str(BehaviourNote._meta.verbose_name_plural),
            str(Grade._meta.verbose_name_plural),
            gettext("What the export leaves out, and why"),
        )
    assert "Czego" in sections[2]  # translated: the PDF speaks Polish
    for section in sections:
        assert section in text


def test_principal_exports_anyone_of_the_school_and_it_is_in_the_history(world):
    principal = world.user("principal")
    response = _export(world, "principal", "privacy:export_student", world.classmate.pk)
    data = _json(response)
    assert data["person"]["name"] == "Kacper Dąbrowski"
    row = DataExport.objects.get()
    assert (row.requested_by, row.student, row.format) == (principal, world.classmate, "json")
    entry = AuditEntry.objects.get(object_id=str(row.pk), content_type__model="dataexport")
    assert (entry.actor, entry.student_id) == (principal, world.classmate.pk)
    assert entry.action == "create"
    # another school's principal cannot
    assert (
        _export(world, "other_principal", "privacy:export_student", world.classmate.pk).status_code
        == 404
    )
    # nor can the school's secretary or a teacher produce someone else's export
    for role in ("secretary", "class_teacher"):
        user_id = world.user("own_parent").pk
        assert _export(world, role, "privacy:export_user", user_id).status_code == 404
    assert DataExport.objects.count() == 1


def test_unknown_format_is_a_404(world):
    response = world.client("student").post(
        reverse("privacy:export_student", args=[world.student.pk, "xml"])
    )
    assert response.status_code == 404


def _exports():
    return list(DataExport.objects.order_by("pk").values_list("requested_by_id", "format"))


def test_export_user_matrix(world, matrix):
    url = reverse("privacy:export_user", args=[world.user("own_parent").pk, "json"])
    expected = expect(404, anonymous=302, own_parent=200, principal=200)
    refused = [r for r in expected if r not in ("own_parent", "principal")]
    matrix.check(url, expected, method="post", state=_exports, roles=refused)
    matrix.check(url, expected, method="post", roles=["own_parent", "principal"])
    assert [row[0] for row in _exports()] == [
        world.user("own_parent").pk,
        world.user("principal").pk,
    ]


def test_export_student_matrix(world, matrix):
    url = reverse("privacy:export_student", args=[world.student.pk, "json"])
    allowed = ("student", "own_parent", "principal")
    expected = expect(404, anonymous=302, **dict.fromkeys(allowed, 200))
    refused = [r for r in expected if r not in allowed]
    matrix.check(url, expected, method="post", state=_exports, roles=refused)
    matrix.check(url, expected, method="post", roles=list(allowed))
    assert len(_exports()) == 3


def test_the_pdf_request_returns_before_the_pdf_is_built(world):
    """The request records the export and queues it: no PDF is laid out in it (30–47 s
    for a student under load); the worker builds it, and only its requester takes it."""
    with CaptureQueriesContext(connection) as queries:
        started = _export(world, "own_parent", "privacy:export_student", world.student.pk, "pdf")
    assert started.status_code == 302
    row = DataExport.objects.get()
    assert (row.status, row.content) == ("queued", None)  # nothing built in the request
    # the request read none of the register data the export collects
    assert not [q for q in queries if "grades_grade" in q["sql"]]
    client = world.client("own_parent")
    page = client.get(reverse("privacy:export_job", args=[row.pk])).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page
    download = reverse("privacy:export_download", args=[row.pk])
    assert client.post(download).status_code == 404  # not built yet
    assert data_export_build.call(row.pk) == "ready"
    assert data_export_build.call(row.pk) == "skipped"  # safe to run twice
    assert client.post(download).content.startswith(b"%PDF")
    for role in ("other_parent", "student", "principal", "teacher_in"):
        other = world.client(role)
        assert other.get(reverse("privacy:export_job", args=[row.pk])).status_code == 404
        assert other.post(download).status_code == 404
    DataExport.objects.filter(pk=row.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=2)
    )
    assert data_export_build.call(row.pk) == "skipped"  # the sweep runs with every build
    row.refresh_from_db()
    assert (row.status, row.content) == ("expired", None)
    assert client.post(download).status_code == 404


def test_export_download_matrix(world, matrix, django_capture_on_commit_callbacks):
    """Only the person who asked for the PDF downloads it."""
    with django_capture_on_commit_callbacks(execute=True):
        _export(world, "own_parent", "privacy:export_student", world.student.pk, "pdf")
    row = DataExport.objects.get()
    expected = dict.fromkeys(MATRIX_ROLES, 404) | {"anonymous": 302, "own_parent": 200}
    matrix.check(
        reverse("privacy:export_download", args=[row.pk]),
        expected,
        method="post",
        secrets=["Zofia Wiśniewska"],
    )
