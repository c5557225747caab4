import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dziennik.attendance import selectors, services
from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.core.models import AuditEntry
from dziennik.schools.tests.factories import StudentFactory
from dziennik.schools.viewer import get_viewer

from .factories import add_students, build_register, open_lesson, save_lesson


@pytest.fixture
def reg(world):
    return build_register(world)


def test_lesson_is_conducted_only_once_its_topic_is_entered(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    assert not lesson.is_conducted and lesson.conducted_at is None
    services.lesson_save(actor=world.user("teacher_in"), lesson=lesson, topic="", marks={})
    lesson.refresh_from_db()
    assert lesson.conducted_at is None and lesson.attendance_taken_at is not None
    services.lesson_save(
        actor=world.user("teacher_in"), lesson=lesson, topic="Ułamki zwykłe", marks={}
    )
    lesson.refresh_from_db()
    assert lesson.is_conducted and lesson.conducted_at is not None


def test_two_lessons_same_day_same_class_keep_separate_records(world, reg):
    first = save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Ułamki")
    second = save_lesson(world, reg, reg.math3, {world.student: "ob"}, topic="Ułamki cd.")
    assert first.pk != second.pk
    assert (first.slot.number, second.slot.number) == (2, 3)
    marks = dict(
        AttendanceMark.objects.filter(student=world.student).values_list("lesson_id", "kind__code")
    )
    assert marks == {first.pk: "nb", second.pk: "ob"}
    # opening again returns the same lesson, not a third one
    assert open_lesson(world, reg.math3, reg.day).pk == second.pk
    assert Lesson.objects.filter(school_class=world.school_class, date=reg.day).count() == 2


def test_save_records_every_change_in_the_history(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Potęgi")
    created = AuditEntry.objects.filter(content_type__model="attendancemark", action="create")
    assert {(e.student_id, e.school_class_id, e.changes["kind"][1]) for e in created} == {
        (world.student.pk, world.school_class.pk, "nb"),
        (world.classmate.pk, world.school_class.pk, "ob"),
    }
    services.lesson_save(
        actor=world.user("teacher_in"),
        lesson=lesson,
        topic="Potęgi",
        marks={world.student.pk: reg.kinds["sp"].pk},
    )
    update = AuditEntry.objects.get(content_type__model="attendancemark", action="update")
    assert update.changes == {"kind": ["nb", "sp"]}
    assert update.student_id == world.student.pk and update.actor == world.user("teacher_in")
    topic = AuditEntry.objects.filter(content_type__model="lesson", action="update").first()
    assert topic.changes["topic"] == ["", "Potęgi"]


def test_only_the_lessons_teacher_class_teacher_or_principal_may_save(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    for role in ("teacher_out", "own_parent", "student", "other_principal"):
        with pytest.raises(PermissionDenied):
            services.lesson_save(actor=world.user(role), lesson=lesson, topic="x", marks={})
    with pytest.raises(PermissionDenied):
        services.lesson_open(actor=world.user("teacher_out"), entry_id=reg.math2.pk, date=reg.day)
    services.lesson_save(actor=world.user("class_teacher"), lesson=lesson, topic="x", marks={})
    services.lesson_save(actor=world.user("principal"), lesson=lesson, topic="y", marks={})


def test_bad_input_is_refused_and_changes_nothing(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    outsider = add_students(world, 1, world.other_class)[0]
    with pytest.raises(ValidationError):
        services.lesson_save(
            actor=world.user("teacher_in"),
            lesson=lesson,
            topic="x",
            marks={outsider.pk: reg.kinds["nb"].pk},
        )
    with pytest.raises(ValidationError):
        services.lesson_save(
            actor=world.user("teacher_in"), lesson=lesson, topic="x", marks={world.student.pk: -1}
        )
    assert not AttendanceMark.objects.exists()
    with pytest.raises(ValidationError):
        services.lesson_open(
            actor=world.user("teacher_in"),
            entry_id=reg.math2.pk,
            date=reg.day + datetime.timedelta(days=7),
        )


def test_subject_exemption_leaves_the_student_out_of_the_lesson(world, reg):
    from dziennik.attendance.models import SubjectExemption

    SubjectExemption.objects.create(
        school=world.school,
        student=world.student,
        subject=world.subject,
        date_from=reg.day - datetime.timedelta(days=30),
        date_to=reg.day + datetime.timedelta(days=30),
    )
    lesson = save_lesson(world, reg, reg.math2, {})
    assert list(lesson.marks.values_list("student_id", flat=True)) == [world.classmate.pk]
    rows = selectors.lesson_roster(lesson)
    assert [(r.student.pk, r.exempt) for r in rows] == [
        (world.student.pk, True),
        (world.classmate.pk, False),
    ]
    # the exemption is not the "released" mark: history lessons still count
    save_lesson(world, reg, reg.history1, {})
    assert AttendanceMark.objects.filter(student=world.student).count() == 1


def test_lessons_missing_topic_or_attendance(world, reg):
    done = save_lesson(world, reg, reg.math2, {}, topic="Działania")
    no_topic = save_lesson(world, reg, reg.math3, {}, topic="")
    principal = selectors.lessons_missing(get_viewer(world.user("principal")), reg.day, reg.day)
    assert [lesson.pk for lesson in principal["lessons"]] == [no_topic.pk]
    unopened = {(o.entry.pk, o.date) for o in principal["unopened"]}
    assert unopened == {
        (reg.history1.pk, reg.day),
        (reg.history4.pk, reg.day),
        (reg.other.pk, reg.day),
    }
    teacher = selectors.lessons_missing(get_viewer(world.user("teacher_in")), reg.day, reg.day)
    assert [lesson.pk for lesson in teacher["lessons"]] == [no_topic.pk]
    assert teacher["unopened"] == []
    mine = selectors.lessons_missing(get_viewer(world.user("class_teacher")), reg.day, reg.day)
    assert {o.entry.pk for o in mine["unopened"]} == {reg.history1.pk, reg.history4.pk}
    assert done.pk not in [lesson.pk for lesson in mine["lessons"]]


def test_kinds_are_created_once_per_school(world):
    first = services.attendance_kinds_ensure_defaults(school=world.school)
    again = services.attendance_kinds_ensure_defaults(school=world.school)
    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in again.items()}
    assert first["nb"].excused_kind == first["u"]
    assert first["sp"].excused_kind == first["su"]
    assert {k for k, v in first.items() if v.counts_as == "present"} == {"ob", "sp", "su", "ns"}
    assert {k for k, v in first.items() if v.counts_as == "excluded"} == {"zw"}
    assert timezone.localdate()  # sanity: the register uses the local date


def test_group_lessons_list_only_the_group_and_keep_separate_records(world, reg):
    from dziennik.schools.models import ClassGroup
    from dziennik.timetable.models import TimetableEntry

    group1 = ClassGroup.objects.create(school_class=world.school_class, name="gr. 1")
    group2 = ClassGroup.objects.create(school_class=world.school_class, name="gr. 2")
    group1.students.add(world.student)
    group2.students.add(world.classmate)
    entries = [
        TimetableEntry.objects.create(
            school=world.school,
            school_class=world.school_class,
            group=group,
            weekday=reg.day.isoweekday(),
            slot=reg.slots[5],
            subject=world.subject,
            teacher=world.user(role),
            valid_from=reg.math2.valid_from,
        )
        for group, role in ((group1, "teacher_in"), (group2, "class_teacher"))
    ]
    first = save_lesson(world, reg, entries[0], {world.student: "nb"})
    second = save_lesson(world, reg, entries[1], {})
    assert first.pk != second.pk and first.slot == second.slot
    assert list(first.marks.values_list("student_id", "kind__code")) == [(world.student.pk, "nb")]
    assert list(second.marks.values_list("student_id", "kind__code")) == [
        (world.classmate.pk, "ob")
    ]


def test_today_page_offers_to_open_only_past_and_present_lessons(world, reg):
    client = world.client("teacher_in")
    today = client.get("/frekwencja/dzis/").content.decode()
    assert today.count('class="open-lesson"') == 2  # lessons 2 and 3 of Matematyka
    later = (reg.day + datetime.timedelta(days=7)).isoformat()
    future = client.get("/frekwencja/dzis/", {"dzien": later}).content.decode()
    assert 'id="lessons-table"' in future and 'class="open-lesson"' not in future


def test_a_mark_of_a_kind_no_longer_in_use_survives_saving_the_lesson_again(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {world.student: "zw"})
    reg.kinds["zw"].is_active = False
    reg.kinds["zw"].save()
    client = world.client("teacher_in")
    url = f"/frekwencja/lekcje/{lesson.pk}/"
    page = client.get(url).content.decode()
    # offered, checked, only in the row of the student who has it
    retired = f'value="{reg.kinds["zw"].pk}" checked'
    assert len(re.findall(rf'name="mark-\d+" value="{reg.kinds["zw"].pk}"', page)) == 1
    assert f'name="mark-{world.student.pk}" {retired}' in page
    data = {
        "topic": "Temat",
        f"mark-{world.student.pk}": reg.kinds["zw"].pk,
        f"mark-{world.classmate.pk}": reg.kinds["ob"].pk,
    }
    assert client.post(url, data).status_code == 302
    assert AttendanceMark.objects.get(lesson=lesson, student=world.student).kind.code == "zw"
    # but nobody can be given it anew
    data[f"mark-{world.classmate.pk}"] = reg.kinds["zw"].pk
    assert client.post(url, data).status_code == 400
    assert AttendanceMark.objects.get(lesson=lesson, student=world.classmate).kind.code == "ob"


def test_a_bad_save_writes_nothing_and_names_every_bad_row(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Ułamki")
    reg.kinds["zw"].is_active = False
    reg.kinds["zw"].save()
    before = (
        sorted(AttendanceMark.objects.values_list("student_id", "kind_id", "updated_at")),
        AuditEntry.objects.count(),
        Lesson.objects.get(pk=lesson.pk).topic,
    )
    moved_away = add_students(world, 1, world.other_class)[0]
    stranger = StudentFactory(school=world.other_school)  # of another school: never named
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        services.lesson_save(
            actor=world.user("teacher_in"),
            lesson=lesson,
            topic="x" * 501,
            marks={
                world.student.pk: reg.kinds["sp"].pk,  # fine on its own
                world.classmate.pk: reg.kinds["zw"].pk,  # no longer in use, given anew
                moved_away.pk: reg.kinds["ob"].pk,  # not in the lesson
                stranger.pk + 1000: reg.kinds["ob"].pk,  # no such student
                stranger.pk: None,  # not in the lesson (and no kind)
            },
        )
    errors = caught.value.message_dict
    assert list(errors) == [
        "topic",
        f"mark-{world.classmate.pk}",
        f"mark-{moved_away.pk}",
        f"mark-{stranger.pk}",
        f"mark-{stranger.pk + 1000}",
    ]
    assert errors[f"mark-{world.classmate.pk}"] == [
        "Kacper Dąbrowski: the kind zwolnienie is no longer in use; choose another."
    ]
    # teacher_in does not teach 4b: its student is not named, nor one of another school
    assert errors[f"mark-{moved_away.pk}"] == [
        f"The student with id {moved_away.pk} is not in this lesson."
    ]
    assert stranger.last_name not in errors[f"mark-{stranger.pk}"][0]
    after = (
        sorted(AttendanceMark.objects.values_list("student_id", "kind_id", "updated_at")),
        AuditEntry.objects.count(),
        Lesson.objects.get(pk=lesson.pk).topic,
    )
    assert after == before


def test_an_unknown_kind_names_the_student_and_the_principal_sees_every_name(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    other_class_student = add_students(world, 1, world.other_class)[0]
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        services.lesson_save(
            actor=world.user("principal"),
            lesson=lesson,
            topic="",
            marks={world.student.pk: -1, other_class_student.pk: reg.kinds["ob"].pk},
        )
    assert caught.value.message_dict == {
        f"mark-{world.student.pk}": [
            "Zofia Wiśniewska: unknown attendance kind; choose one of the kinds."
        ],
        f"mark-{other_class_student.pk}": [
            f"{other_class_student.full_name} is not in this lesson."
        ],
    }
    assert not AttendanceMark.objects.exists()


def test_the_lesson_screen_shows_every_error_and_keeps_what_was_typed(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {}, topic="Ułamki")
    reg.kinds["zw"].is_active = False
    reg.kinds["zw"].save()
    client = world.client("teacher_in")
    url = f"/frekwencja/lekcje/{lesson.pk}/"
    data = {
        "topic": "Ułamki dziesiętne",
        f"mark-{world.student.pk}": reg.kinds["sp"].pk,
        f"mark-{world.classmate.pk}": reg.kinds["zw"].pk,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="lesson-error"' in page and "Nic nie zostało zapisane." in page
    assert page.count("Kacper Dąbrowski: rodzaj zwolnienie nie jest już używany") == 2
    assert f'id="mark-error-{world.classmate.pk}"' in page
    assert f'aria-describedby="mark-error-{world.classmate.pk}"' in page
    assert f'id="mark-error-{world.student.pk}"' not in page
    # what was typed is still there: the topic, the lateness, the retired kind
    assert 'value="Ułamki dziesiętne"' in page
    assert f'name="mark-{world.student.pk}" value="{reg.kinds["sp"].pk}"' in page
    assert re.search(
        rf'name="mark-{world.student.pk}" value="{reg.kinds["sp"].pk}"[^>]*checked', page
    )
    assert re.search(
        rf'name="mark-{world.classmate.pk}" value="{reg.kinds["zw"].pk}"[^>]*checked', page
    )
    assert set(AttendanceMark.objects.values_list("kind__code", flat=True)) == {"ob"}
    assert Lesson.objects.get(pk=lesson.pk).topic == "Ułamki"
