"""Concurrent and stale saves of a lesson and concurrent justification submits
(docs/rules.md, "Concurrent edits"): a mark the form did not send or did not change
stays as saved, a conflict refuses the whole save and names the students, and parallel
requests neither duplicate rows nor fail with a server error."""

import re

import pytest
from django.db import connections

from dziennik.attendance import services
from dziennik.attendance.models import AttendanceMark, Justification, Lesson
from dziennik.core.concurrency import StaleEdit
from testsupport.race import race

from .factories import build_register, open_lesson, save_lesson


@pytest.fixture
def reg(world):
    return build_register(world)


def _form(reg, lesson, shown: dict, chosen: dict, topic=None) -> dict:
    """The lesson form as the browser posts it: ``shown`` is what each row showed when
    the form was rendered (student → kind code), ``chosen`` what the user picked."""
    data = {"topic": lesson.topic if topic is None else topic, "initial-topic": lesson.topic}
    for student, code in shown.items():
        data[f"initial-{student.pk}"] = reg.kinds[code].pk
        data[f"mark-{student.pk}"] = reg.kinds[chosen.get(student, code)].pk
    return data


def _marks(lesson) -> dict[int, str]:
    return dict(
        AttendanceMark.objects.filter(lesson=lesson).values_list("student_id", "kind__code")
    )


def test_marks_left_out_of_the_save_stay_as_they_are(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {world.student: "nb"})
    services.lesson_save(
        actor=world.user("teacher_in"),
        lesson=lesson,
        topic="Temat",
        marks={world.classmate.pk: reg.kinds["sp"].pk},
    )
    assert _marks(lesson) == {world.student.pk: "nb", world.classmate.pk: "sp"}


def test_a_stale_form_keeps_the_newer_mark_and_saves_its_own_change(world, reg):
    """The class teacher marks a student absent after the subject teacher opened the
    form; the subject teacher's save changes only the row they changed."""
    lesson = save_lesson(world, reg, reg.math2, {})
    shown = {world.student: "ob", world.classmate: "ob"}
    services.lesson_save(
        actor=world.user("class_teacher"),
        lesson=lesson,
        topic="Temat",
        marks={world.student.pk: reg.kinds["nb"].pk},
    )
    data = _form(reg, lesson, shown, {world.classmate: "sp"})
    response = world.client("teacher_in").post(f"/frekwencja/lekcje/{lesson.pk}/", data)
    assert response.status_code == 302
    assert _marks(lesson) == {world.student.pk: "nb", world.classmate.pk: "sp"}


def test_a_conflict_refuses_the_whole_save_and_names_the_students(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {}, topic="Ułamki")
    shown = {world.student: "ob", world.classmate: "ob"}
    services.lesson_save(
        actor=world.user("class_teacher"),
        lesson=lesson,
        topic="Ułamki",
        marks={world.student.pk: reg.kinds["nb"].pk},
    )
    data = _form(reg, lesson, shown, {world.student: "sp", world.classmate: "zw"})
    response = world.client("teacher_in").post(f"/frekwencja/lekcje/{lesson.pk}/", data)
    assert response.status_code == 409
    assert _marks(lesson) == {world.student.pk: "nb", world.classmate.pk: "ob"}
    page = response.content.decode()
    assert 'id="lesson-conflict"' in page
    assert "Ktoś inny zmienił to w międzyczasie" in page and world.student.full_name in page
    assert world.classmate.full_name not in page.split('id="lesson-conflict"')[1].split("</div>")[0]
    # the row in conflict shows what is saved, the user's other change is kept, and the
    # form is now based on the saved lesson
    nb, zw = reg.kinds["nb"].pk, reg.kinds["zw"].pk
    assert re.search(rf'name="mark-{world.student.pk}" value="{nb}"[^>]*checked', page)
    assert re.search(rf'name="mark-{world.classmate.pk}" value="{zw}"[^>]*checked', page)
    assert f'name="initial-{world.student.pk}" value="{nb}"' in page
    # saved again as shown: the user's change goes through, the newer mark stays
    data = _form(reg, lesson, {world.student: "nb", world.classmate: "ob"}, {world.classmate: "zw"})
    response = world.client("teacher_in").post(f"/frekwencja/lekcje/{lesson.pk}/", data)
    assert response.status_code == 302
    assert _marks(lesson) == {world.student.pk: "nb", world.classmate.pk: "zw"}


def test_a_topic_changed_by_both_is_a_conflict_and_an_untouched_one_is_kept(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {}, topic="Ułamki")
    shown = {world.student: "ob", world.classmate: "ob"}
    services.lesson_save(actor=world.user("class_teacher"), lesson=lesson, topic="Potęgi", marks={})
    data = _form(reg, lesson, shown, {}, topic="Ułamki")
    data["initial-topic"] = "Ułamki"
    data[f"mark-{world.student.pk}"] = reg.kinds["sp"].pk
    client = world.client("teacher_in")
    assert client.post(f"/frekwencja/lekcje/{lesson.pk}/", data).status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).topic == "Potęgi"
    with pytest.raises(StaleEdit) as refused:
        services.lesson_save(
            actor=world.user("teacher_in"),
            lesson=lesson,
            topic="Pierwiastki",
            initial_topic="Ułamki",
            marks={},
        )
    assert refused.value.fields == ["topic"]
    assert Lesson.objects.get(pk=lesson.pk).topic == "Potęgi"


@pytest.mark.django_db(transaction=True)
def test_two_teachers_saving_the_same_lesson_at_once(world, reg):
    """Two connections save the first attendance of a lesson, both based on the same
    empty form and both marking the same student differently: one wins, the other is
    refused as a conflict; never a duplicate mark or a database error."""
    lesson = open_lesson(world, reg.math2, reg.day)
    codes = ["nb", "sp"]
    roles = ["teacher_in", "class_teacher"]
    present = reg.kinds["ob"].pk

    def save(i):
        services.lesson_save(
            actor=world.user(roles[i]),
            lesson=Lesson.objects.get(pk=lesson.pk),
            topic="",
            marks={world.student.pk: reg.kinds[codes[i]].pk, world.classmate.pk: present},
            initial={world.student.pk: present, world.classmate.pk: present},
        )

    outcome = race(save, 2)
    assert [type(e) for e in outcome.failures] == [StaleEdit]
    winner = outcome.errors.index(None)
    assert _marks(lesson) == {world.student.pk: codes[winner], world.classmate.pk: "ob"}


@pytest.mark.django_db(transaction=True)
def test_parallel_justification_submits_make_one_pending_justification(world, reg):
    """8 parallel submits for the same absence: one pending justification, the others
    are told it is already submitted (A-05)."""
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    mark = AttendanceMark.objects.get(student=world.student)
    parent = world.user("own_parent")

    def submit(i):
        return services.justification_submit(
            actor=parent, student=world.student, reason=f"Choroba {i}", mark_ids=[mark.pk]
        )

    outcome = race(submit, 8)
    assert Justification.objects.filter(student=world.student).count() == 1
    assert len(outcome.returned()) == 1
    messages = {" ".join(e.messages) for e in outcome.failures}
    assert len(outcome.failures) == 7 and len(messages) == 1, outcome.failures
    assert "już" in messages.pop()  # "already excused or pending", in Polish


@pytest.mark.django_db(transaction=True)
def test_parallel_justification_posts_answer_400_not_500(world, reg):
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    mark = AttendanceMark.objects.get(student=world.student)
    url = f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/"

    def post(i):
        client = world.client("own_parent")
        return client.post(url, {"reason": "Choroba", "marks": [mark.pk]}).status_code

    outcome = race(post, 4)
    assert outcome.failures == []
    assert sorted(outcome.results) == [302, 400, 400, 400]
    assert Justification.objects.count() == 1
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_opens_one_lesson(world, reg):
    """Parallel opens of the same planned lesson: one lesson, the same answer to all."""
    clients = [world.client("teacher_in") for _ in range(3)]

    def open_it(i):
        response = clients[i].post(
            "/frekwencja/lekcje/otworz/", {"entry": reg.math2.pk, "date": reg.day.isoformat()}
        )
        return response.status_code, response["Location"]

    outcome = race(open_it, 3)
    assert outcome.failures == []
    assert Lesson.objects.count() == 1
    lesson = Lesson.objects.get()
    assert outcome.results == [(302, f"/frekwencja/lekcje/{lesson.pk}/")] * 3
