"""The login page of a single-school installation names the school and shows its crest
(or a neutral emblem), with text for screen readers; an installation of several schools
names none, since the page cannot know whose it is."""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from dziennik.core.models import AuditEntry
from dziennik.schools.models import School
from dziennik.schools.services import school_update
from dziennik.schools.tests.factories import SchoolFactory
from testsupport.a11y import assert_no_axe_violations

LOGIN = "/konto/logowanie/"
CREST = "/szkola/herb/"
NAME = "Szkoła Podstawowa nr 12 im. Janusza Korczaka w Zielonej Górze"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 79, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


def with_crest(school: School) -> School:
    school.crest.save("herb.png", ContentFile(png()), save=True)
    return school


@pytest.mark.django_db
def test_a_single_school_is_named_with_its_crest():
    school = with_crest(SchoolFactory(name=NAME))
    page = Client().get(LOGIN).content.decode()
    assert f'<p class="login-school-name">{NAME}</p>' in page
    assert f'<img src="{CREST}" alt="Herb: {NAME}"' in page
    crest = Client().get(CREST)
    assert crest.status_code == 200 and crest["Content-Type"] == "image/png"
    assert b"".join(crest.streaming_content) == school.crest.open("rb").read()


@pytest.mark.django_db
def test_without_a_crest_a_neutral_emblem_is_decorative():
    SchoolFactory(name=NAME)
    page = Client().get(LOGIN).content.decode()
    assert NAME in page
    assert 'src="/static/accounts/crest.svg" alt=""' in page
    assert Client().get(CREST).status_code == 404


@pytest.mark.django_db
def test_several_schools_are_not_named():
    with_crest(SchoolFactory(name=NAME))
    SchoolFactory(name="Liceum Ogólnokształcące nr 3")
    page = Client().get(LOGIN).content.decode()
    assert 'id="login-school"' not in page and NAME not in page
    assert Client().get(CREST).status_code == 404


@pytest.mark.django_db
def test_a_crest_that_is_not_an_image_type_is_not_served():
    school = SchoolFactory(name=NAME)
    school.crest.save("herb.svg", ContentFile(b"<svg onload='alert(1)'/>"), save=True)
    assert Client().get(CREST).status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1366])
def test_the_login_page_with_the_school_passes_axe(page, width):
    with_crest(SchoolFactory(name=NAME))
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(LOGIN)
    crest = page.locator("#login-school img")
    assert crest.get_attribute("alt") == f"Herb: {NAME}"
    assert page.evaluate("document.querySelector('#login-school img').naturalWidth") == 8
    assert page.locator(".login-school-name").inner_text() == NAME
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)


@pytest.mark.django_db
def test_a_new_crest_is_in_the_history(world):
    """The school's office sets the crest through the school's service (the admin does
    too); the history records the file's name."""
    crest = ContentFile(png(), name="herb.png")
    school_update(actor=world.user("principal"), school=world.school, crest=crest)
    entry = AuditEntry.objects.filter(content_type__model="school").last()
    assert entry.actor == world.user("principal")
    old, new = entry.changes["crest"]
    assert old == "" and new.startswith("schools/crests/herb") and new.endswith(".png")
