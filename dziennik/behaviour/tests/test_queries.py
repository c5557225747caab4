"""The staff's index of behaviour notes (the classes to summarise) makes a fixed number
of queries, however many classes the school has."""

import pytest
from django.urls import reverse

from dziennik.schools.tests import factories as sf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [2, 25])
def test_the_index_makes_a_fixed_number_of_queries(world, django_assert_num_queries, count):
    for i in range(count):
        sf.SchoolClassFactory(school=world.school, school_year=world.year, name=f"8{i}", level=8)
    client = world.client("principal")
    client.get("/")
    # session, user, viewer (roles, student, guardian, assignments, led classes), the
    # classes
    with django_assert_num_queries(8):
        response = client.get(reverse("behaviour:index"))
    assert response.content.decode().count("/uwagi/klasa/") == count + 2  # and 4a, 4b
