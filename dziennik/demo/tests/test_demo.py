"""The ``demo`` command builds the school the README promises, reproducibly."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.core.audit import record_create
from dziennik.core.text import polish_sort_key
from dziennik.demo.school import (
    DEMO_PASSWORD,
    FIXED_USERNAMES,
    DemoOptions,
    build_demo,
)
from dziennik.schools import demo_data
from dziennik.schools.calendar import lesson_days
from dziennik.schools.models import (
    ClassGroup,
    DayOff,
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    LessonSlot,
    School,
    SchoolClass,
    SchoolRole,
    Student,
    TeachingAssignment,
)
from dziennik.schools.viewer import get_viewer

pytestmark = pytest.mark.django_db


def demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def class_subjects(name: str) -> set[str]:
    return set(
        TeachingAssignment.objects.filter(school_class__name=name).values_list(
            "subject__name", flat=True
        )
    )


def test_demo_builds_the_promised_school():
    output = demo("--students-per-class", "4")
    assert "Demo ready: 1 school(s), 32 students" in output
    school = School.objects.get()
    assert school.name.startswith("Szkoła Podstawowa nr 12 im. ")
    assert school.voivodeship == "mazowieckie"

    classes = list(SchoolClass.objects.order_by("level", "name"))
    assert [(c.name, c.level) for c in classes] == [(f"{n}a", n) for n in range(1, 9)]
    assert all(c.class_teacher_id for c in classes)
    assert len({c.class_teacher_id for c in classes}) == 8
    year = classes[0].school_year
    assert year.contains(timezone.localdate())
    assert DayOff.objects.filter(school_year=year).count() >= 13
    assert list(LessonSlot.objects.values_list("number", flat=True)) == list(range(9))

    for c in classes:
        enrolments = list(Enrolment.objects.filter(school_class=c).select_related("student"))
        assert [e.journal_number for e in enrolments] == [1, 2, 3, 4]
        names = [(e.student.last_name, e.student.first_name) for e in enrolments]
        assert names == sorted(names, key=lambda n: polish_sort_key(" ".join(n)))
        for e in enrolments:
            # Born in the year the level fits (or one year earlier: a later start).
            age_year = year.start_date.year - 6 - c.level
            assert e.student.birth_date.year in (age_year, age_year - 1)
            assert len(e.student.pesel) == 11

    teachers = SchoolRole.objects.filter(role="teacher")
    assert teachers.count() == 20
    assert SchoolRole.objects.filter(role="principal").count() == 1
    assert SchoolRole.objects.filter(role="secretary").count() == 1
    # The curriculum per level.
    assert class_subjects("1a") == {
        "Edukacja wczesnoszkolna",
        "Język angielski",
        "Religia",
        "Etyka",
    }
    assert {"Przyroda", "Technika", "Plastyka", "Muzyka"} <= class_subjects("4a")
    assert "Biologia" not in class_subjects("4a")
    assert {"Chemia", "Fizyka", "Język niemiecki", "Biologia"} <= class_subjects("7a")
    assert {"Wiedza o społeczeństwie", "Edukacja dla bezpieczeństwa"} <= class_subjects("8a")
    assert "Technika" not in class_subjects("8a") and "Muzyka" not in class_subjects("8a")
    # Groups: English in two groups from class 4, PE by sex from class 7.
    english = TeachingAssignment.objects.filter(
        school_class__name="5a", subject__name="Język angielski"
    )
    assert sorted(english.values_list("group__name", flat=True)) == list(demo_data.ENGLISH_GROUPS)
    pe_groups = ClassGroup.objects.filter(school_class__name="7a", name__in=demo_data.PE_GROUPS)
    assert sum(g.students.count() for g in pe_groups) == 4
    # Every teacher teaches more than one class except the class teachers of 1–3.
    for role in teachers:
        assert TeachingAssignment.objects.filter(teacher=role.user).exists()

    # Families: siblings across classes; separated parents live at two addresses.
    across = Family.objects.annotate(
        n=Count("students__enrolments__school_class", distinct=True)
    ).filter(n__gte=2)
    assert across.count() >= 2  # the fixed parent's family and at least one more
    separated = [
        f
        for f in Family.objects.prefetch_related("guardians")
        if len({g.address for g in f.guardians.all()}) == 2
    ]
    assert separated
    # Guardians: everybody has one; one father's access is limited by a court.
    assert not Student.objects.filter(guardianships__isnull=True).exists()
    limited = Guardianship.objects.filter(access="court_limited")
    assert limited.count() == 1
    assert limited.get().court_order_reference.startswith("III RC ")


def test_fixed_accounts_log_in_and_have_their_roles():
    demo("--students-per-class", "4")
    users = {u.username: u for u in User.objects.filter(username__in=FIXED_USERNAMES)}
    assert set(users) == set(FIXED_USERNAMES)
    for username in FIXED_USERNAMES:
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200, username
        assert not users[username].must_change_password

    principal = get_viewer(users["dyrektor"])
    assert principal.is_principal and principal.is_school_wide
    assert get_viewer(users["sekretariat"]).is_secretary

    class_teacher = get_viewer(users["wychowawca"])
    (led,) = class_teacher.led_class_ids
    assert SchoolClass.objects.get(pk=led).name == "4a"
    taught_there = class_subjects_of(users["wychowawca"], led)
    assert taught_there - {demo_data.CLASS_HOUR}, "the class teacher also teaches a subject"

    teacher = get_viewer(users["nauczyciel"])
    assert not teacher.led_class_ids
    assert len(teacher.teaching_class_ids) >= 3

    parent = get_viewer(users["rodzic"])
    assert len(parent.child_ids) == 2
    classes = set(
        Enrolment.objects.filter(student_id__in=parent.child_ids).values_list(
            "school_class_id", flat=True
        )
    )
    assert len(classes) == 2
    student = get_viewer(users["uczen"])
    assert student.student_id in parent.child_ids


def class_subjects_of(user, class_id) -> set[str]:
    return set(
        TeachingAssignment.objects.filter(teacher=user, school_class_id=class_id).values_list(
            "subject__name", flat=True
        )
    )


def test_court_limited_guardian_sees_nothing():
    demo("--students-per-class", "4")
    link = Guardianship.objects.select_related("guardian", "student").get(access="court_limited")
    guardian = link.guardian
    assert guardian.user is None  # nobody but the fixed accounts has a login yet
    # The class teacher would generate a login for him like for anyone else.
    user = User.objects.create_user("ojciec", password=DEMO_PASSWORD, school=guardian.school)
    Guardian.objects.filter(pk=guardian.pk).update(user=user)
    assert get_viewer(User.objects.get(pk=user.pk)).child_ids == frozenset()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("schools:student_detail", args=[link.student_id]))
    assert response.status_code == 404
    assert link.student.last_name not in client.get("/").content.decode()
    # The other parent of the same child keeps full access (P-03).
    other = Guardianship.objects.get(student=link.student, relation="mother")
    assert other.access == "full"


def _people():
    return (
        list(Student.objects.order_by("pk").values_list("first_name", "last_name", "birth_date")),
        list(Guardian.objects.order_by("pk").values_list("first_name", "last_name", "email")),
        list(User.objects.order_by("pk").values_list("username", "first_name", "last_name")),
    )


def test_same_seed_gives_the_same_school_and_another_seed_does_not():
    demo("--students-per-class", "5", "--seed", "7")
    first = _people()
    demo("--students-per-class", "5", "--seed", "7", "--reset")
    assert _people() == first
    demo("--students-per-class", "5", "--seed", "8", "--reset")
    assert _people()[0] != first[0]


def test_scaled_options_give_the_right_counts():
    demo("--schools", "2", "--students-per-class", "3", "--classes-per-level", "2")
    assert School.objects.count() == 2
    for school in School.objects.all():
        assert SchoolClass.objects.filter(school=school).count() == 16
        assert Student.objects.filter(school=school).count() == 48
        assert Enrolment.objects.filter(school_class__school=school).count() == 48
        assert SchoolRole.objects.filter(school=school, role="principal").count() == 1
        names = set(SchoolClass.objects.filter(school=school).values_list("name", flat=True))
        assert {"1a", "1b", "8a", "8b"} <= names
    first = School.objects.get(name__contains="nr 12")
    assert set(
        User.objects.filter(username__in=FIXED_USERNAMES).values_list("school_id", flat=True)
    ) == {first.pk}


def test_existing_school_is_kept_unless_reset():
    demo("--students-per-class", "2")
    students = Student.objects.count()
    with pytest.raises(CommandError):
        demo("--students-per-class", "2")
    assert "was not loaded again" in demo("--if-empty")
    assert Student.objects.count() == students


def test_reset_is_refused_once_the_history_has_entries():
    demo("--students-per-class", "2")
    school = School.objects.get()
    student = Student.objects.first()
    record_create(actor=None, instance=student, student_id=student.pk)
    with pytest.raises(CommandError, match="append-only"):
        demo("--reset", "--students-per-class", "3")
    assert Student.objects.count() == 16
    assert School.objects.get() == school


def test_demo_context_is_complete():
    today = datetime.date(2026, 11, 30)
    (ctx,) = build_demo(
        DemoOptions(seed=1, students_per_class=3, today=today), progress=lambda message: None
    )
    assert ctx.today == today
    assert ctx.year.name == "2026/2027"
    assert [t.number for t in ctx.terms] == [1, 2]
    assert ctx.school_days == lesson_days(ctx.year, until=today)
    assert len(ctx.school_days) == 64
    assert [c.name for c in ctx.classes] == [f"{n}a" for n in range(1, 9)]
    for c in ctx.classes:
        journal = list(
            Enrolment.objects.filter(school_class=c)
            .order_by("journal_number")
            .values_list("student_id", flat=True)
        )
        assert [s.pk for s in ctx.students_by_class[c.pk]] == journal
    assert len(ctx.subjects) == len(demo_data.SUBJECTS)
    assert len(ctx.teachers) == 20 and all(t.pk for t in ctx.teachers)
    assert len(ctx.assignments) == TeachingAssignment.objects.count()
    assert all(a.pk for a in ctx.assignments)
    assert [s.number for s in ctx.lesson_slots] == list(range(9))
    assert set(ctx.fixed_users) == set(FIXED_USERNAMES)
