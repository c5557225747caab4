"""The attendance settings and subject exemption screens: what they show, how they
answer mistakes, and their pinned query counts."""

import datetime
import re

import pytest
from django.utils import timezone

from dziennik.attendance import settings_services
from dziennik.attendance.models import AttendanceKind, SubjectExemption
from dziennik.attendance.services import attendance_kinds_ensure_defaults
from dziennik.schools.tests import factories as sf

from .factories import add_students, build_register, save_lesson

# Pinned query counts (cold path: the cache emptied first), the same for more rows.
SETTINGS_PAGE = 9  # session, user, the viewer (5), kinds with "in use", the settings
EXEMPTIONS_PAGE = 9  # session, user, the viewer (5), classes, exemptions with their classes


def row(html: str, attribute: str, value) -> str:
    match = re.search(rf'<tr data-{attribute}="{value}".*?</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(0)


@pytest.fixture
def reg(world):
    r = build_register(world)
    save_lesson(world, r, r.math2, {world.student: "nb"})
    return r


def test_the_kinds_list_spells_out_how_each_kind_counts(world, reg):
    html = world.client("principal").get("/frekwencja/ustawienia/").content.decode()
    assert "Ustawienia frekwencji" in html
    counts = dict(re.findall(r'<tr data-kind="(\w+)".*?data-counts="(\w+)"', html, re.S))
    assert counts == {
        "ob": "present",
        "nb": "absent",
        "u": "absent",
        "sp": "present",
        "su": "present",
        "zw": "excluded",
        "ns": "present",
    }
    assert "jako nieobecność" in row(html, "kind", "nb")
    assert "niewliczane" in row(html, "kind", "zw")
    assert "wpis domyślny" in row(html, "kind", "ob")
    assert "wpis domyślny" not in row(html, "kind", "ns")
    # used: "ob" (the classmate) and "nb"; the rest have no marks
    used = {code for code in counts if "ma wpisy" in row(html, "kind", code)}
    assert used == {"ob", "nb"}
    assert "u – nieobecność usprawiedliwiona" in row(html, "kind", "nb")


def test_a_used_kinds_meaning_is_shown_fixed_and_ignored_if_posted(world, reg):
    client = world.client("principal")
    kind = reg.kinds["nb"]
    url = f"/frekwencja/ustawienia/rodzaje/{kind.pk}/"
    html = client.get(url).content.decode()
    assert 'id="meaning-fixed"' in html
    assert re.search(r'<select name="counts_as"[^>]*disabled', html)
    assert 'id="kind-delete"' not in html  # only deactivation
    response = client.post(
        url,
        {
            "name": "nieobecność (bez usprawiedliwienia)",
            "base": "released",
            "counts_as": "excluded",
            "shortcut": "n",
            "colour": "#b00020",
            "order": "10",
            "is_active": "on",
            "excused_kind_id": reg.kinds["u"].pk,
        },
    )
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.base, kind.counts_as) == (
        "nieobecność (bez usprawiedliwienia)",
        "absent",
        "absent",
    )


def test_a_low_contrast_colour_is_refused_on_the_form(world, reg):
    kind = reg.kinds["zw"]
    response = world.client("principal").post(
        f"/frekwencja/ustawienia/rodzaje/{kind.pk}/",
        {
            "name": "zwolnienie",
            "base": "released",
            "counts_as": "excluded",
            "shortcut": "z",
            "colour": "#ffcc00",
            "order": "50",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "kontrast z białą stroną tylko 1,51:1" in html
    assert "WCAG 2.1" in html
    assert re.search(r'name="colour"[^>]*aria-invalid="true"', html)
    kind.refresh_from_db()
    assert kind.colour == "#4a5560"


def test_a_change_of_the_default_mark_is_announced(world, reg):
    client = world.client("principal")
    data = {
        "code": "oz",
        "name": "obecność zdalna",
        "base": "present",
        "counts_as": "present",
        "colour": "#1e6b35",
        "order": "5",
        "is_active": "on",
    }
    html = client.post("/frekwencja/ustawienia/rodzaje/nowy/", data, follow=True).text
    assert "zaczyna teraz lekcję" not in html  # "ob" (order 0) stays the default
    assert "wpis domyślny" in row(html, "kind", "ob")
    ob = reg.kinds["ob"]
    data = {
        "name": ob.name,
        "base": "present",
        "counts_as": "present",
        "shortcut": "o",
        "colour": ob.colour,
        "order": "20",
        "is_active": "on",
    }
    html = client.post(f"/frekwencja/ustawienia/rodzaje/{ob.pk}/", data, follow=True).text
    assert "Każdy uczeń zaczyna teraz lekcję od wpisu oz – obecność zdalna." in html
    assert "wpis domyślny" in row(html, "kind", "oz")


def test_a_school_without_kinds_is_offered_the_defaults(world):
    client = world.client("principal")
    html = client.get("/frekwencja/ustawienia/").content.decode()
    assert 'id="no-kinds"' in html
    response = client.post("/frekwencja/ustawienia/domyslne/", follow=True)
    assert AttendanceKind.objects.filter(school=world.school).count() == 7
    assert 'data-kind="ob"' in response.content.decode()


def test_deleting_an_unused_kind_after_confirming(world, reg):
    client = world.client("principal")
    url = f"/frekwencja/ustawienia/rodzaje/{reg.kinds['ns'].pk}/usun/"
    assert 'id="delete-confirm"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not AttendanceKind.objects.filter(code="ns", school=world.school).exists()
    used = f"/frekwencja/ustawienia/rodzaje/{reg.kinds['nb'].pk}/usun/"
    response = client.post(used)
    assert response.status_code == 400
    assert "nie można go usunąć" in response.content.decode()


def test_the_rules_form_has_polish_help_and_checks_ranges(world):
    client = world.client("principal")
    html = client.get("/frekwencja/ustawienia/zasady/").content.decode()
    assert "0 oznacza brak terminu." in html
    assert "0 wyłącza ostrzeżenie." in html
    response = client.post(
        "/frekwencja/ustawienia/zasady/",
        {
            "justification_deadline_days": "7",
            "risk_threshold_percent": "150",
            "risk_minimum_lessons": "4",
        },
    )
    assert response.status_code == 400
    assert re.search(r'name="risk_threshold_percent"[^>]*aria-invalid="true"', response.text)


def test_links_to_the_settings_and_exemptions(world, reg):
    school = world.client("principal").get("/frekwencja/szkola/").content.decode()
    assert 'id="attendance-settings"' in school
    assert 'id="school-exemptions"' in school
    secretary = world.client("secretary").get("/frekwencja/szkola/").content.decode()
    assert 'id="attendance-settings"' not in secretary
    summary = world.client("class_teacher").get(f"/frekwencja/klasa/{world.school_class.pk}/")
    assert f'/frekwencja/zwolnienia/?klasa={world.school_class.pk}"' in summary.content.decode()


def test_adding_an_overlapping_exemption_says_why_not(world):
    today = timezone.localdate()
    data = {
        "student": world.student.pk,
        "subject": world.subject.pk,
        "date_from": today.isoformat(),
        "date_to": (today + datetime.timedelta(days=30)).isoformat(),
        "basis": "opinia lekarska",
    }
    client = world.client("class_teacher")
    assert client.post("/frekwencja/zwolnienia/nowe/", data).status_code == 302
    response = client.post("/frekwencja/zwolnienia/nowe/", data)
    assert response.status_code == 400
    assert "które nakłada się na ten okres" in response.content.decode()
    assert SubjectExemption.objects.count() == 1
    html = client.get("/frekwencja/zwolnienia/").content.decode()
    exemption = SubjectExemption.objects.get()
    assert "opinia lekarska" in row(html, "exemption", exemption.pk)
    assert "nie musi być" in row(html, "exemption", exemption.pk)


def test_the_class_teacher_chooses_among_their_students_only(world):
    other = sf.StudentFactory(school=world.school, last_name="Zieliński")
    sf.EnrolmentFactory(student=other, school_class=world.other_class, journal_number=1)
    html = world.client("class_teacher").get("/frekwencja/zwolnienia/nowe/").content.decode()
    assert "Wiśniewska" in html
    assert "Zieliński" not in html
    assert "Zieliński" in world.client("principal").get("/frekwencja/zwolnienia/nowe/").text


# --- query counts -------------------------------------------------------------------
@pytest.mark.parametrize("extra", [0, 8])
def test_settings_page_queries(world, django_assert_num_queries, extra):
    attendance_kinds_ensure_defaults(school=world.school)
    for i in range(extra):
        settings_services.attendance_kind_create(
            actor=world.user("principal"),
            code=f"k{i}",
            name=f"rodzaj {i}",
            base="released",
            counts_as="excluded",
            is_active=i % 2 == 0,
        )
    client = world.client("principal")
    client.get("/")
    with django_assert_num_queries(SETTINGS_PAGE):
        response = client.get("/frekwencja/ustawienia/")
    assert response.content.decode().count("<tr data-kind=") == 7 + extra


@pytest.mark.parametrize("extra", [0, 9])
@pytest.mark.parametrize("role", ["principal", "class_teacher"])
def test_exemptions_page_queries(world, django_assert_num_queries, role, extra):
    today = timezone.localdate()
    students = [world.student, world.classmate, *add_students(world, extra)]
    for student in students:
        settings_services.subject_exemption_create(
            actor=world.user("principal"),
            student=student,
            subject=world.subject,
            date_from=today,
            date_to=today + datetime.timedelta(days=10),
        )
    client = world.client(role)
    client.get("/")
    with django_assert_num_queries(EXEMPTIONS_PAGE):
        response = client.get("/frekwencja/zwolnienia/")
    assert response.content.decode().count("<tr data-exemption=") == len(students)


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\w*)"', html).group(1)


def test_a_stale_kind_form_is_refused_and_shows_the_saved_kind(world, reg):
    """Two principals' tabs on one kind: the second save, based on the kind before the
    first, is refused (409) instead of silently undoing the first."""
    client = world.client("principal")
    kind = reg.kinds["sp"]
    url = f"/frekwencja/ustawienia/rodzaje/{kind.pk}/"
    seen = _version(client.get(url).content.decode())
    data = {
        "name": kind.name,
        "base": kind.base,
        "counts_as": kind.counts_as,
        "shortcut": kind.shortcut,
        "colour": kind.colour,
        "order": kind.order,
        "is_active": "on",
        "excused_kind_id": kind.excused_kind_id or "",
        "version": seen,
    }
    assert client.post(url, {**data, "name": "spóźnienie (do 15 min)"}).status_code == 302
    response = client.post(url, {**data, "shortcut": "x"})
    assert response.status_code == 409
    assert "Ktoś inny zmienił to w międzyczasie" in response.text
    shortcut = kind.shortcut
    kind.refresh_from_db()
    assert (kind.name, kind.shortcut) == ("spóźnienie (do 15 min)", shortcut)
    # the form is now based on the saved kind: sent again, it is saved
    response = client.post(url, {**data, "shortcut": "x", "version": _version(response.text)})
    assert response.status_code == 302


def test_a_stale_rules_form_is_refused(world):
    client = world.client("principal")
    url = "/frekwencja/ustawienia/zasady/"
    seen = _version(client.get(url).content.decode())
    data = {
        "justification_deadline_days": "7",
        "risk_threshold_percent": "50",
        "risk_minimum_lessons": "4",
        "version": seen,
    }
    assert client.post(url, {**data, "justification_deadline_days": "14"}).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 409
    html = client.get(url).content.decode()
    assert 'name="justification_deadline_days" value="14"' in html
