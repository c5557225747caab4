"""Staff accounts opened from the school office's screen (not only in the Django admin):
with their roles, never a role at or above the creator's own, in the history, and with
a credential letter as families get."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from dziennik.accounts import services
from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core.models import AuditEntry
from dziennik.schools.models import SchoolRole
from dziennik.schools.viewer import get_viewer
from testsupport.browser import login

URL = "/konto/pracownicy/nowe-konto/"
NEW_TEACHER = {"first_name": "Jadwiga", "last_name": "Kołodziej", "roles": ["teacher"]}


def client_for(world, role) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


def staff_state():
    return (
        sorted(User.objects.values_list("username", "first_name", "last_name")),
        sorted(SchoolRole.objects.values_list("user_id", "role")),
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_url():
    assert reverse("accounts:staff_account_new") == URL


@pytest.mark.django_db
def test_the_principal_opens_a_teachers_account_with_a_letter(world):
    principal = world.user("principal")
    response = client_for(world, "principal").post(
        URL, {**NEW_TEACHER, "email": "j.kolodziej@example.pl", "roles": ["teacher"]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    user = User.objects.get(first_name="Jadwiga", last_name="Kołodziej")
    assert (user.school, user.email, user.must_change_password, user.is_active) == (
        world.school,
        "j.kolodziej@example.pl",
        True,
        True,
    )
    assert list(SchoolRole.objects.filter(user=user).values_list("school", "role")) == [
        (world.school.pk, "teacher")
    ]
    text = pdf_text(response.content)
    assert user.username in text and "Jadwiga Kołodziej" in text and "nauczyciel" in text
    # the one-time password printed on the letter logs in (and must then be changed)
    password = text.split("Hasło jednorazowe:")[1].split()[0]
    assert user.check_password(password)
    # the account and its role are in the history, by the principal
    entries = AuditEntry.objects.filter(actor=principal, school=world.school)
    assert sorted(entries.values_list("content_type__model", "action")) == [
        ("schoolrole", "create"),
        ("user", "create"),
    ]
    assert get_viewer(user).is_teacher


@pytest.mark.django_db
def test_the_secretary_is_offered_only_roles_below_her_own(world):
    client = client_for(world, "secretary")
    page = client.get(URL)
    assert page.status_code == 200
    offered = [value for value, _label in page.context["form"].fields["roles"].choices]
    assert offered == ["teacher", "council_member"]
    before = staff_state()
    for role in ("principal", "deputy_principal", "secretary"):
        response = client.post(URL, {**NEW_TEACHER, "roles": [role]})
        assert response.status_code == 400
        assert "roles" in response.context["form"].errors
    assert staff_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "roles"),
    [
        ("secretary", ["principal"]),
        ("secretary", ["secretary"]),
        ("principal", ["principal"]),
        ("teacher_in", ["teacher"]),
        ("class_teacher", ["council_member"]),
        ("own_parent", ["teacher"]),
    ],
)
def test_the_service_refuses_a_role_at_or_above_the_actors_own(world, role, roles):
    before = staff_state()
    with pytest.raises(PermissionDenied):
        services.staff_account_create(
            actor=world.user(role), first_name="Jan", last_name="Nowy", roles=roles
        )
    assert staff_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "", "last_name": "Kołodziej", "roles": ["teacher"]}, "first_name"),
        ({"first_name": "Jadwiga", "last_name": " ", "roles": ["teacher"]}, "last_name"),
        ({"first_name": "Jadwiga", "last_name": "Kołodziej"}, "roles"),
        ({**NEW_TEACHER, "email": "nie-adres"}, "email"),
        ({**NEW_TEACHER, "first_name": "J" * 151}, "first_name"),
        ({**NEW_TEACHER, "roles": ["wizard"]}, "roles"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(world, data, field):
    before = staff_state()
    response = client_for(world, "principal").post(URL, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    # what was typed stays in the form
    if data.get("last_name", "").strip():
        assert data["last_name"] in response.content.decode()
    assert staff_state() == before


@pytest.mark.django_db
def test_namesakes_get_different_logins(world):
    principal = world.user("principal")
    first = services.staff_account_create(
        actor=principal, first_name="Jan", last_name="Nowak", roles=["teacher"]
    )
    second = services.staff_account_create(
        actor=principal, first_name="Jan", last_name="Nowak", roles=["teacher"]
    )
    assert first.username != second.username


@pytest.mark.django_db
def test_create_post_matrix(world, matrix):
    office = {"anonymous": 302, "principal": 200, "other_principal": 200}
    expected = {role: 404 for role in ("student", "own_parent", "other_parent")}
    expected |= {role: 404 for role in ("teacher_in", "teacher_out", "class_teacher")}
    matrix.check(URL, expected | office, method="post", data=NEW_TEACHER, state=staff_state)
    assert User.objects.filter(last_name="Kołodziej", school=world.other_school).count() == 1
    assert User.objects.filter(last_name="Kołodziej", school=world.school).count() == 1


@pytest.mark.browser
def test_the_principal_adds_a_teacher_in_the_browser(world, page, tmp_path):
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto("/konto/pracownicy/")
    page.click("#staff-account-new")
    page.fill("#id_first_name", "Jadwiga")
    page.fill("#id_last_name", "Kołodziej")
    page.check("#staff-roles input[value=teacher]")
    with page.expect_download() as download:
        page.click("#staff-account-form button[type=submit]")
    path = tmp_path / "letter.pdf"
    download.value.save_as(path)
    assert "Jadwiga Kołodziej" in pdf_text(path.read_bytes())
    page.goto("/konto/pracownicy/")
    row = page.locator("#staff-accounts tr", has_text="Kołodziej")
    assert row.count() == 1
    assert "nauczyciel" in row.inner_text()
