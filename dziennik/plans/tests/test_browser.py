"""The family's payment pages pass axe (WCAG 2.1 AA) and do not scroll sideways: the
plan page and a receipt on a 360 px phone; the demo parent's whole walk (plan, receipts,
order form, purchase, slip) at 360 and 1366 px."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.demo.school import DEMO_PASSWORD
from dziennik.plans.models import Package, Purchase
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login

from .factories import leaflet, paid_purchase, sibling

pytestmark = pytest.mark.browser
User = get_user_model()
LINKS_JS = "els => els.map(e => e.getAttribute('href'))"


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


DEMO_VIEWPORTS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def _axe(page, label: str, viewport: dict) -> list[str]:
    found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    problems = [f"{label} at {viewport['width']} px:\n{format_violations(found)}"] if found else []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport["width"]:
        problems.append(f"{label}: {width} px wide at {viewport['width']} px")
    return problems


def test_a_demo_parents_payment_pages_pass_axe_on_a_phone_and_a_desktop(page):
    """The demo parent (``rodzic``) walks their payment pages as they would: the plan
    page, every receipt it links, the order form (empty: its errors; then a transfer for
    one child), the purchase page it leads to with its payment slip, and the purchase
    their paid receipt is for. Each passes axe at 360 and 1366 px."""
    call_command("demo", "--students-per-class", "2", stdout=io.StringIO())
    parent = User.objects.get(username="rodzic")
    paid = Purchase.objects.filter(payer=parent, status=Purchase.Status.PAID).first()
    assert paid is not None, "the demo parent has a paid purchase"
    single = Package.objects.get(school=paid.school, plan__is_free=False, kind="single")
    login(page, "rodzic", DEMO_PASSWORD)
    problems: list[str] = []
    for viewport in DEMO_VIEWPORTS:
        page.set_viewport_size(viewport)
        assert page.goto(reverse("plans:mine")).status == 200
        problems += _axe(page, "the plan page", viewport)
        receipts = page.locator("main a[href*='/wplata/']").evaluate_all(LINKS_JS)
        assert receipts, "the plan page links the demo payment's receipt"
        for href in receipts:
            assert page.goto(href).status == 200
            problems += _axe(page, href, viewport)
            pdf = page.locator("main a[href$='.pdf']").get_attribute("href")
            assert page.request.get(pdf).headers["content-type"] == "application/pdf"
        assert page.goto(reverse("payments:purchase", args=[paid.pk])).status == 200
        problems += _axe(page, "the paid purchase", viewport)
        assert page.goto(reverse("payments:start")).status == 200
        problems += _axe(page, "the order form", viewport)
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
        problems += _axe(page, "the order form with its errors", viewport)
        page.select_option("select[name=package]", str(single.pk))
        page.locator("input[name=students]").first.check()
        page.locator("input[name=channel][value=transfer]").check()
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
        assert "/platnosci/zakup/" in page.url
        problems += _axe(page, "the new purchase waiting for a transfer", viewport)
        slip = page.locator("main a[href$='przekaz.pdf']").get_attribute("href")
        assert page.request.get(slip).headers["content-type"] == "application/pdf"
    assert not problems, "\n".join(problems)
