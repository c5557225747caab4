"""Every URL of the lesson register, requested as every role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dziennik.attendance import services
from dziennik.attendance.models import AttendanceMark, Justification, Lesson
from testsupport.world import CLASS_STAFF_PAGE, ROLES, STUDENT_PAGE

from .factories import build_register, save_lesson

TOPIC = "Tajny temat lekcji 4a"


def expect(default, **overrides):
    result = dict.fromkeys(ROLES, default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


ONLY_STAFF = expect(
    200, student=404, own_parent=404, other_parent=404
)  # any member of staff (other school too, seeing their own school)


@pytest.fixture
def reg(world):
    r = build_register(world)
    r.lesson = save_lesson(world, r, r.math2, {world.student: "nb"}, topic=TOPIC)
    return r


@pytest.fixture
def justification(world, reg):
    return services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba Zofii",
        date_from=reg.day,
        date_to=reg.day,
        attachment=SimpleUploadedFile("zwolnienie.pdf", b"%PDF-1.4 zwolnienie"),
    )


def marks_state():
    return sorted(AttendanceMark.objects.values_list("student_id", "kind_id"))


def test_index_redirects_everyone_somewhere(matrix):
    matrix.check("/frekwencja/", expect(302))


def test_today(matrix, reg):
    matrix.check(
        "/frekwencja/dzis/",
        ONLY_STAFF,
        secrets=["Matematyka"],
        secrets_for={"other_principal": ["Matematyka"], "teacher_out": ["Matematyka"]},
    )


def test_open_lesson(matrix, world, reg):
    url = "/frekwencja/lekcje/otworz/"
    data = {"entry": reg.math3.pk, "date": reg.day.isoformat()}
    count = Lesson.objects.count
    refused = expect(404, teacher_in=302, class_teacher=302, principal=302, anonymous=302)
    matrix.check(
        url,
        refused,
        method="post",
        data=data,
        state=count,
        roles=[r for r in ROLES if refused[r] == 404 or r == "anonymous"],
    )
    assert count() == 1
    results = matrix.check(
        url, refused, method="post", data=data, roles=["teacher_in", "class_teacher", "principal"]
    )
    assert count() == 2  # opened once, the same lesson for the other two
    assert all(r.status == 302 for r in results.values())


def test_lesson_screen(matrix, world, reg):
    url = f"/frekwencja/lekcje/{reg.lesson.pk}/"
    page = expect(404, teacher_in=200, class_teacher=200, principal=200)
    matrix.check(url, page, secrets=[TOPIC, "Wiśniewska"])
    data = {"topic": "Zmieniony", f"mark-{world.student.pk}": reg.kinds["ob"].pk}
    refused = [r for r in ROLES if page[r] != 200]
    matrix.check(
        url,
        dict(page, teacher_in=302, class_teacher=302, principal=302),
        method="post",
        data=data,
        state=lambda: (marks_state(), Lesson.objects.get(pk=reg.lesson.pk).topic),
        roles=refused,
    )
    assert Lesson.objects.get(pk=reg.lesson.pk).topic == TOPIC
    matrix.check(url, {"teacher_in": 302}, method="post", data=data)
    assert Lesson.objects.get(pk=reg.lesson.pk).topic == "Zmieniony"


def test_missing_lessons(matrix, reg):
    matrix.check(
        "/frekwencja/braki/",
        ONLY_STAFF,
        secrets_for={"other_principal": ["Matematyka", "Lewandowski"]},
    )


@pytest.mark.parametrize("suffix", ["", "tematy/"])
def test_student_pages(matrix, world, reg, suffix):
    matrix.check(
        f"/frekwencja/uczen/{world.student.pk}/{suffix}",
        STUDENT_PAGE,
        secrets=[TOPIC],
    )


def test_student_pdf(matrix, world, reg):
    results = matrix.check(f"/frekwencja/uczen/{world.student.pk}/wydruk.pdf", STUDENT_PAGE)
    assert results["own_parent"].content.startswith(b"%PDF")


def test_justification_form(matrix, world, reg):
    url = f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/"
    page = expect(404, own_parent=200)
    matrix.check(url, page, secrets=["Matematyka"])
    data = {"date_from": reg.day.isoformat(), "date_to": reg.day.isoformat(), "reason": "x"}
    matrix.check(
        url,
        dict(page, own_parent=302),
        method="post",
        data=data,
        state=Justification.objects.count,
        roles=[r for r in ROLES if r != "own_parent"],
    )
    matrix.check(url, {"own_parent": 302}, method="post", data=data)
    assert Justification.objects.get().submitted_by == world.user("own_parent")


def test_justification_list(matrix, justification):
    matrix.check(
        "/frekwencja/usprawiedliwienia/",
        expect(404, class_teacher=200, principal=200, other_principal=200),
        secrets_for={"other_principal": ["Wiśniewska"]},
    )


def test_justification_detail_and_decision(matrix, world, justification):
    url = f"/frekwencja/usprawiedliwienia/{justification.pk}/"
    page = expect(404, own_parent=200, student=200, class_teacher=200, principal=200)
    matrix.check(url, page, secrets=["Choroba Zofii"])
    state = lambda: (Justification.objects.get().status, marks_state())  # noqa: E731
    matrix.check(
        url,
        dict(page, own_parent=404, student=404),
        method="post",
        data={"decision": "accept"},
        state=state,
        roles=[r for r in ROLES if r not in ("class_teacher", "principal")],
    )
    assert Justification.objects.get().status == "pending"
    matrix.check(url, {"class_teacher": 302}, method="post", data={"decision": "accept"})
    assert Justification.objects.get().status == "accepted"


def test_justification_attachment(matrix, justification):
    results = matrix.check(
        f"/frekwencja/usprawiedliwienia/{justification.pk}/zalacznik/",
        expect(404, own_parent=200, student=200, class_teacher=200, principal=200),
        secrets=["zwolnienie"],
    )
    assert results["class_teacher"].content == b"%PDF-1.4 zwolnienie"


def test_class_summary(matrix, world, reg):
    matrix.check(
        f"/frekwencja/klasa/{world.school_class.pk}/", CLASS_STAFF_PAGE, secrets=["Wiśniewska"]
    )


def test_class_sheet(matrix, world, reg):
    results = matrix.check(
        f"/frekwencja/klasa/{world.school_class.pk}/arkusz.pdf",
        expect(404, class_teacher=200, principal=200),
    )
    assert results["principal"].content.startswith(b"%PDF")


def test_school_view(matrix, world, reg):
    matrix.check(
        "/frekwencja/szkola/",
        expect(404, principal=200, other_principal=200),
        secrets_for={"other_principal": [f'data-class="{world.school_class.pk}"']},
    )
