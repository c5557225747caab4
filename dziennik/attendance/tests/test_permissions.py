"""The register's policies: who may see and change lessons, excuses, a student's and a
class's attendance, exemptions; and that the lists and the writes ask the same rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from dziennik.accounts.models import User
from dziennik.attendance import permissions, selectors, services, settings_services
from dziennik.attendance.models import AttendanceMark, SubjectExemption
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer
from testsupport.policies import disagreements
from testsupport.world import ROLES, _user

from .factories import add_students, build_register, save_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(world):
    """4a's Matematyka (teacher_in) and Historia (class_teacher), 4b's Historia
    (teacher_out), an excuse of Zofia's absence, exemptions in 4a and 4b, a teacher of
    only a group of 4a, and a teacher whose child is in 4b."""
    r = build_register(world)
    r.math = save_lesson(world, r, r.math2, {world.student: "nb"})
    r.history = save_lesson(world, r, r.history1, {})
    r.other_student = add_students(world, 1, world.other_class)[0]
    r.other_lesson = save_lesson(world, r, r.other, {})
    r.justification = services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba",
        date_from=r.day,
        date_to=r.day,
    )
    r.exemption = SubjectExemption.objects.create(
        school=world.school,
        student=world.classmate,
        subject=world.subject,
        date_from=r.day,
        date_to=r.day,
    )
    r.other_exemption = SubjectExemption.objects.create(
        school=world.school,
        student=r.other_student,
        subject=world.subject,
        date_from=r.day,
        date_to=r.day,
    )
    r.group_teacher = _user("n-grupa", world.school, "Piotr", "Nowak")
    sm.SchoolRole.objects.create(school=world.school, user=r.group_teacher, role="teacher")
    group = sm.ClassGroup.objects.create(school_class=world.school_class, name="gr. 1")
    group.students.add(world.student)
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=r.group_teacher,
        subject=world.other_subject,
        school_class=world.school_class,
        group=group,
    )
    r.teaching_parent = _user("n-rodzic", world.school, "Olga", "Mazur")
    sm.SchoolRole.objects.create(school=world.school, user=r.teaching_parent, role="teacher")
    guardian = sf.GuardianFactory(school=world.school, user=r.teaching_parent)
    sf.GuardianshipFactory(guardian=guardian, student=r.other_student)
    return r


def viewer_of(world, reg, role):
    extra = {"group_teacher": reg.group_teacher, "teaching_parent": reg.teaching_parent}
    return get_viewer(extra[role] if role in extra else world.user(role))


ALL_ROLES = [*ROLES, "secretary", "group_teacher", "teaching_parent"]


def test_every_policy_agrees_with_its_queryset_on_the_register(world, reg):
    users = [*world.users.values(), reg.group_teacher, reg.teaching_parent]
    assert disagreements(users) == []


def test_who_may_open_and_save_a_lesson(world, reg):
    everything = {reg.math.pk, reg.history.pk, reg.other_lesson.pk}
    expected_view = {
        "teacher_in": {reg.math.pk},
        "class_teacher": {reg.history.pk, reg.math.pk},  # 4a's class teacher
        "teacher_out": {reg.other_lesson.pk},
        "principal": everything,
        "secretary": everything,  # reads the whole register
    }
    expected_edit = dict(expected_view, secretary=set())  # ... but does not keep it
    for role in ALL_ROLES:
        viewer = viewer_of(world, reg, role)
        seen = set(selectors.lesson_queryset(viewer).values_list("pk", flat=True))
        edited = set(selectors.lesson_queryset(viewer, "edit").values_list("pk", flat=True))
        assert (role, seen) == (role, expected_view.get(role, set()))
        assert (role, edited) == (role, expected_edit.get(role, set()))


@pytest.mark.parametrize("role", ALL_ROLES[1:])
def test_the_lesson_list_and_the_save_ask_the_same_rule(world, reg, role):
    viewer = viewer_of(world, reg, role)
    user = reg.group_teacher if role == "group_teacher" else None
    user = user or (reg.teaching_parent if role == "teaching_parent" else world.user(role))
    editable = set(selectors.lesson_queryset(viewer, "edit").values_list("pk", flat=True))
    for lesson in (reg.math, reg.history, reg.other_lesson):
        marks = dict(AttendanceMark.objects.filter(lesson=lesson).values_list("pk", "kind_id"))
        if lesson.pk in editable:
            services.lesson_save(actor=user, lesson=lesson, topic="Nowy temat", marks={})
            lesson.refresh_from_db()
            assert lesson.topic == "Nowy temat"
        else:
            with pytest.raises(PermissionDenied):
                services.lesson_save(actor=user, lesson=lesson, topic="Nowy temat", marks={})
            lesson.refresh_from_db()
            assert lesson.topic == "Temat"
            assert dict(lesson.marks.values_list("pk", "kind_id")) == marks


def test_who_may_open_a_lesson_of_the_plan(world, reg):
    opens = permissions.lessons.may_open
    entry = {
        "school_id": world.school.pk,
        "teacher_id": world.user("teacher_in").pk,
        "school_class_id": world.school_class.pk,
    }
    allowed = {r for r in ALL_ROLES if opens(viewer_of(world, reg, r), **entry)}
    assert allowed == {"teacher_in", "class_teacher", "principal"}
    # a substitute: the lesson's teacher that day
    substitute = dict(entry, teacher_id=world.user("teacher_out").pk)
    assert opens(viewer_of(world, reg, "teacher_out"), **substitute)
    assert not opens(viewer_of(world, reg, "teacher_in"), **substitute)


def test_who_may_see_and_decide_an_excuse(world, reg):
    see = {
        r
        for r in ALL_ROLES
        if permissions.justifications.allows(viewer_of(world, reg, r), "view", reg.justification)
    }
    decide = {
        r
        for r in ALL_ROLES
        if permissions.justifications.allows(viewer_of(world, reg, r), "decide", reg.justification)
    }
    # Those who decide and the family who sent it; not the secretary (L-19, P-08).
    assert see == {"student", "own_parent", "class_teacher", "principal"}
    assert decide == {"class_teacher", "principal"}
    deciders = {
        r for r in ALL_ROLES if permissions.justifications.decides_any(viewer_of(world, reg, r))
    }
    assert deciders == {"class_teacher", "principal", "other_principal"}  # their own school's


def test_the_students_page_lists_excuses_to_those_who_may_read_them(world, reg):
    """The student's attendance page lists the excuses (with their decision comments)
    only to those who may open them: a subject teacher and the secretary see the marks,
    not the excuses (L-19, P-08)."""
    link = f"/frekwencja/usprawiedliwienia/{reg.justification.pk}/"
    for role in ALL_ROLES:
        viewer = viewer_of(world, reg, role)
        if not permissions.student_attendance.allows(viewer, "view", world.student):
            continue
        client = Client()
        client.force_login(User.objects.get(pk=viewer.user_id))
        page = client.get(f"/frekwencja/uczen/{world.student.pk}/").content.decode()
        reads = role in {"student", "own_parent", "class_teacher", "principal"}
        assert ('id="justifications"' in page, link in page) == (reads, reads), role
        assert client.get(link).status_code == (200 if reads else 404), role


def test_who_may_justify_a_students_absences(world, reg):
    def justifiers(student):
        return {
            r
            for r in ALL_ROLES
            if permissions.student_attendance.allows(viewer_of(world, reg, r), "justify", student)
        }

    assert justifiers(world.student) == {"own_parent"}
    assert justifiers(world.classmate) == {"other_parent"}
    assert justifiers(reg.other_student) == {"teaching_parent"}
    world.student.birth_date = datetime.date(2000, 1, 1)  # an adult student
    world.student.save()
    assert justifiers(world.student) == {"own_parent"}  # until the school allows it
    settings_services.attendance_settings_update(
        actor=world.user("principal"), adult_students_may_justify=True
    )
    assert justifiers(world.student) == {"own_parent", "student"}


def test_who_sees_a_class_summary_and_its_warnings(world, reg):
    def roles(action, school_class):
        return {
            r
            for r in ALL_ROLES
            if permissions.class_attendance.allows(viewer_of(world, reg, r), action, school_class)
        }

    management = {"principal", "secretary"}
    # every teacher of 4a, the teacher of one of its groups too, opens its summary (the
    # group's teacher sees only the group in it: test_a_group_teacher_sees_the_group_only)
    assert (
        roles("summary", world.school_class)
        == {
            "teacher_in",
            "class_teacher",
            "group_teacher",
        }
        | management
    )
    assert roles("lead", world.school_class) == {"class_teacher"} | management
    # a teacher whose child is in 4b sees the child's pages, not the class's summary
    assert roles("summary", world.other_class) == {"teacher_out"} | management
    parent_teacher = viewer_of(world, reg, "teaching_parent")
    assert permissions.student_attendance.allows(parent_teacher, "view", reg.other_student)
    client = Client()
    client.force_login(reg.teaching_parent)
    assert client.get(f"/frekwencja/klasa/{world.other_class.pk}/").status_code == 404
    assert client.get(f"/frekwencja/uczen/{reg.other_student.pk}/").status_code == 200
    client.force_login(reg.group_teacher)
    page = client.get(f"/frekwencja/klasa/{world.school_class.pk}/").content.decode()
    assert "Wiśniewska" in page  # in the group
    assert "Dąbrowski" not in page  # in the class, not in the group


def test_a_group_teacher_sees_the_group_only(world, reg):
    """The teacher of one group (e.g. religion) sees the class summary of their group's
    students only: the rest of the class's list would say who does not attend the group
    (a special category of data, RODO art. 9). Their counts too: the class's totals and
    per-subject tallies are of the group's marks only."""
    # Historia 1: both present; Matematyka 2: Zofia absent, Kacper present (saved before
    # his exemption); Historia 4: both absent.
    save_lesson(world, reg, reg.history4, {world.classmate: "nb", world.student: "nb"})
    viewer = viewer_of(world, reg, "group_teacher")
    stats = selectors.class_statistics(viewer, world.school_class, reg.day, reg.day)
    assert [e.student for e, _tally in stats["rows"]] == [world.student]
    assert (stats["overall"].present, stats["overall"].absent) == (1, 2)
    assert [(name, t.present, t.absent) for name, t in stats["subjects"]] == [
        ("Historia", 1, 1),
        ("Matematyka", 0, 1),
    ]
    # Whoever teaches the whole class, leads it or runs the school sees all of it.
    for role in ("teacher_in", "class_teacher", "principal", "secretary"):
        full = selectors.class_statistics(
            viewer_of(world, reg, role), world.school_class, reg.day, reg.day
        )
        assert [e.student for e, _tally in full["rows"]] == [world.student, world.classmate]
        assert (full["overall"].present, full["overall"].absent) == (3, 3)
    # A teacher of a group and of the whole class elsewhere: the group here.
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=reg.group_teacher,
        subject=world.subject,
        school_class=world.other_class,
    )
    viewer = get_viewer(User.objects.get(pk=reg.group_teacher.pk))
    stats = selectors.class_statistics(viewer, world.school_class, reg.day, reg.day)
    assert [e.student for e, _tally in stats["rows"]] == [world.student]
    client = Client()
    client.force_login(reg.group_teacher)
    page = client.get(f"/frekwencja/klasa/{world.school_class.pk}/")
    assert page.status_code == 200
    assert "Wiśniewska" in page.content.decode()
    assert "Dąbrowski" not in page.content.decode()
    # The class's monthly sheet (its print) stays the class teacher's and the office's.
    assert client.get(f"/frekwencja/klasa/{world.school_class.pk}/arkusz.pdf").status_code == 404


def test_who_manages_which_exemptions(world, reg):
    def managed(role):
        viewer = viewer_of(world, reg, role)
        return set(permissions.exemptions.queryset(viewer, "manage").values_list("pk", flat=True))

    assert managed("principal") == {reg.exemption.pk, reg.other_exemption.pk}
    assert managed("class_teacher") == {reg.exemption.pk}  # 4a's only
    for role in ("teacher_in", "secretary", "own_parent", "other_principal", "group_teacher"):
        assert managed(role) == set()
    exempting = {
        r
        for r in ALL_ROLES
        if permissions.student_attendance.allows(viewer_of(world, reg, r), "exempt", world.student)
    }
    assert exempting == {"class_teacher", "principal"}
