"""Who may open the school-structure pages (the authorization matrix)."""

from django.urls import reverse

from dziennik.schools import selectors
from dziennik.schools.models import Guardianship
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer
from testsupport.world import CLASS_STAFF_PAGE, STUDENT_PAGE


def test_student_page_matrix(world, matrix):
    url = reverse("schools:student_detail", args=[world.student.pk])
    matrix.check(url, STUDENT_PAGE, secrets=["Wiśniewska"])


def test_missing_student_is_the_same_404(world, matrix):
    url = reverse("schools:student_detail", args=[999999])
    matrix.check(url, {role: (302 if role == "anonymous" else 404) for role in STUDENT_PAGE})


def test_class_page_matrix(world, matrix):
    url = reverse("schools:class_detail", args=[world.school_class.pk])
    expected = dict(CLASS_STAFF_PAGE, student=200, own_parent=200, other_parent=200)
    results = matrix.check(url, expected, secrets=["Dąbrowski"])
    # A parent who may open the class page sees their own child only, never a classmate.
    assert "Wiśniewska" in results["own_parent"].content.decode()
    assert "Dąbrowski" not in results["own_parent"].content.decode()
    assert "Wiśniewska" not in results["other_parent"].content.decode()
    assert "Dąbrowski" in results["class_teacher"].content.decode()


def test_class_list_matrix(world, matrix):
    url = reverse("schools:class_list")
    results = matrix.check(
        url,
        {
            "anonymous": 302,
            "student": 200,
            "own_parent": 200,
            "other_parent": 200,
            "teacher_in": 200,
            "teacher_out": 200,
            "class_teacher": 200,
            "principal": 200,
            "other_principal": 200,
        },
    )
    assert not results["other_principal"].leaks("4a")
    assert not results["teacher_in"].leaks("4b")
    assert "4b" in results["principal"].content.decode()


def test_court_limited_guardian_sees_nothing(world, client):
    Guardianship.objects.filter(guardian=world.own_guardian).update(
        access=Guardianship.Access.COURT_LIMITED,
        court_order_reference="III RC 123/25",
    )
    client.force_login(world.user("own_parent"))
    url = reverse("schools:student_detail", args=[world.student.pk])
    assert client.get(url).status_code == 404
    assert get_viewer(world.user("own_parent")).child_ids == frozenset()


def test_separated_parents_both_keep_access(world, client):
    from dziennik.accounts.tests.factories import UserFactory
    from dziennik.schools.tests.factories import GuardianFactory, GuardianshipFactory

    father_user = UserFactory(school=world.school)
    father = GuardianFactory(school=world.school, user=father_user)
    GuardianshipFactory(guardian=father, student=world.student, relation="father")
    for user in (world.user("own_parent"), father_user):
        client.force_login(user)
        assert (
            client.get(reverse("schools:student_detail", args=[world.student.pk])).status_code
            == 200
        )


def test_adult_student_restriction_hides_child_from_parent(world):
    world.student.restricts_parent_view = True
    world.student.save()
    assert world.student.pk not in get_viewer(world.user("own_parent")).child_ids


def test_group_teacher_sees_only_group_students(world):
    from dziennik.accounts.tests.factories import UserFactory
    from dziennik.schools.models import ClassGroup, SchoolRole, TeachingAssignment

    group = ClassGroup.objects.create(school_class=world.school_class, name="ang. gr. 1")
    group.students.add(world.classmate)
    teacher = UserFactory(school=world.school)
    SchoolRole.objects.create(school=world.school, user=teacher, role="teacher")
    TeachingAssignment.objects.create(
        school=world.school,
        teacher=teacher,
        subject=world.other_subject,
        school_class=world.school_class,
        group=group,
    )
    viewer = get_viewer(teacher)
    visible = selectors.class_students(viewer, world.school_class)
    assert [e.student for e in visible] == [world.classmate]
    assert list(selectors.student_queryset(viewer)) == [world.classmate]


def test_a_teacher_who_is_a_parent_sees_their_childs_guardians_as_a_parent(world, client):
    """Staff see every guardian link of the students they teach, the court-limited ones
    marked; a family sees its own links with access. A teacher who is a parent of a
    child they do not teach is family there: the other parent's court order is not
    theirs to read (P-03)."""
    father = sf.GuardianFactory(school=world.school, first_name="Jerzy", last_name="Ojciec")
    sf.GuardianshipFactory(
        guardian=father,
        student=world.student,
        relation="father",
        access=Guardianship.Access.COURT_LIMITED,
        court_order_reference="III RC 123/25",
    )
    teacher = world.user("teacher_out")  # teaches 4b, not Zofia's 4a
    mother = sf.GuardianFactory(school=world.school, user=teacher, last_name="Kamińska")
    sf.GuardianshipFactory(guardian=mother, student=world.student)
    url = reverse("schools:student_detail", args=[world.student.pk])
    for role, sees_father in (
        ("teacher_out", False),
        ("own_parent", False),
        ("class_teacher", True),
    ):
        client.force_login(world.user(role))
        response = client.get(url)
        assert response.status_code == 200, role
        assert ("Jerzy Ojciec" in response.content.decode()) is sees_father, role
    shown = selectors.student_guardianships(get_viewer(teacher), world.student)
    assert {g.guardian_id for g in shown} == {world.own_guardian.pk, mother.pk}
