"""Every permission policy answers "may I" and "which rows" from the same rule."""

import pytest
from django.db.models import Q

from dziennik.core import policy as core_policy
from dziennik.schools.models import Student
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
