"""Browser tests: setting up an authenticator app and logging in with it (codes computed
with pyotp, as the phone would)."""

import re
import time

import pyotp
import pytest

from dziennik.accounts.models import TotpDevice
from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.click("#account-menu summary")  # the account's menu: password, log out
    with page.expect_navigation():
        page.click(".account form button[type=submit]")


def test_parent_sets_up_an_app_and_logs_in_with_it(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto("/konto/haslo/")
    with page.expect_navigation():
        page.click("#second-factor-link")
    assert page.url.endswith("/konto/weryfikacja/")
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#second-factor-enrol")
    assert page.locator("#second-factor-qr svg").count() == 1
    assert_no_serious_axe_violations(page)
    secret = page.locator("#second-factor-secret").inner_text().strip()
    assert secret == TotpDevice.objects.get(user=world.user("own_parent")).secret

    # A wrong code first: the form says so and nothing is switched on.
    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.click("#second-factor-confirm-form button[type=submit]")
    assert page.locator("#second-factor-confirm-form .errorlist").count() == 1
    page.fill("#id_code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("#second-factor-confirm-form button[type=submit]")
    codes = page.locator("#recovery-codes li code").all_inner_texts()
    assert len(codes) == 10
    assert_no_serious_axe_violations(page)

    log_out(page)
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.url.endswith("/konto/logowanie/drugi-krok/")
    assert page.locator("#second-step-form").count() == 1
    assert_no_serious_axe_violations(page)
    # Not logged in yet: the register sends back to the login.
    page.goto("/")
    assert "/konto/logowanie/" in page.url
    login(page, "rodzic-test", TEST_PASSWORD)
    page.fill("#id_code", pyotp.TOTP(secret).at(time.time() + 30))
    with page.expect_navigation():
        page.click("#second-step-form button[type=submit]")
    assert re.search(r"/$", page.url) and "konto" not in page.url
    assert "Zofia" in page.content()

    # A recovery code works instead of the app, once.
    log_out(page)
    login(page, "rodzic-test", TEST_PASSWORD)
    page.fill("#id_code", codes[0])
    with page.expect_navigation():
        page.click("#second-step-form button[type=submit]")
    assert re.search(r"/$", page.url) and "konto" not in page.url


def test_staff_without_an_app_is_sent_to_set_one_up(world, page):
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    login(page, "n-in", TEST_PASSWORD)
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/konto/weryfikacja/")
    assert page.locator("#second-factor-required").count() == 1
    with page.expect_navigation():
        page.click("#second-factor-enrol")
    secret = page.locator("#second-factor-secret").inner_text().strip()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("#second-factor-confirm-form button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/szkola/klasy/")
