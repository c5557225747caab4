"""Behaviour notes: who sees them, points as a school setting, the class summary,
corrections in the history, safe text, home panel, and fixed query counts."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dziennik.behaviour import selectors, services
from dziennik.behaviour.models import BehaviourNote
from dziennik.core.models import AuditEntry
from dziennik.grades import services as grades_services
from dziennik.schools.models import ClassGroup, Guardianship
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer
from testsupport.policies import disagreements

from .factories import category, write_note


def _texts(world, role, student):
    return [n.text for n in selectors.student_notes(get_viewer(world.user(role)), student)]


def test_the_family_and_the_teachers_read_a_note_others_do_not(world):
    write_note(world.user("teacher_in"), world.student, "Zgłaszała się do odpowiedzi.")
    for role in ("student", "own_parent", "teacher_in", "class_teacher", "principal", "secretary"):
        assert _texts(world, role, world.student) == ["Zgłaszała się do odpowiedzi."], role
    for role in ("other_parent", "teacher_out", "other_principal"):
        assert _texts(world, role, world.student) == [], role


def test_a_court_limited_parent_reads_no_note(world):
    write_note(world.user("teacher_in"), world.student)
    Guardianship.objects.filter(guardian=world.own_guardian).update(
        access="court_limited", court_order_reference="III RC 12/26"
    )
    assert _texts(world, "own_parent", world.student) == []
    response = world.client("own_parent").get(reverse("behaviour:student", args=[world.student.pk]))
    assert response.status_code == 404


def test_only_teachers_of_the_student_and_the_principal_write(world):
    for role in ("teacher_out", "secretary", "own_parent", "other_principal"):
        with pytest.raises(Http404):
            write_note(world.user(role), world.student)
    assert not BehaviourNote.objects.exists()


def test_a_group_teacher_writes_about_the_group_only(world):
    group = ClassGroup.objects.create(school_class=world.school_class, name="j. angielski gr. 1")
    group.students.add(world.student)
    teacher = world.user("teacher_out")
    sf.TeachingAssignmentFactory(
        school_class=world.school_class, group=group, teacher=teacher, subject=world.other_subject
    )
    write_note(teacher, world.student)
    with pytest.raises(Http404):
        write_note(teacher, world.classmate)


def test_kind_comes_from_the_category_and_points_only_where_the_school_counts_them(world):
    teacher = world.user("teacher_in")
    plain = write_note(teacher, world.student, name="przeszkadzanie na lekcji", points=-30)
    assert (plain.kind, plain.points) == ("negative", None)
    services.behaviour_settings_update(actor=world.user("principal"), uses_points=True)
    suggested = write_note(teacher, world.student, name="przeszkadzanie na lekcji")
    chosen = write_note(teacher, world.student, name="pomoc innym", points=20)
    assert (suggested.points, chosen.points, chosen.kind) == (-5, 20, "positive")
    with pytest.raises(ValidationError) as caught:
        write_note(teacher, world.student, points=500, text=" ")
    assert set(caught.value.error_dict) == {"points", "text"}


def test_a_note_about_tomorrow_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        write_note(
            world.user("teacher_in"),
            world.student,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(caught.value.error_dict) == {"date"}


def test_correction_and_withdrawal_keep_the_old_values(world):
    teacher = world.user("teacher_in")
    note = write_note(teacher, world.student, "Pierwotna treść.")
    services.note_update(
        actor=teacher,
        note=note,
        category=category(world.school, "pomoc innym"),
        text="Poprawiona treść.",
        date=note.date,
    )
    services.note_withdraw(actor=teacher, note=note)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BehaviourNote)
    ).order_by("pk")
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[1].changes["text"] == ["Pierwotna treść.", "Poprawiona treść."]
    assert "kind" not in entries[1].changes  # both categories are positive
    assert entries[1].changes["category"][1] == category(world.school, "pomoc innym").pk
    assert entries[2].changes["withdrawn_at"][0] is None
    assert {(e.student_id, e.school_class_id) for e in entries} == {
        (world.student.pk, world.school_class.pk)
    }
    assert _texts(world, "own_parent", world.student) == []
    # only the author corrects
    other = write_note(world.user("class_teacher"), world.student)
    with pytest.raises(Http404):
        services.note_withdraw(actor=teacher, note=other)


def test_class_summary_counts_and_points(world):
    services.behaviour_settings_update(actor=world.user("principal"), uses_points=True)
    teacher = world.user("teacher_in")
    write_note(teacher, world.student, name="pomoc innym")  # +10
    write_note(teacher, world.student, name="spóźnienia")  # -2
    write_note(teacher, world.classmate, name="przeszkadzanie na lekcji")  # -5
    withdrawn = write_note(teacher, world.classmate, name="przeszkadzanie na lekcji")
    services.note_withdraw(actor=teacher, note=withdrawn)
    summary = selectors.class_summary(
        get_viewer(world.user("class_teacher")), world.school_class, uses_points=True
    )
    rows = [(r.number, r.positive, r.negative, r.points) for r in summary.rows]
    assert rows == [(1, 1, 1, 8), (2, 0, 1, -5)]
    assert len(summary.notes) == 3


def test_note_text_is_escaped(world):
    write_note(world.user("teacher_in"), world.student, '<img src=x onerror="alert(1)"> źle')
    page = world.client("own_parent").get(reverse("behaviour:student", args=[world.student.pk]))
    text = page.content.decode()
    assert "<img src=x" not in text and "&lt;img src=x" in text


def test_family_home_shows_the_childs_new_notes(world):
    client = world.client("own_parent")
    client.get("/")
    assert "recent-notes" not in client.get("/").content.decode()
    write_note(world.user("teacher_in"), world.student, "Pomogła przy dekoracji sali.")
    home = client.get("/").content.decode()
    assert "recent-notes" in home and "Pomogła przy dekoracji sali." in home
    write_note(world.user("teacher_in"), world.classmate, "Notatka o koledze.")
    assert "Notatka o koledze." not in client.get("/").content.decode()


def test_the_family_index_goes_to_the_childs_notes(world):
    response = world.client("own_parent").get(reverse("behaviour:index"))
    assert response["Location"] == reverse("behaviour:student", args=[world.student.pk])


@pytest.mark.parametrize("count", [2, 30])
def test_note_pages_make_a_fixed_number_of_queries(world, django_assert_num_queries, count):
    teacher = world.user("teacher_in")
    for i in range(count):
        write_note(teacher, world.student if i % 2 else world.classmate, f"Uwaga {i}")
    parent = world.client("own_parent")
    student_page = reverse("behaviour:student", args=[world.student.pk])
    parent.get(student_page)
    # session, user, viewer (roles, student, guardian, children, the switcher's children
    # and their classes), the student, the notes, the settings
    with django_assert_num_queries(11):
        response = parent.get(student_page)
    assert response.content.decode().count('class="card note ') == count // 2
    class_teacher = world.client("class_teacher")
    class_page = reverse("behaviour:class", args=[world.school_class.pk])
    class_teacher.get(class_page)
    # session, user, viewer (roles, student, guardian, assignments, led classes), the
    # class, the settings, its terms, the roster, the totals, the notes
    with django_assert_num_queries(13):
        response = class_teacher.get(class_page)
    assert response.content.decode().count('class="card note ') == count


def test_the_behaviour_grades_page_links_the_class_notes(world):
    url = reverse("grades:behaviour", args=[world.school_class.pk])
    link = reverse("behaviour:class", args=[world.school_class.pk])
    grades_services.grading_setup_defaults(school=world.school)
    for role in ("class_teacher", "principal"):
        page = world.client(role).get(url).content.decode()
        assert f'href="{link}"' in page, role


def test_the_student_page_links_the_notes_and_a_group_teacher_writes_from_there(world):
    group = ClassGroup.objects.create(school_class=world.school_class, name="religia")
    group.students.add(world.student)
    teacher = world.user("teacher_out")
    sf.TeachingAssignmentFactory(
        school_class=world.school_class, group=group, teacher=teacher, subject=world.other_subject
    )
    client = world.client("teacher_out")
    page = client.get(reverse("schools:student_detail", args=[world.student.pk])).content.decode()
    notes = reverse("behaviour:student", args=[world.student.pk])
    assert f'href="{notes}"' in page
    assert 'id="note-new"' in client.get(notes).content.decode()


def test_policies_agree_with_their_querysets_on_real_notes(world):
    write_note(world.user("teacher_in"), world.student)
    withdrawn = write_note(world.user("class_teacher"), world.classmate)
    services.note_withdraw(actor=world.user("class_teacher"), note=withdrawn)
    assert disagreements(world.users.values()) == []


def test_the_class_summary_counts_one_term(world):
    services.behaviour_settings_update(actor=world.user("principal"), uses_points=True)
    teacher = world.user("teacher_in")
    in_term1 = world.term1.start_date  # never after today: the world's year began then
    write_note(teacher, world.student, name="pomoc innym", date=in_term1)  # +10
    write_note(teacher, world.student, name="spóźnienia")  # -2, today
    url = reverse("behaviour:class", args=[world.school_class.pk])
    client = world.client("class_teacher")
    first = client.get(url, {"okres": world.term1.pk}).content.decode()
    assert first.count('class="card note ') == (
        2 if world.term1.end_date >= timezone.localdate() else 1
    )
    summary = selectors.class_summary(
        get_viewer(world.user("class_teacher")),
        world.school_class,
        uses_points=True,
        term_id=world.term2.pk,
    )
    in_term2 = timezone.localdate() >= world.term2.start_date
    assert summary.term == world.term2
    assert summary.rows[0].points == (-2 if in_term2 else 0)
    assert client.get(url, {"okres": "x"}).status_code == 404
