"""The office's SMS page shows each family's plan (``notifications.gates.standings``,
told by ``plans.channel_gate``): the plan, until when, whether it includes SMS info;
for a fixed number of queries whatever the number of families."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools.tests import factories as sf

from .factories import leaflet, paid_by_office


def _class_of(world, families: int) -> list:
    """``families`` children of the world's class, each with a parent with an account."""
    parents = []
    for number in range(families):
        child = sf.StudentFactory(school=world.school, first_name=f"Dziecko{number}")
        sf.EnrolmentFactory(
            student=child, school_class=world.school_class, journal_number=20 + number
        )
        user = UserFactory(username=f"rodzic-plan-{number}", school=world.school)
        guardian = sf.GuardianFactory(school=world.school, user=user, phone=f"60{number:02d}00000")
        sf.GuardianshipFactory(guardian=guardian, student=child)
        parents.append((user, child))
    return parents


def _pay(world, package, child, ref):
    """Paid today (the page shows today's plans)."""
    purchase = paid_by_office(world, package, child, ref=ref, day=timezone.localdate())
    return purchase.accesses.get()


def _row(page: str, user_id: int) -> str:
    start = page.index(f'id="sms-parent-{user_id}"')
    return page[start : page.index("</tr>", start)]


def test_each_parent_shows_the_familys_plan_until_when_and_whether_it_has_sms(world):
    plans = leaflet(world)
    [(paying, child), (basic, _child)] = _class_of(world, 2)
    access = _pay(world, plans["single"], child, "pay-1")
    url = reverse("notifications:sms") + f"?klasa={world.school_class.pk}"
    page = world.client("secretary").get(url).content.decode()
    assert "Plan dostępu" in page and "SMS w planie" in page
    extended = _row(page, paying.pk)
    assert f'<td class="sms-plan">{plans["extended"].name}</td>' in extended
    assert f'<td class="sms-until">{access.ends:%d.%m.%Y}</td>' in extended
    assert '<td class="sms-plan-allows">tak</td>' in extended
    for user in (basic, world.user("own_parent")):
        row = _row(page, user.pk)
        assert f'<td class="sms-plan">{plans["basic"].name}</td>' in row
        assert '<td class="sms-until">–</td>' in row
        assert '<td class="sms-plan-allows">nie</td>' in row


def test_a_school_without_plans_shows_no_plan_columns(world):
    _class_of(world, 1)
    url = reverse("notifications:sms") + f"?klasa={world.school_class.pk}"
    page = world.client("secretary").get(url).content.decode()
    assert 'name="user"' in page
    assert "SMS w planie" not in page and 'class="sms-plan"' not in page


@pytest.mark.parametrize("families", [1, 12])
def test_the_page_with_plans_costs_the_same_whatever_the_number_of_families(
    world, families, django_assert_num_queries
):
    plans = leaflet(world)
    parents = _class_of(world, families)
    _pay(world, plans["single"], parents[0][1], "pay-first")
    client = world.client("secretary")
    url = reverse("notifications:sms") + f"?klasa={world.school_class.pk}"
    client.get(url)  # the session and the school's plan rules warm
    with django_assert_num_queries(SMS_PAGE_WITH_PLANS_QUERIES):
        page = client.get(url).content.decode()
    assert page.count('class="sms-plan-allows">tak<') == 1
    assert page.count('class="sms-plan-allows">nie<') == 2 + families - 1


# cold (the pin empties the cache): the page's own, the gate's plans, the school's
# extras (2), staff roles, own records, wards and active accesses
SMS_PAGE_WITH_PLANS_QUERIES = 21
