"""The principal's configuration screens of plans (``/plan-dostepu/ustawienia/``) pass axe
(WCAG 2.1 AA) and do not scroll sideways at 360 and 1366 px: the list, the school's
settings, each add and edit form (plan, package, promotion, offer) empty, filled and
with its errors, and a delete confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.plans import services
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login

from .factories import leaflet

pytestmark = pytest.mark.browser
VIEWPORTS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def _check(page, label: str) -> list[str]:
    problems = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
        if found:
            problems.append(f"{label} at {viewport['width']} px:\n{format_violations(found)}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{label}: {width} px wide at {viewport['width']} px")
    return problems


def _visit(page, url: str, label: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    return _check(page, label)


def _submit_with_errors(page, url: str, label: str, form: str, fill: dict[str, str]) -> list[str]:
    """The form sent with bad values: the page answers 400 with its errors shown."""
    page.set_viewport_size(VIEWPORTS[1])
    assert page.goto(url).status == 200, url
    for selector, value in fill.items():
        page.fill(selector, value)
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click(f"#{form} button[type=submit]")
    assert sent.value.status == 400, url
    assert page.locator(".errorlist").count() > 0, url
    return _check(page, f"{label} with errors")


def test_the_principals_configuration_screens_pass_axe_on_a_phone_and_a_desktop(world, page):
    plans = leaflet(world)
    package = plans["single"]
    promotion = package.promotions.get()
    login(page, "dyrektor-test", TEST_PASSWORD)
    screens = [
        (reverse("plans:config"), "the list"),
        (reverse("plans:config_settings"), "the settings"),
        (reverse("plans:config_plan_new"), "a new plan"),
        (reverse("plans:config_plan", args=[plans["basic"].pk]), "the free plan"),
        (reverse("plans:config_plan", args=[plans["extended"].pk]), "a paid plan"),
        (reverse("plans:config_package_new", args=[plans["extended"].pk]), "a new package"),
        (reverse("plans:config_package", args=[package.pk]), "a package"),
        (reverse("plans:config_promotion_new", args=[package.pk]), "a new promotion"),
        (reverse("plans:config_promotion", args=[promotion.pk]), "a promotion"),
        (reverse("plans:config_offer_new"), "a new offer"),
        (reverse("plans:config_offer", args=[plans["offer"].pk]), "an offer"),
        (reverse("plans:config_package_delete", args=[package.pk]), "a package's delete"),
    ]
    problems: list[str] = []
    for url, label in screens:
        problems += _visit(page, url, label)
    # the seven rows of consultation hours share their labels (day, from, to): each row
    # is a group named by its number, so a screen reader says which row a field is in
    page.goto(reverse("plans:config_settings"))
    rows = page.locator("#consultation-hours [role=group]")
    assert rows.count() == 7
    last = page.get_by_role("group", name="Godziny konsultacji, wiersz 7", exact=True)
    assert last.get_by_role("combobox", name="Dzień").count() == 1
    # a non-public school in the 2012 model: the list warns what the free plan still
    # opens from anywhere
    world.school.is_public = False
    world.school.save()
    services.plan_settings_update(
        actor=world.user("principal"),
        mode="at_school",
        networks="192.0.2.0/24",
        consultation_hours=[{"weekday": 2, "start": "15:00", "end": "17:00"}],
    )
    problems += _visit(page, reverse("plans:config"), "the list in the 2012 model")
    assert page.locator("#free-plan-open").is_visible()
    problems += _visit(page, reverse("plans:config_settings"), "the settings in the 2012 model")
    problems += _submit_with_errors(
        page,
        reverse("plans:config_settings"),
        "the settings",
        "settings-form",
        {"#id_vat_rate": "100", "#id_tax_id": "123"},
    )
    for url, label, fill in (
        (reverse("plans:config_plan_new"), "a new plan", {"#id_name": ""}),
        (
            reverse("plans:config_package", args=[package.pk]),
            "a package",
            {"#id_amount": "-1"},
        ),
        (
            reverse("plans:config_promotion", args=[promotion.pk]),
            "a promotion",
            {"#id_amount": "999", "#id_date_to": "2000-01-01"},
        ),
        (reverse("plans:config_offer_new"), "a new offer", {"#id_name": ""}),
    ):
        problems += _submit_with_errors(page, url, label, "config-form", fill)
    assert not problems, "\n".join(problems)
