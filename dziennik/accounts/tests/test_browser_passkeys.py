"""Browser tests: passkeys end to end in Chromium, with its virtual authenticator driven
through the DevTools protocol (a platform authenticator that keeps discoverable keys
and verifies the person), against the live server at http://localhost:<port> (a secure
context, as WebAuthn needs)."""

import re

import pytest

from dziennik.accounts.models import Passkey
from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def passkey_site(settings, live_server):
    """The relying party is the live server: localhost and its port."""
    assert live_server.url.startswith("http://localhost:")
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [live_server.url]
    return live_server.url


def add_virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, authenticator["authenticatorId"]


def log_out(page) -> None:
    page.click("#account-menu summary")
    with page.expect_navigation():
        page.click(".account form button[type=submit]")


def add_passkey(page, name: str) -> None:
    page.goto("/konto/klucze-dostepu/")
    page.fill("#id_name", name)
    with page.expect_navigation():
        page.click("#passkey-add")


def test_a_parent_adds_a_passkey_and_logs_in_with_it(world, page, passkey_site):
    cdp, authenticator_id = add_virtual_authenticator(page)
    parent = world.user("own_parent")
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto("/konto/weryfikacja/")
    with page.expect_navigation():
        page.click("#passkeys-manage")
    assert page.url.endswith("/konto/klucze-dostepu/")
    assert page.locator("#passkey-none").is_visible()
    assert page.locator("#passkey-unsupported").is_hidden()
    assert_no_serious_axe_violations(page)

    # Without a name nothing is asked of the authenticator; the form says what is missing.
    with page.expect_navigation():
        page.click("#passkey-add")
    assert page.locator("#passkey-add-form .errorlist").count() >= 1
    assert not Passkey.objects.exists()

    page.fill("#id_name", "Mój laptop")
    with page.expect_navigation():
        page.click("#passkey-add")
    assert page.locator("#passkey-list li").count() == 1
    assert "Mój laptop" in page.locator("#passkey-list").inner_text()
    assert_no_serious_axe_violations(page)
    passkey = Passkey.objects.get(user=parent)
    kept = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(kept["credentials"]) == 1 and kept["credentials"][0]["isResidentCredential"]

    # The password, then the passkey as the second step.
    log_out(page)
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.url.endswith("/konto/logowanie/drugi-krok/")
    assert page.locator("#passkey-second-step-button").is_visible()
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#passkey-second-step-button")
    assert re.search(r"/$", page.url) and "konto" not in page.url
    assert "Zofia" in page.content()
    first_count = Passkey.objects.get(pk=passkey.pk).sign_count
    assert first_count > 0

    # The passkey alone, from the login page (a discoverable key, the person verified).
    log_out(page)
    page.goto("/konto/logowanie/")
    assert page.locator("#passkey-login-button").is_visible()
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#passkey-login-button")
    assert re.search(r"/$", page.url) and "konto" not in page.url
    assert "Zofia" in page.content()
    assert Passkey.objects.get(pk=passkey.pk).sign_count > first_count

    # Removed from the account (with the password), the key no longer logs in.
    page.goto("/konto/klucze-dostepu/")
    page.click("#passkey-list summary")
    page.fill(f"#passkey-remove-password-{passkey.pk}", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("#passkey-list .passkey-remove-form button[type=submit]")
    assert page.locator("#passkey-none").is_visible()
    log_out(page)
    page.goto("/konto/logowanie/")
    with page.expect_navigation():
        page.click("#passkey-login-button")
    assert page.url.endswith("/konto/logowanie/")
    assert page.locator("#id_password").is_visible()


def test_a_passkey_meets_the_schools_requirement_for_staff(world, page, passkey_site):
    add_virtual_authenticator(page)
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    login(page, "n-in", TEST_PASSWORD)
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/konto/weryfikacja/")
    with page.expect_navigation():
        page.click("#passkeys-manage")
    assert page.locator("#second-factor-required").count() == 1
    add_passkey(page, "Telefon służbowy")
    assert "Telefon służbowy" in page.locator("#passkey-list").inner_text()
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/szkola/klasy/")
    # The next login asks for the key after the password, and the key lets the teacher in.
    log_out(page)
    login(page, "n-in", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("#passkey-second-step-button")
    page.goto("/szkola/klasy/")
    assert page.url.endswith("/szkola/klasy/")


def test_a_refused_ceremony_is_explained_and_the_password_still_works(world, page, passkey_site):
    cdp, authenticator_id = add_virtual_authenticator(page)
    login(page, "rodzic-test", TEST_PASSWORD)
    add_passkey(page, "Telefon")
    log_out(page)
    # The device no longer verifies the person: the login with the key alone needs that.
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False}
    )
    page.goto("/konto/logowanie/")
    page.click("#passkey-login-button")
    error = page.locator("#passkey-login-form [data-passkey-error]")
    error.wait_for(state="visible")
    assert "Zaloguj się hasłem" in error.inner_text()
    assert page.url.endswith("/konto/logowanie/")
    assert_no_serious_axe_violations(page)
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.url.endswith("/konto/logowanie/drugi-krok/")
