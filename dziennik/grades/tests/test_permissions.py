"""The grades policies: "which rows" and "may I" from one rule, for columns of the whole
class and of a group, grades, term and behaviour grades – and the gradebook-level checks
(a gradebook or a sheet with no rows yet) agree with them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.grades import permissions, selectors, services
from dziennik.grades.models import Assessment, BehaviourGrade, ClassificationGrade
from dziennik.schools import models as sm
from dziennik.schools.viewer import get_viewer
from testsupport.policies import disagreements

from .factories import (
    AssessmentFactory,
    BehaviourGradeFactory,
    ClassificationGradeFactory,
    GradeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(world):
    """4a's maths: a whole-class column and one for group "gr. 1" (Kacper only), taught
    to the group by its own teacher; 4a's history by the class teacher; grades, term and
    behaviour grades of both students; the same in another school."""
    group = sm.ClassGroup.objects.create(school_class=world.school_class, name="gr. 1")
    group.students.add(world.classmate)
    group_teacher = UserFactory(
        username="n-grupa", school=world.school, first_name="Piotr", last_name="Grupowy"
    )
    sm.SchoolRole.objects.create(school=world.school, user=group_teacher, role="teacher")
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=group_teacher,
        subject=world.subject,
        school_class=world.school_class,
        group=group,
    )
    common = {
        "school_class": world.school_class,
        "subject": world.subject,
        "term": world.term1,
        "teacher": world.user("teacher_in"),
    }
    whole = AssessmentFactory(**common)
    in_group = AssessmentFactory(group=group, **common)
    history = AssessmentFactory(**{**common, "subject": world.other_subject})
    elsewhere = AssessmentFactory()  # another school altogether
    for column in (whole, history):
        for student in (world.student, world.classmate):
            GradeFactory(assessment=column, student=student)
    GradeFactory(assessment=in_group, student=world.classmate)
    GradeFactory(assessment=elsewhere)
    for student in (world.student, world.classmate):
        ClassificationGradeFactory(
            school_class=world.school_class,
            student=student,
            subject=world.subject,
            term=world.term1,
            is_proposal=True,
        )
        BehaviourGradeFactory(school_class=world.school_class, student=student, term=world.term1)
    ClassificationGradeFactory()
    BehaviourGradeFactory()
    return {"group": group, "group_teacher": group_teacher, "columns": [whole, in_group, history]}


def users(world, graded):
    return [u for u in world.users.values() if u is not None] + [graded["group_teacher"]]


def test_every_grades_policy_agrees_with_its_queryset(world, graded):
    assert disagreements(users(world, graded)) == []


def test_gradebook_checks_agree_with_the_column_policy(world, graded):
    """``can_grade``/``can_view_gradebook`` (a gradebook, columns or not) say what the
    column policy says of each of its columns."""
    for user in users(world, graded):
        viewer = get_viewer(user)
        for column in Assessment.objects.select_related("school_class"):
            target = {
                "school_class": column.school_class,
                "subject_id": column.subject_id,
                "group_id": column.group_id,
            }
            assert permissions.can_grade(viewer, **target) == permissions.assessments.allows(
                viewer, "grade", column
            ), (user.username, column.name)
            assert permissions.can_view_gradebook(
                viewer, **target
            ) == permissions.assessments.allows(viewer, "view", column)


def test_sheet_checks_agree_with_the_row_policies(world, graded):
    for user in users(world, graded):
        viewer = get_viewer(user)
        for cg in ClassificationGrade.objects.select_related("school_class"):
            assert permissions.can_classify(
                viewer, school_class=cg.school_class, subject_id=cg.subject_id
            ) == permissions.classification_grades.allows(viewer, "set", cg)
        for bg in BehaviourGrade.objects.select_related("school_class"):
            assert permissions.can_set_behaviour(
                viewer, school_class=bg.school_class
            ) == permissions.behaviour_grades.allows(viewer, "set", bg)


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_who_grades_which_column(world, graded):
    whole, in_group, history = graded["columns"]
    grading = {
        role: names(permissions.assessments.queryset(get_viewer(world.user(role)), "grade"))
        for role in ("teacher_in", "class_teacher", "principal", "teacher_out", "own_parent")
    }
    assert grading == {
        "teacher_in": {whole.name, in_group.name},  # the whole class's teacher: groups too
        "class_teacher": {history.name},  # their own subject only
        "principal": {whole.name, in_group.name, history.name},
        "teacher_out": set(),
        "own_parent": set(),
    }
    group_teacher = get_viewer(graded["group_teacher"])
    assert names(permissions.assessments.queryset(group_teacher, "grade")) == {in_group.name}
    # The class teacher reads every subject of the class, grading only their own.
    class_teacher = get_viewer(world.user("class_teacher"))
    assert names(permissions.assessments.queryset(class_teacher, "view")) == {
        whole.name,
        in_group.name,
        history.name,
    }


def test_the_group_teacher_grades_their_group_only(world, graded, grading):
    whole, in_group, _history = graded["columns"]
    teacher = graded["group_teacher"]
    services.grade_set(actor=teacher, assessment=in_group, student=world.classmate, raw="5")
    with pytest.raises(PermissionDenied):
        services.grade_set(actor=teacher, assessment=whole, student=world.classmate, raw="5")
    assert in_group.grades.get().symbol == "5"
    assert whole.grades.get(student=world.classmate).symbol == "4"


def test_the_gradebook_list_is_the_gradebooks_the_viewer_may_open(world, graded):
    """One row per teaching assignment the viewer may open – each row's link opens."""
    teacher_in = get_viewer(world.user("teacher_in"))
    listed = list(selectors.teacher_gradebooks(teacher_in))
    assert sorted((a.subject.name, a.group_id or 0) for a in listed) == [
        ("Matematyka", 0),
        ("Matematyka", graded["group"].pk),
    ]
    client = world.client("teacher_in")
    for a in listed:
        url = reverse("grades:gradebook", args=[a.school_class_id, a.subject_id])
        query = {"grupa": a.group_id} if a.group_id else {}
        assert client.get(url, query).status_code == 200
    group_teacher = get_viewer(graded["group_teacher"])
    assert [a.group_id for a in selectors.teacher_gradebooks(group_teacher)] == [graded["group"].pk]
    assert list(selectors.teacher_gradebooks(get_viewer(world.user("teacher_out")))) == [
        sm.TeachingAssignment.objects.get(teacher=world.user("teacher_out"))
    ]


def test_a_group_teacher_opens_the_class_views_of_the_group_only(world, graded):
    """The gradebook, its analysis and its classification sheet show a group's teacher
    the group (Kacper), never the whole class: the class's list would say who is not in
    the group (RODO art. 9 for religion)."""
    client = Client()
    client.force_login(graded["group_teacher"])
    group = {"grupa": graded["group"].pk}
    args = [world.school_class.pk, world.subject.pk]
    for name in ("grades:gradebook", "grades:analytics", "grades:classification"):
        assert client.get(reverse(name, args=args)).status_code == 404, name
        page = client.get(reverse(name, args=args), group)
        assert page.status_code == 200, name
        assert "Wiśniewska" not in page.content.decode(), name
    assert "Dąbrowski" in client.get(reverse("grades:gradebook", args=args), group).content.decode()


def test_parents_see_their_childs_rows_only(world, graded):
    parent = get_viewer(world.user("own_parent"))
    for policy in (
        permissions.grades,
        permissions.classification_grades,
        permissions.behaviour_grades,
    ):
        students = set(policy.queryset(parent).values_list("student_id", flat=True))
        assert students == {world.student.pk}, policy
        assert not policy.queryset(parent, policy.actions[1]).exists()


def test_unpublished_proposals_are_for_staff(world):
    student = world.student.pk
    assert permissions.sees_unpublished_proposals(get_viewer(world.user("teacher_in")), student)
    assert permissions.sees_unpublished_proposals(get_viewer(world.user("principal")), student)
    assert not permissions.sees_unpublished_proposals(get_viewer(world.user("own_parent")), student)
    assert not permissions.sees_unpublished_proposals(get_viewer(world.user("student")), student)


def test_rules_are_managed_by_the_principal_of_the_school(world):
    principal = get_viewer(world.user("principal"))
    assert permissions.can_manage_rules(principal)
    assert permissions.can_manage_rules(principal, school_id=world.school.pk)
    assert not permissions.can_manage_rules(principal, school_id=world.other_school.pk)
    assert not permissions.can_manage_rules(get_viewer(world.user("class_teacher")))


def test_descriptive_grades_in_classes_1_to_3(world):
    school_class = world.school_class
    for level, descriptive in ((1, True), (3, True), (4, False), (8, False)):
        school_class.level = level
        assert school_class.has_descriptive_grades is descriptive
