"""In the browser: the principal opens 4a's promotion list from the menu, prepares it
from the annual grades, records the teachers' council's decision and confirms the list;
the class teacher then reaches it from the class's grade summary. Each screen passes
axe."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.promotion.models import PromotionList
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import classify_4a

pytestmark = pytest.mark.browser


def test_principal_prepares_records_the_decision_and_confirms(page, world):
    classify_4a(world)
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto(reverse("portal:home"))
    assert page.locator("nav a[href='/promocja/']").count() == 1  # in the school menu
    page.goto(reverse("promotion:index"))
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click(f"a[href='{reverse('promotion:class', args=[world.school_class.pk])}']")
    assert "Zofia Wiśniewska" in page.inner_text("#promotion-preview")
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#promotion-prepare")
    entries = page.inner_text("#promotion-entries")
    assert "promocja z wyróżnieniem" in entries and "Matematyka: niedostateczny" in entries
    page.fill("#council_date", timezone.localdate().isoformat())
    page.fill("#resolution_number", "15/2026/2027")
    with page.expect_navigation():
        page.click("#promotion-decide")
    assert "15/2026/2027" in page.inner_text("#promotion-status")
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#promotion-confirm")
    assert "zatwierdzona" in page.inner_text("#promotion-status")
    assert page.locator("#promotion-prepare").count() == 0  # frozen
    assert_no_serious_axe_violations(page)
    plist = PromotionList.objects.get()
    assert (plist.status, plist.resolution_number) == ("confirmed", "15/2026/2027")

    page.context.clear_cookies()
    login(page, "wych", TEST_PASSWORD)
    page.goto(reverse("grades:class_summary", args=[world.school_class.pk]))
    with page.expect_navigation():
        page.click("#related-promotion")
    assert "Matematyka: niedostateczny" in page.inner_text("#promotion-entries")
    assert page.locator("#promotion-prepare").count() == 0
    assert_no_serious_axe_violations(page)
