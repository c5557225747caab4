"""The forced change of a first (or reset) password, and changing one's password."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.accounts.services import credentials_generate_for_class, password_set, user_create
from dziennik.core.models import AuditEntry
from dziennik.schools.models import Student

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CHANGE = reverse("accounts:password_change")
NEW_PASSWORD = "Nowe-Haslo-Kacpra-2026"


@pytest.fixture
def first_login(world):
    """Kacper's letter: his login and one-time password, and a client logged in with them."""
    issued = credentials_generate_for_class(
        actor=world.user("class_teacher"), school_class=world.school_class
    )
    kacper = next(i for i in issued if i.full_name == "Kacper Dąbrowski")
    client = Client()
    response = client.post(LOGIN, {"username": kacper.username, "password": kacper.password})
    assert response.status_code == 302
    return kacper, client


def test_first_login_goes_to_the_password_change(world, first_login):
    kacper, client = first_login
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == CHANGE
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert page.context["forced"] is True
    # The login itself counted as the activation.
    assert User.objects.get(username=kacper.username).activated_at is not None


def test_every_other_url_redirects_until_changed(world, first_login):
    kacper, client = first_login
    student_id = User.objects.get(username=kacper.username).student_profile.pk
    urls = [
        "/",
        reverse("schools:class_list"),
        reverse("schools:class_detail", args=[world.school_class.pk]),
        reverse("schools:student_detail", args=[student_id]),
        reverse("accounts:class_credentials", args=[world.school_class.pk]),
        "/admin/",
        "/no-such-page/",
    ]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, CHANGE), url
    for url in (reverse("accounts:switch_child"), reverse("accounts:logout_everywhere")):
        response = client.post(url, {"student": student_id})
        assert (response.status_code, response["Location"]) == (302, CHANGE), url
    assert User.objects.get(username=kacper.username).session_generation == 0
    # The way out stays open: logging out works.
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_a_pages_fragment_gets_an_empty_answer_until_changed(world, first_login):
    """The top bar's counters load by htmx: redirected, they would load the whole password
    page into the bar, which loads its counters again, without end."""
    _kacper, client = first_login
    for name in ("notifications:count", "messaging:unread"):
        response = client.get(reverse(name), headers={"HX-Request": "true"})
        assert response.status_code == 204, name
        assert response.content == b""
        assert client.get(reverse(name)).status_code == 302


def test_changing_the_password_lifts_the_redirect(world, first_login):
    kacper, client = first_login
    response = client.post(
        CHANGE,
        {
            "old_password": kacper.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get("/").status_code == 200  # the session survived the change
    user = User.objects.get(username=kacper.username)
    assert user.must_change_password is False
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).first()
    assert entry.actor_id == user.pk
    assert entry.changes["must_change_password"] == [True, False]
    assert NEW_PASSWORD not in str(entry.changes)
    # The one-time password is spent; the new one logs in.
    spent = Client().post(LOGIN, {"username": kacper.username, "password": kacper.password})
    assert spent.status_code == 200
    assert spent.context["form"].errors
    fresh = Client()
    response = fresh.post(LOGIN, {"username": kacper.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert fresh.get("/").status_code == 200


def change(client, old: str, new1: str, new2: str | None = None):
    return client.post(
        CHANGE,
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def error_codes(response, field: str) -> set[str]:
    return {e.code for e in response.context["form"].errors.as_data().get(field, [])}


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        ("Krotkie1!", "password_too_short"),
        ("password123", "password_too_common"),
        ("12345678901234", "password_entirely_numeric"),
        ("kacper.dabrowski", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(world, first_login, new_password, code):
    kacper, client = first_login
    response = change(client, kacper.password, new_password)
    assert response.status_code == 200
    assert code in error_codes(response, "new_password1")
    user = User.objects.get(username=kacper.username)
    assert user.check_password(kacper.password)
    assert user.must_change_password is True
    # Still forced.
    assert client.get("/")["Location"] == CHANGE


NAME_REFUSED = "Hasło zawiera Twoje imię, nazwisko lub login."


@pytest.mark.parametrize(
    "new_password",
    [
        "Dabrowski-Haslo-2026",  # the last name, long enough to pass the similarity check
        "DĄBROWSKI-w-szkole-7",  # any case, with or without the Polish letters
        "moj-kacper-ma-10-lat",  # the first name
        "Mieczyslaw#Haslo#99",  # the student's second name (their record, not the login)
    ],
)
def test_passwords_with_ones_own_names_are_refused(world, first_login, new_password):
    kacper, client = first_login
    Student.objects.filter(pk=world.classmate.pk).update(second_name="Mieczysław")
    response = change(client, kacper.password, new_password)
    assert response.status_code == 200
    assert "password_contains_personal_name" in error_codes(response, "new_password1")
    assert NAME_REFUSED in response.content.decode()  # the forced change, in Polish
    assert User.objects.get(username=kacper.username).check_password(kacper.password)


def test_the_similarity_check_looks_at_the_login_names_and_email(world):
    """Django's similarity check on the login, names and e-mail, in Polish."""
    parent = User.objects.get(username="rodzic-test")
    parent.email = "anna.wisniewska@poczta.example"
    parent.save()
    client = Client()
    client.force_login(parent)
    response = change(client, "Test-haslo-123!", "anna.wisniewska@poczta")
    assert "password_too_similar" in error_codes(response, "new_password1")
    assert "Hasło jest zbyt podobne do" in response.content.decode()
    # The help text under the field names the rule, in Polish.
    assert "Hasło nie może zawierać Twojego imienia" in client.get(CHANGE).content.decode()


def test_an_account_without_a_name_is_checked_against_its_login(world):
    """The office's account services check the same rules (an unsaved account too)."""
    with pytest.raises(ValidationError) as refused:
        user_create(
            actor=world.user("secretary"),
            username="j.kowalski",
            school=world.school,
            password="Kowalski-Haslo-2026",
        )
    assert [e.code for e in refused.value.error_list] == ["password_contains_personal_name"]
    with pytest.raises(ValidationError):
        password_set(
            actor=world.user("secretary"),
            user=world.user("own_parent"),
            new_password="Wisniewska-Nowe-2026",
        )
    user_create(
        actor=world.user("secretary"),
        username="j.kowalski",
        school=world.school,
        password="Zupelnie-Inne-Haslo-2026",
    )


def test_wrong_old_password_is_refused(world, first_login):
    kacper, client = first_login
    response = change(client, "not-the-old-one", NEW_PASSWORD)
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(username=kacper.username).check_password(kacper.password)


def test_mismatch_and_unchanged_password_are_refused(world, first_login):
    kacper, client = first_login
    response = change(client, kacper.password, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "new_password2" in response.context["form"].errors
    response = change(client, kacper.password, kacper.password)
    assert "new_password1" in response.context["form"].errors
    assert User.objects.get(username=kacper.username).check_password(kacper.password)


def test_changing_the_password_logs_out_other_devices(world):
    from dziennik.accounts.tests.factories import TEST_PASSWORD

    phone, laptop = Client(REMOTE_ADDR="10.2.0.1"), Client(REMOTE_ADDR="10.2.0.2")
    for client in (phone, laptop):
        client.post(LOGIN, {"username": "rodzic-test", "password": TEST_PASSWORD})
        assert client.get("/").status_code == 200
    response = change(laptop, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_password_change_page_needs_login(world):
    response = Client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
