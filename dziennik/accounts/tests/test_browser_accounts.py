"""Browser tests: the first login with a letter's password, the lockout, the letters."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from dziennik.accounts.models import User
from dziennik.accounts.services import credentials_generate_for_class
from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.browser import login

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Moje-Nowe-Haslo-2026"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical accessibility violations on the current page."""
    results = Axe().run(page)
    return [
        violation["id"]
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def log_out(page) -> None:
    page.click("#account-menu summary")  # the account's menu: password, log out
    with page.expect_navigation():
        page.click(".account form button[type=submit]")


def test_first_login_forces_the_password_change(world, page):
    issued = credentials_generate_for_class(
        actor=world.user("class_teacher"), school_class=world.school_class
    )
    kacper = next(i for i in issued if i.full_name == "Kacper Dąbrowski")

    login(page, kacper.username, kacper.password)
    assert page.url.endswith("/konto/haslo/")
    assert page.locator("#password-change-form").count() == 1
    assert serious_violations(page) == []
    # Any other page sends him back to the change.
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/konto/haslo/")

    page.fill("#id_old_password", kacper.password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("#password-change-form button[type=submit]")
    assert re.search(r"/$", page.url) and "konto" not in page.url
    assert "Kacper Dąbrowski" in page.locator(".who").inner_text()

    log_out(page)
    assert "/konto/logowanie/" in page.url
    login(page, kacper.username, NEW_PASSWORD)
    assert re.search(r"/$", page.url) and "konto" not in page.url
    assert User.objects.get(username=kacper.username).must_change_password is False


def test_weak_new_password_is_explained_on_the_form(world, page):
    issued = credentials_generate_for_class(
        actor=world.user("class_teacher"), school_class=world.school_class
    )
    kacper = issued[0]
    login(page, kacper.username, kacper.password)
    page.fill("#id_old_password", kacper.password)
    page.fill("#id_new_password1", "krotkie")
    page.fill("#id_new_password2", "krotkie")
    with page.expect_navigation():
        page.click("#password-change-form button[type=submit]")
    assert page.url.endswith("/konto/haslo/")
    assert page.locator("#id_new_password1_error li").count() >= 1
    # Passwords are never echoed back into the page.
    assert page.locator("#id_old_password").input_value() == ""


def test_lockout_after_failures_shows_the_lock_page(world, page):
    for number in range(1, 5):
        login(page, "rodzic-test", f"zle-haslo-{number}")
        assert page.locator("#locked-out").count() == 0
        assert page.locator("main .errorlist").count() == 1
    login(page, "rodzic-test", "zle-haslo-5")
    assert page.locator("#locked-out").count() == 1
    assert page.locator("#locked-out a[href='/konto/logowanie/']").count() == 1
    assert page.locator("#locked-out-cooloff").get_attribute("data-minutes") == "15"
    assert serious_violations(page) == []
    # The right password does not help while the lock lasts.
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.locator("#locked-out").count() == 1
    assert "logowanie" in page.url
