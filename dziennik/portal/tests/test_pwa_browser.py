"""The installable app in Chromium: the manifest and the service worker pass Chromium's
installability checks; the last-seen grade page is served offline with its banner, and
after a logout the previous person's copy is gone."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import CHROMIUM_FLAGS, chromium_path, login, watch_policy_violations

pytestmark = pytest.mark.browser


def _controlled(page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => true)", polling=200, timeout=15_000
    )
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)


@pytest.fixture
def profile_page(chromium_browser, live_server, csp_violations, tmp_path):
    """A page of a browser profile on disk: Chromium says no app of an incognito
    context (``in-incognito``, which every ``new_context`` is) can be installed."""
    context = chromium_browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_path(),
        args=CHROMIUM_FLAGS,
        base_url=live_server.url,
        locale="pl-PL",
        viewport={"width": 1280, "height": 900},
    )
    watch_policy_violations(context, csp_violations)
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert csp_violations == [], csp_violations


def test_the_app_is_installable(profile_page, world):
    page = profile_page
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("portal:home"))
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []


def test_the_last_seen_grade_page_is_there_offline_and_gone_after_logout(page, world):
    login(page, "rodzic-test", TEST_PASSWORD)
    grades = reverse("grades:student", args=[world.student.pk])
    page.goto(grades)
    _controlled(page)
    title = page.locator("h1").inner_text()
    assert page.locator("#offline-banner").is_hidden()

    page.context.set_offline(True)
    page.reload()
    banner = page.locator("#offline-banner")
    banner.wait_for(state="visible")
    assert banner.inner_text().startswith("Brak połączenia – dane z ")
    assert banner.locator("time").get_attribute("datetime")
    assert page.locator("h1").inner_text() == title
    assert_no_serious_axe_violations(page)

    page.context.set_offline(False)
    page.goto(reverse("portal:home"))
    page.locator("#account-menu summary").click()
    with page.expect_navigation():
        page.locator("#account-menu button[type=submit]", has_text="Wyloguj").click()
    page.context.set_offline(True)
    page.goto(grades)
    assert page.locator("h1").inner_text() == "Brak połączenia"
    assert "Wiśniewska" not in page.content()


def test_a_push_is_shown_and_a_tap_opens_its_page(profile_page, world, live_server):
    page = profile_page
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    login(page, "rodzic-test", TEST_PASSWORD)
    _controlled(page)
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _attempt in range(50):
        active = [r for r in registrations if not r["isDeleted"]]
        if active:
            break
        page.wait_for_timeout(200)
    registration = active[0]
    message = {
        "title": "Dziennik",
        "body": "Nowa ocena z przedmiotu Matematyka – Zofia",
        "url": reverse("notifications:centre"),
        "tag": "dz-1",
    }
    shown = []
    # a push to a worker that is just starting may be dropped by Chromium: sent again
    # (the same tag: shown once) until it is shown
    for _attempt in range(6):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server.url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(message, ensure_ascii=False),
            },
        )
        for _poll in range(25):
            shown = page.evaluate(
                """navigator.serviceWorker.ready
                     .then((r) => r.getNotifications())
                     .then((all) => all.map((n) => [n.title, n.body, n.tag, n.data.url]))"""
            )
            if shown:
                break
            page.wait_for_timeout(200)
        if shown:
            break
    assert shown == [["Dziennik", message["body"], "dz-1", message["url"]]]
