"""In the browser: the settings page's "Powiadomienia na tym urządzeniu" – the script
takes over from the no-JavaScript text, offers the switch, lists one's devices and removes
one; the page passes axe at 360 and 1366 px. (Headless Chromium cannot reach its push
service, Google's, so subscribing itself is tested against a local one in test_push.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.notifications import services
from dziennik.notifications.models import PushSubscription
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login
from testsupport.push import Device

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def test_the_device_section_of_the_settings(page, world, push_settings):
    device = Device()
    services.push_subscribe(
        actor=world.user("own_parent"),
        endpoint="http://127.0.0.1:9/wpush/telefon",
        p256dh=device.p256dh,
        auth=device.auth_secret,
        label="Chrome, Android",
    )
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("notifications:preferences"))
    section = page.locator("#push")
    assert section.locator("h2").inner_text() == "Powiadomienia na tym urządzeniu"
    toggle = section.locator("#push-toggle")
    toggle.wait_for(state="visible")
    assert toggle.inner_text() == "Otrzymuj powiadomienia na tym urządzeniu"
    assert section.locator("#push-status").inner_text() == (
        "To urządzenie nie otrzymuje powiadomień."
    )
    assert "Chrome, Android" in section.locator("#push-devices").inner_text()
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        section.get_by_role("button", name="Usuń Chrome, Android").click()
    assert "To urządzenie nie będzie już otrzymywać powiadomień." in page.content()
    assert not PushSubscription.objects.exists()
    assert page.locator("#push-devices").count() == 0
