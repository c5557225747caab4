"""Every permission policy answers "may I" and "which rows" from the same rule."""

import pytest
from django.db.models import Q
from django.http import Http404

from dziennik.core import policy as core_policy
from dziennik.schools.models import Student
from dziennik.schools.permissions import students
from dziennik.schools.viewer import get_viewer
from testsupport.policies import disagreements, load_policies

pytestmark = pytest.mark.django_db


def test_every_policy_agrees_with_its_queryset_for_every_role(world):
    assert load_policies(), "no permission policy is registered"
    assert disagreements(world.users.values()) == []


def test_a_fast_path_that_drifts_from_the_rule_is_caught(world):
    class DriftingStudentPolicy(core_policy.Policy):
        model = Student

        def filter(self, viewer, action="view"):
            return Q(school_id=viewer.school_id)

        def check(self, viewer, action, obj):
            return True  # wrong: ignores the school

    try:
        found = disagreements(world.users.values())
    finally:
        core_policy.registry.remove(DriftingStudentPolicy)
    assert any(line.startswith("DriftingStudentPolicy.view") for line in found)


def test_a_primary_key_fast_path_that_drifts_from_the_rule_is_caught(world):
    class DriftingByPkPolicy(core_policy.Policy):
        model = Student

        def filter(self, viewer, action="view"):
            return Q(school_id=viewer.school_id)

        def check_pk(self, viewer, action, pk):
            return True  # wrong: ignores the school

    try:
        found = disagreements(world.users.values())
    finally:
        core_policy.registry.remove(DriftingByPkPolicy)
    assert any("DriftingByPkPolicy.view" in line and "check_pk=True" in line for line in found)


def test_require_pk_answers_missing_and_forbidden_alike(world):
    parent = get_viewer(world.user("own_parent"))
    students.require_pk(parent, world.student.pk)  # own child: no query needed
    for pk in (world.classmate.pk, 10**9):
        with pytest.raises(Http404):
            students.require_pk(parent, pk)
    teacher = get_viewer(world.user("teacher_in"))
    students.require_pk(teacher, world.classmate.pk)  # taught: the database decides
    with pytest.raises(Http404):
        students.require_pk(get_viewer(world.user("other_principal")), world.student.pk)
