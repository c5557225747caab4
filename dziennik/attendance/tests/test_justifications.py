import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dziennik.attendance import services
from dziennik.attendance.models import (
    AttendanceAlert,
    AttendanceMark,
    AttendanceSettings,
    Justification,
)
from dziennik.core.models import AuditEntry

from .factories import build_register, committed, save_lesson


@pytest.fixture
def reg(world):
    r = build_register(world)
    s = world.student
    save_lesson(world, r, r.history1, {s: "nb"})
    save_lesson(world, r, r.math2, {s: "sp"})
    save_lesson(world, r, r.math3, {s: "zw"})
    save_lesson(world, r, r.history4, {})
    return r


def kinds_of(student):
    return list(
        AttendanceMark.objects.filter(student=student)
        .order_by("lesson__slot__number")
        .values_list("kind__code", flat=True)
    )


def submit(world, reg, role="own_parent", **kwargs):
    kwargs.setdefault("date_from", reg.day)
    kwargs.setdefault("date_to", reg.day)
    return services.justification_submit(
        actor=world.user(role), student=world.student, reason="Choroba", **kwargs
    )


def test_parent_justifies_a_day_and_the_class_teacher_accepts(world, reg):
    j = submit(world, reg)
    assert j.status == "pending" and j.school_class == world.school_class
    # only the unexcused absence and the unexcused lateness are covered
    assert sorted(j.marks.values_list("kind__code", flat=True)) == ["nb", "sp"]
    with pytest.raises(ValidationError):  # nothing left: both are pending
        submit(world, reg)
    with committed():
        services.justification_decide(
            actor=world.user("class_teacher"), justification=j, accept=True, comment="OK"
        )
    j.refresh_from_db()
    assert (j.status, j.decided_by, j.decision_comment) == (
        "accepted",
        world.user("class_teacher"),
        "OK",
    )
    assert kinds_of(world.student) == ["u", "su", "zw", "ob"]
    changes = AuditEntry.objects.filter(
        content_type__model="attendancemark", action="update", actor=world.user("class_teacher")
    )
    assert sorted(tuple(e.changes["kind"]) for e in changes) == [("nb", "u"), ("sp", "su")]
    assert all(e.student_id == world.student.pk for e in changes)
    assert AuditEntry.objects.filter(content_type__model="justification").count() == 2
    # the same-day warning no longer applies
    assert not AttendanceAlert.objects.filter(kind="unexcused", is_active=True).exists()
    with pytest.raises(ValidationError):
        services.justification_decide(
            actor=world.user("principal"), justification=j, accept=False, comment="x"
        )


def test_rejection_needs_a_comment_and_allows_a_new_excuse(world, reg):
    j = submit(world, reg)
    with pytest.raises(ValidationError):
        services.justification_decide(actor=world.user("principal"), justification=j, accept=False)
    services.justification_decide(
        actor=world.user("principal"), justification=j, accept=False, comment="Brak podpisu"
    )
    assert Justification.objects.get(pk=j.pk).status == "rejected"
    assert kinds_of(world.student) == ["nb", "sp", "zw", "ob"]
    again = submit(world, reg)
    assert again.marks.count() == 2


def test_chosen_lessons_must_be_justifiable(world, reg):
    marks = {
        m.kind.code: m.pk
        for m in AttendanceMark.objects.filter(student=world.student).select_related("kind")
    }
    with pytest.raises(ValidationError):
        submit(world, reg, mark_ids=[marks["nb"], marks["ob"]])
    j = submit(world, reg, mark_ids=[marks["sp"]])
    assert list(j.marks.values_list("pk", flat=True)) == [marks["sp"]]


@pytest.mark.parametrize(
    "role", ["other_parent", "student", "teacher_in", "class_teacher", "principal"]
)
def test_only_a_guardian_of_the_child_may_submit(world, reg, role):
    with pytest.raises(PermissionDenied):
        submit(world, reg, role=role)
    assert not Justification.objects.exists()


def test_adult_student_justifies_only_when_the_school_allows(world, reg):
    world.student.birth_date = datetime.date(2000, 1, 1)
    world.student.save()
    with pytest.raises(PermissionDenied):
        submit(world, reg, role="student")
    AttendanceSettings.objects.create(school=world.school, adult_students_may_justify=True)
    assert submit(world, reg, role="student").submitted_by == world.user("student")


@pytest.mark.parametrize(
    "role", ["teacher_in", "teacher_out", "own_parent", "student", "other_principal"]
)
def test_only_the_class_teacher_or_principal_decides(world, reg, role):
    j = submit(world, reg)
    with pytest.raises(PermissionDenied):
        services.justification_decide(actor=world.user(role), justification=j, accept=True)
    assert Justification.objects.get(pk=j.pk).status == "pending"
    assert kinds_of(world.student) == ["nb", "sp", "zw", "ob"]


def test_class_teacher_of_another_class_cannot_decide(world, reg):
    world.other_class.class_teacher = world.user("teacher_out")
    world.other_class.save()
    j = submit(world, reg)
    with pytest.raises(PermissionDenied):
        services.justification_decide(actor=world.user("teacher_out"), justification=j, accept=True)


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("zwolnienie.pdf", b"%PDF-1.4 test", True),
        ("skan.png", b"\x89PNG\r\n\x1a\n....", True),
        ("zdjecie.jpg", b"\xff\xd8\xff\xe0....", True),
        ("program.exe", b"MZ....", False),
        ("udawany.pdf", b"<html>not a pdf</html>", False),
        ("duzy.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), False),
    ],
)
def test_attachment_type_and_size_are_checked(world, reg, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        j = submit(world, reg, attachment=upload)
        assert j.attachment.name.endswith(name.rsplit(".", 1)[1])
    else:
        with pytest.raises(ValidationError) as info:
            submit(world, reg, attachment=upload)
        assert "attachment" in info.value.error_dict
        assert not Justification.objects.exists()


def test_parent_form_shows_a_clear_error_and_keeps_input(world, reg):
    client = world.client("own_parent")
    url = f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/"
    response = client.post(
        url,
        {
            "date_from": reg.day.isoformat(),
            "date_to": reg.day.isoformat(),
            "reason": "Wizyta u lekarza",
            "attachment": SimpleUploadedFile("a.exe", b"MZ"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wizyta u lekarza" in html and 'class="errorlist"' in html
    assert not Justification.objects.exists()
    response = client.post(
        url,
        {"date_from": reg.day.isoformat(), "date_to": reg.day.isoformat(), "reason": "Wizyta"},
    )
    assert response.status_code == 302
    j = Justification.objects.get()
    page = client.get(f"/frekwencja/uczen/{world.student.pk}/").content.decode()
    assert 'data-status="pending"' in page
    response = world.client("class_teacher").post(
        f"/frekwencja/usprawiedliwienia/{j.pk}/", {"decision": "accept", "comment": ""}
    )
    assert response.status_code == 302
    page = client.get(f"/frekwencja/uczen/{world.student.pk}/").content.decode()
    assert 'data-status="accepted"' in page
