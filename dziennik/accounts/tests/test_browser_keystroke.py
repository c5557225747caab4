"""KeyStroke capture in Chromium: typed rhythm goes with the login, characters never do."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from dziennik.accounts import typing_capture
from dziennik.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

HOLD_MS = 60
GAP_MS = 120


def _submitted(page, submit) -> dict[str, str]:
    """The login form's fields as the browser posted them."""

    def posted(request):
        return request.method == "POST" and "logowanie" in request.url

    with page.expect_request(posted) as info, page.expect_navigation():
        submit()
    return {k: v[0] for k, v in parse_qs(info.value.post_data, keep_blank_values=True).items()}


def test_typing_the_password_sends_its_rhythm_and_no_character(world, page):
    page.goto("/konto/logowanie/")
    page.fill("#id_username", "rodzic-test")
    page.click("#id_password")

    def type_and_submit():
        for char in TEST_PASSWORD:
            page.keyboard.press(char, delay=HOLD_MS)
            page.wait_for_timeout(GAP_MS)
        page.keyboard.press("Enter")

    fields = _submitted(page, type_and_submit)
    raw = fields["keystroke"]
    assert re.fullmatch(r'[{}\[\]",:.0-9 vt]*', raw), raw  # numbers only, no characters
    assert json.loads(raw)["v"] == 1
    vector = typing_capture.parse(raw)
    assert vector is not None and len(vector) == 3 * len(TEST_PASSWORD) - 2
    holds = vector[0::3]
    assert all(HOLD_MS / 1000 * 0.8 < hold < 1.0 for hold in holds), holds
    assert "logowanie" not in page.url  # logged in


def test_a_filled_in_password_sends_no_rhythm_and_logs_in(world, page):
    page.goto("/konto/logowanie/")
    page.fill("#id_username", "rodzic-test")
    page.fill("#id_password", TEST_PASSWORD)  # as a password manager or a paste does
    fields = _submitted(page, lambda: page.click("main button[type=submit]"))
    assert fields["keystroke"] == ""
    assert "logowanie" not in page.url


def test_editing_the_password_drops_the_rhythm(world, page):
    page.goto("/konto/logowanie/")
    page.fill("#id_username", "rodzic-test")
    page.click("#id_password")
    page.keyboard.type(TEST_PASSWORD + "x", delay=30)
    page.keyboard.press("Backspace")
    fields = _submitted(page, lambda: page.keyboard.press("Enter"))
    assert fields["keystroke"] == ""
    assert "logowanie" not in page.url
