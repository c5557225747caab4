"""KeyStroke end to end in Chromium: consent on the settings page, a profile enrolled by
typing the password with one rhythm (Playwright's keyboard with per-key delays), that
rhythm logging in straight through, a clearly different one asked for the second step (a
code by e-mail, from the local SMTP server), and no character ever sent or stored.

The per-key delays are kept on the page's own clock: Playwright's fake clock is installed
in the browser and paused while the password is typed, and each hold and pause advances
it by exactly its milliseconds. The keys are real key events in the real login page, and
the page's own capture (``keystroke.js``, reading ``performance.now()``) builds the vector;
only the machine's load can no longer stretch the times it reads."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import numpy as np
import pytest

from dziennik.accounts import typing_capture
from dziennik.keystroke import services
from dziennik.keystroke.models import KeystrokeProfile, UnusualLogin
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login
from testsupport.smtp import SMTPServer

pytestmark = pytest.mark.browser

USERNAME = "rodzic-test"
PASSWORD = "kotek-42"  # short: the test types it twenty-odd times
CODE = re.compile(r"^[ ]+([0-9]{6})\s*$", re.MULTILINE)
# Milliseconds: the owner holds keys briefly with long, uneven pauses between them; the
# other person holds keys long and runs them together.
OWNER_HOLDS = [90, 130, 100, 150, 110, 85, 140, 105]
OWNER_PAUSES = [200, 140, 280, 160, 240, 330, 150]
OTHER_HOLDS = [220] * 8
OTHER_PAUSES = [30] * 7
# How much a person's times vary from one typing to the next (lognormal sigma).
VARIATION = 0.2


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        yield server


@pytest.fixture
def parent(world):
    user = world.user("own_parent")
    user.email = "anna.wisniewska@example.pl"
    user.set_password(PASSWORD)
    user.save(update_fields=["email", "password"])
    return user


def type_password(page, holds, pauses, rng) -> list[float]:
    """Type PASSWORD key by key: hold each key, pause before the next (with the small
    variation a person has). The page's clock stands still between key events and moves
    by exactly each delay (whole milliseconds), whatever the machine's load. Returns the
    timing vector those delays make (H, DD, UD… in seconds), to compare with the page's."""
    page.clock.pause_at((page.evaluate("Date.now()") + 60_000) / 1000)  # ahead, whatever the load
    vector = []
    for index, char in enumerate(PASSWORD):
        hold = round(holds[index] * rng.lognormal(0, VARIATION))
        page.keyboard.down(char)
        page.clock.run_for(hold)
        page.keyboard.up(char)
        vector.append(hold / 1000)
        if index < len(pauses):
            pause = round(pauses[index] * rng.lognormal(0, VARIATION))
            page.clock.run_for(pause)
            vector += [(hold + pause) / 1000, pause / 1000]
    return vector


def log_in_typing(page, holds, pauses, rng) -> dict[str, str]:
    """A login with the password typed; the form's fields as the browser posted them.
    The page's own capture measured exactly the delays typed."""
    page.context.clear_cookies()
    page.goto("/konto/logowanie/")
    page.fill("#id_username", USERNAME)
    page.click("#id_password")
    typed = type_password(page, holds, pauses, rng)

    def posted(request):
        return request.method == "POST" and request.url.endswith("/konto/logowanie/")

    with page.expect_request(posted) as info, page.expect_navigation():
        page.keyboard.press("Enter")
    page.clock.resume()  # the next page's timers (axe, htmx) run in real time again
    fields = {
        name: values[0]
        for name, values in parse_qs(info.value.post_data, keep_blank_values=True).items()
    }
    assert typing_capture.parse(fields["keystroke"]) == pytest.approx(typed, abs=1e-6)
    return fields


def test_a_profile_typed_with_one_rhythm_lets_it_in_and_stops_another(
    world, parent, smtp, page, live_server
):
    rng = np.random.default_rng(7)
    page.clock.install()  # runs in real time until a typing pauses it
    # Some thirty page loads: on a machine loaded many times over, one of them can take
    # longer than the usual 15 s. Only waiting is longer; the times typed are not affected.
    page.set_default_timeout(60_000)
    # Consent first, on the person's own settings page.
    login(page, USERNAME, PASSWORD)
    page.goto("/konto/haslo/")
    with page.expect_navigation():
        page.click("#keystroke-link")
    assert page.locator("#keystroke-consent-text").count() == 1
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#keystroke-enable button[type=submit]")  # the box not ticked
    assert KeystrokeProfile.objects.count() == 0
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("#keystroke-enable button[type=submit]")
    assert page.locator("#keystroke-on").count() == 1
    assert_no_serious_axe_violations(page)

    # Enrolment: the next logins typed with the owner's rhythm build the profile.
    for _ in range(services.LEARNING_SAMPLES):
        fields = log_in_typing(page, OWNER_HOLDS, OWNER_PAUSES, rng)
        assert page.url == live_server.url + "/"
    # What the page sent: timings only, numbers only, never a character.
    raw = fields["keystroke"]
    assert re.fullmatch(r'[{}\[\]",:.0-9 vt]*', raw), raw
    assert PASSWORD not in raw and not any(part in raw for part in ("kotek", "k", "o", "e"))
    assert len(typing_capture.parse(raw)) == 3 * len(PASSWORD) - 2
    profile = KeystrokeProfile.objects.get(user=parent)
    assert profile.sample_count == services.LEARNING_SAMPLES
    stored = json.dumps(list(KeystrokeProfile.objects.values().filter(user=parent)), default=str)
    assert "kotek" not in stored and PASSWORD not in stored
    assert all(isinstance(value, float) for row in profile.samples for value in row)

    # The same rhythm: straight through, no question, no mail.
    for _ in range(2):
        log_in_typing(page, OWNER_HOLDS, OWNER_PAUSES, rng)
        assert page.url == live_server.url + "/"
    assert smtp.received == [] and UnusualLogin.objects.count() == 0

    # A clearly different rhythm with the right password: the second step.
    log_in_typing(page, OTHER_HOLDS, OTHER_PAUSES, rng)
    assert page.url.endswith("/konto/logowanie/kod-e-mail/")
    assert page.locator("#email-code-form").count() == 1
    assert_no_serious_axe_violations(page)
    [received] = smtp.received
    code = CODE.search(received.message.get_body(preferencelist=("plain",)).get_content())
    page.fill("#id_code", code.group(1))
    with page.expect_navigation():
        page.click("#email-code-form button[type=submit]")
    assert page.url == live_server.url + "/"
    # The owner is told on the home page.
    assert page.locator("#unusual-logins-panel").count() == 1
    assert "Nietypowe logowanie" in page.locator("#unusual-logins-panel").inner_text()
    assert_no_serious_axe_violations(page)

    # Pasted (filled in): never stopped, nothing learned.
    page.context.clear_cookies()
    before = KeystrokeProfile.objects.get(user=parent).sample_count
    login(page, USERNAME, PASSWORD)
    assert page.url == live_server.url + "/"
    assert KeystrokeProfile.objects.get(user=parent).sample_count == before

    # Turned off: the profile is gone.
    page.goto("/rytm-pisania/")
    with page.expect_navigation():
        page.click("#keystroke-disable button[type=submit]")
    assert not KeystrokeProfile.objects.filter(user=parent).exists()
    assert page.locator("#keystroke-off").count() == 1
