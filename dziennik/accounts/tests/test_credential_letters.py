"""Credential letters: accounts for a whole class and the PDF with one page per person."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from dziennik.accounts.letters import render_letters
from dziennik.accounts.models import LetterJob, User
from dziennik.accounts.services import credentials_generate_for_class
from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.attendance.tests.factories import committed
from dziennik.core.models import AuditEntry
from dziennik.schools.models import Guardian, Student

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def download_letters(client, school_class, data=None):
    """Ask for the class's letters as the page does, run the queued job as a commit
    would, open the job's page and download the letters: the download's response."""
    url = reverse("accounts:class_credentials", args=[school_class.pk])
    with committed():
        response = client.post(url, data or {})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    job = job_page.context["job"]
    return client.post(reverse("accounts:letters_download", args=[job.pk]))


def by_name(issued):
    return {item.full_name: item for item in issued}


def test_new_accounts_for_students_and_guardians(world, letter_class):
    teacher = world.user("class_teacher")
    issued = credentials_generate_for_class(actor=teacher, school_class=world.school_class)

    # Zofia, Anna and Marek already have accounts; Jerzy's access is court-limited;
    # Ewa, the mother of the twins, gets one account and one letter.
    assert [i.full_name for i in issued] == [
        "Kacper Dąbrowski",
        "Łucja Żółkiewska",
        "Tymon Żółkiewski",
        "Małgorzata Dąbrowska",
        "Ewa Żółkiewska",
    ]
    items = by_name(issued)
    assert items["Łucja Żółkiewska"].username == "lucja.zolkiewska"
    assert items["Łucja Żółkiewska"].kind == "student"
    assert items["Łucja Żółkiewska"].about == ("4a",)
    assert items["Ewa Żółkiewska"].username == "ewa.zolkiewska.r"
    assert items["Ewa Żółkiewska"].about == (
        "Ignacy Żółkiewski (4b)",
        "Tymon Żółkiewski (4a)",
        "Łucja Żółkiewska (4a)",
    )

    letter_class.lucja.refresh_from_db()
    letter_class.ewa.refresh_from_db()
    letter_class.jerzy.refresh_from_db()
    assert letter_class.jerzy.user_id is None
    lucja = letter_class.lucja.user
    assert lucja.pk == items["Łucja Żółkiewska"].user_id
    assert lucja.school_id == world.school.pk
    assert lucja.must_change_password is True
    assert lucja.activated_at is None
    assert (lucja.first_name, lucja.last_name) == ("Łucja", "Żółkiewska")
    # Only the Argon2 hash is stored, and it matches the password on the letter.
    assert lucja.password.startswith("argon2")
    assert items["Łucja Żółkiewska"].password not in lucja.password
    assert lucja.check_password(items["Łucja Żółkiewska"].password)
    assert letter_class.ewa.user.check_password(items["Ewa Żółkiewska"].password)
    # Existing accounts are untouched.
    assert User.objects.get(username="rodzic-test").must_change_password is False
    # All passwords differ.
    assert len({i.password for i in issued}) == 5


def test_generation_is_recorded_in_the_history(world, letter_class):
    teacher = world.user("class_teacher")
    credentials_generate_for_class(actor=teacher, school_class=world.school_class)
    user_type = ContentType.objects.get_for_model(User)
    created = AuditEntry.objects.filter(content_type=user_type, action="create")
    assert created.count() == 5
    assert set(created.values_list("actor_id", flat=True)) == {teacher.pk}
    assert set(created.values_list("school_class_id", flat=True)) == {world.school_class.pk}
    lucja_user = Student.objects.get(pk=letter_class.lucja.pk).user
    entry = created.get(object_id=str(lucja_user.pk))
    assert entry.student_id == letter_class.lucja.pk
    assert entry.changes["password"] == [None, "***"]
    link = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Student),
        object_id=str(letter_class.lucja.pk),
    )
    assert link.changes == {"user": [None, lucja_user.pk]}
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Guardian),
        object_id=str(letter_class.ewa.pk),
    ).exists()


def test_second_run_issues_nothing_and_regenerate_keeps_logins(world, letter_class):
    teacher = world.user("class_teacher")
    first = by_name(credentials_generate_for_class(actor=teacher, school_class=world.school_class))
    assert credentials_generate_for_class(actor=teacher, school_class=world.school_class) == []

    again = credentials_generate_for_class(
        actor=teacher, school_class=world.school_class, regenerate=True
    )
    items = by_name(again)
    assert set(items) == {
        "Zofia Wiśniewska",
        "Kacper Dąbrowski",
        "Łucja Żółkiewska",
        "Tymon Żółkiewski",
        "Anna Wiśniewska",
        "Marek Dąbrowski",
        "Małgorzata Dąbrowska",
        "Ewa Żółkiewska",
    }
    assert items["Zofia Wiśniewska"].username == "uczen-test"
    assert items["Łucja Żółkiewska"].username == first["Łucja Żółkiewska"].username
    lucja = User.objects.get(username="lucja.zolkiewska")
    assert not lucja.check_password(first["Łucja Żółkiewska"].password)
    assert lucja.check_password(items["Łucja Żółkiewska"].password)
    zofia = User.objects.get(username="uczen-test")
    assert zofia.must_change_password is True
    assert zofia.session_generation == 1
    assert User.objects.filter(username__startswith="lucja").count() == 1


def test_login_names_are_numbered_on_clash(world, letter_class):
    UserFactory(username="lucja.zolkiewska")
    issued = by_name(
        credentials_generate_for_class(
            actor=world.user("class_teacher"), school_class=world.school_class
        )
    )
    assert issued["Łucja Żółkiewska"].username == "lucja.zolkiewska2"
    # The letter's login and password work on the login page (and force a change).
    response = Client().post(
        reverse("accounts:login"),
        {"username": "lucja.zolkiewska2", "password": issued["Łucja Żółkiewska"].password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change")
    assert response.context["user"].username == "lucja.zolkiewska2"


@pytest.mark.parametrize("role", ["teacher_in", "teacher_out", "own_parent", "other_principal"])
def test_only_the_class_teacher_or_school_office_may_generate(world, letter_class, role):
    with pytest.raises(PermissionDenied):
        credentials_generate_for_class(actor=world.user(role), school_class=world.school_class)
    assert Student.objects.get(pk=letter_class.lucja.pk).user_id is None


@pytest.mark.parametrize("role", ["principal", "secretary"])
def test_principal_and_secretary_may_generate(world, letter_class, role):
    issued = credentials_generate_for_class(actor=world.user(role), school_class=world.school_class)
    assert len(issued) == 5


def test_pdf_has_one_page_per_person_with_polish_letters(world, letter_class):
    client = world.client("class_teacher")
    response = download_letters(client, world.school_class)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="loginy-4a.pdf"'
    assert "no-store" in response["Cache-Control"]
    pages = pdf_pages(response.content)
    assert len(pages) == 5
    assert "Kacper Dąbrowski" in pages[0]
    assert "Łucja Żółkiewska" in pages[1]
    assert "Tymon Żółkiewski" in pages[2]
    assert "Małgorzata Dąbrowska" in pages[3]
    assert "Kacper Dąbrowski" in pages[3]  # her child
    assert "Ewa Żółkiewska" in pages[4]
    assert "Ignacy Żółkiewski (4b)" in pages[4]
    for text in pages:
        assert "Szkoła Podstawowa nr 7 im. Marii Skłodowskiej-Curie" in text
        assert "http://testserver/konto/logowanie/" in text
    # The page's password is the one stored (as a hash) for the page's login.
    lucja = User.objects.get(username="lucja.zolkiewska")
    assert "lucja.zolkiewska" in pages[1]
    password = next(word for word in pages[1].split() if len(word) == 14 and word.count("-") == 2)
    assert lucja.check_password(password)
    assert lucja.password.startswith("argon2")


def test_regenerated_pdf_contains_wisniewska(world, letter_class):
    client = world.client("class_teacher")
    response = download_letters(client, world.school_class, {"regenerate": "1"})
    pages = pdf_pages(response.content)
    assert len(pages) == 8
    assert "Zofia Wiśniewska" in pages[0]
    assert "uczen-test" in pages[0]
    assert any("Anna Wiśniewska" in page and "rodzic-test" in page for page in pages)


def test_nothing_to_print_says_so(world):
    client = world.client("class_teacher")
    download_letters(client, world.school_class)  # Kacper's account
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    with committed():
        response = client.post(url)
    page = client.get(response["Location"])
    assert page.context["job"].status == LetterJob.Status.EMPTY
    assert 'data-status="empty"' in page.content.decode()


def test_render_letters_uses_the_school_language(world):
    from dziennik.accounts.letters import IssuedCredential

    item = IssuedCredential(
        user_id=1,
        full_name="Łucja Żółkiewska",
        username="lucja.zolkiewska",
        password="abcd-EFGH-3467",
        kind="student",
        about=("4a",),
        school_name="Szkoła",
    )
    content = render_letters([item, item], login_url="https://dziennik.example.pl/")
    pages = pdf_pages(content)
    assert len(pages) == 2
    assert "abcd-EFGH-3467" in pages[0]
    assert "Łucja Żółkiewska" in pages[1]


def test_regenerate_never_resets_the_office_or_the_actor(world, letter_class):
    """A principal who is a guardian in the class keeps her password: a class teacher
    must not get hold of it. The class teacher's own account is not reset either."""
    principal_as_parent = Guardian.objects.create(
        school=world.school,
        first_name="Halina",
        last_name="Zawadzka",
        user=world.user("principal"),
    )
    teacher_as_parent = Guardian.objects.create(
        school=world.school,
        first_name="Grażyna",
        last_name="Wójcik",
        user=world.user("class_teacher"),
    )
    for guardian in (principal_as_parent, teacher_as_parent):
        guardian.guardianships.create(student=letter_class.lucja, relation="legal_guardian")
    issued = credentials_generate_for_class(
        actor=world.user("class_teacher"), school_class=world.school_class, regenerate=True
    )
    names = {i.full_name for i in issued}
    assert "Halina Zawadzka" not in names
    assert "Grażyna Wójcik" not in names
    assert "Anna Wiśniewska" in names
    for username in ("dyrektor-test", "wych"):
        user = User.objects.get(username=username)
        assert user.must_change_password is False
        assert user.check_password(TEST_PASSWORD)
