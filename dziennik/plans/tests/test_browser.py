"""The family's plan page and a receipt pass axe (WCAG 2.1 AA) and do not scroll
sideways on a 360 px phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login

from .factories import leaflet, paid_purchase, sibling

pytestmark = pytest.mark.browser


def _problems(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    problems = [f"{url}:\n{format_violations(found)}"] if found else []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        problems.append(f"{url}: {width} px wide at 360 px")
    return problems


def test_the_plan_page_and_a_receipt_on_a_phone(world, page):
    plans = leaflet(world)
    brother = sibling(world)
    purchase = paid_purchase(
        world, plans["siblings"], [world.student, brother], day=timezone.localdate()
    )
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "rodzic-test", TEST_PASSWORD)
    receipt = reverse("plans:receipt", args=[purchase.payments.get().pk])
    problems = _problems(page, reverse("plans:mine"))
    problems += _problems(page, receipt)
    assert not problems, "\n".join(problems)
