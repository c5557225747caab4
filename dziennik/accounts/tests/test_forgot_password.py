""" "Forgot your password?" on the login page: Django's reset flow through a real SMTP
server on loopback, in Polish, limited, saying nothing about which addresses have
accounts, and with a link that works once."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from dziennik.accounts import forgot
from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core.models import AuditEntry
from testsupport.a11y import assert_no_axe_violations
from testsupport.browser import login
from testsupport.smtp import SMTPServer

URL = "/konto/haslo/nie-pamietam/"
SENT = "/konto/haslo/nie-pamietam/wyslano/"
NEW_PASSWORD = "Zielona-Lampa-2026!"
LINK = re.compile(r"https?://[^/\s]+(/konto/haslo/nowe/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        yield server


@pytest.fixture
def parent(world):
    user = world.user("own_parent")
    user.email = "anna.wisniewska@example.pl"
    user.save(update_fields=["email"])
    return user


def link_in(received) -> str:
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(body).group(1)


def ask(client: Client, email: str):
    return client.post(URL, {"email": email})


def log_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/konto/logowanie/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_the_link_sets_a_new_password_once(world, parent, smtp):
    other_session = world.client("own_parent")
    assert other_session.get("/").status_code == 200
    client = Client()
    response = ask(client, "Anna.Wisniewska@example.pl")
    assert (response.status_code, response["Location"]) == (302, SENT)
    [received] = smtp.received
    assert received.recipients == ["anna.wisniewska@example.pl"]
    message = received.message
    assert message["Subject"] == "Nowe hasło do dziennika elektronicznego"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Twój login: rodzic-test" in body and "Działa jeden raz, przez trzy dni" in body

    link = link_in(received)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and 'id="forgot-confirm-form"' in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    # a bad new password is a form error, and the link still works
    weak = client.post(form_url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 400
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (done.status_code, done["Location"]) == (302, "/konto/haslo/nowe/gotowe/")

    parent.refresh_from_db()
    assert parent.check_password(NEW_PASSWORD) and not parent.must_change_password
    assert log_in("rodzic-test", NEW_PASSWORD) and not log_in("rodzic-test", TEST_PASSWORD)
    # whoever was logged in with the old password is logged out
    assert other_session.get("/").status_code == 302
    # the history says who and how, never the password
    entry = AuditEntry.objects.filter(content_type__model="user", object_id=str(parent.pk)).last()
    assert entry.actor == parent
    assert entry.changes["password"] == ["***", "*** (set through the e-mailed link)"]

    # the link works once
    again = Client().get(link, follow=True)
    assert 'id="forgot-invalid-link"' in again.content.decode()
    assert "forgot-confirm-form" not in again.content.decode()


@pytest.mark.django_db
def test_the_answer_never_says_whether_an_account_has_the_address(world, parent, smtp):
    known = ask(Client(), parent.email)
    unknown = ask(Client(), "nikt@example.pl")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [r.recipients for r in smtp.received] == [[parent.email]]
    page = Client().get(SENT).content.decode()
    assert "Jeśli w dzienniku jest konto z tym adresem e-mail" in page


@pytest.mark.django_db
def test_an_inactive_account_gets_no_message(world, parent, smtp):
    User.objects.filter(pk=parent.pk).update(is_active=False)
    response = ask(Client(), parent.email)
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert smtp.received == []


@pytest.mark.django_db
def test_one_address_gets_at_most_three_messages_an_hour(world, parent, smtp):
    cache.clear()
    for _ in range(forgot.PER_EMAIL_PER_HOUR + 2):
        response = ask(Client(REMOTE_ADDR="10.0.0.1"), parent.email)
        assert (response.status_code, response["Location"]) == (302, SENT)
    assert len(smtp.received) == forgot.PER_EMAIL_PER_HOUR


@pytest.mark.django_db
def test_one_client_asks_at_most_ten_times_an_hour(world, parent, smtp):
    cache.clear()
    client = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(forgot.PER_CLIENT_PER_HOUR):
        assert ask(client, f"ktos{n}@example.pl").status_code == 302
    refused = ask(client, parent.email)
    assert refused.status_code == 429
    assert "Zbyt wiele próśb z tego urządzenia" in refused.content.decode()
    assert smtp.received == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "nie-adres", "a@" + "b" * 300 + ".pl"])
def test_a_bad_address_is_a_form_error(world, smtp, value):
    response = ask(Client(), value)
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert smtp.received == []


@pytest.mark.django_db
def test_a_mail_server_that_is_down_is_no_server_error(world, parent, settings):
    with SMTPServer() as server:
        port = server.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    response = ask(Client(), parent.email)
    assert (response.status_code, response["Location"]) == (302, SENT)


@pytest.mark.django_db
def test_families_without_an_address_are_sent_to_the_class_teacher(world):
    page = Client().get(URL).content.decode()
    assert "poproście wychowawcę o nowe hasło jednorazowe" in page


@pytest.mark.browser
def test_forgot_password_in_the_browser(world, parent, smtp, page):
    page.goto("/konto/logowanie/")
    page.click("#forgot-password-link")
    assert page.locator("h1").inner_text() == "Nie pamiętasz hasła?"
    assert_no_axe_violations(page)
    page.fill("#id_email", parent.email)
    with page.expect_navigation():
        page.click("#forgot-password-form button[type=submit]")
    assert page.locator("h1").inner_text() == "Sprawdź pocztę"
    [received] = smtp.received
    page.goto(link_in(received))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click("#forgot-confirm-form button[type=submit]")
    assert page.locator("#forgot-done").is_visible()
    login(page, "rodzic-test", NEW_PASSWORD)
    assert page.url.endswith("/")
    assert page.locator("nav.mainnav").count() == 1
