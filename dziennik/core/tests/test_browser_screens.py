"""What a person does on the shared screens: switch child, edit the URL, use the keyboard,
open the menu on a phone, change the language."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _second_child(world):
    """Zofia's brother Jan, in 4b, also Anna's child."""
    jan = sf.StudentFactory(
        school=world.school,
        first_name="Jan",
        last_name="Wiśniewski",
        family=world.student.family,
    )
    sf.EnrolmentFactory(student=jan, school_class=world.other_class, journal_number=1)
    sf.GuardianshipFactory(guardian=world.own_guardian, student=jan)
    return jan


def _shown_child(page) -> int:
    return int(page.locator("#child-overview").get_attribute("data-student"))


@pytest.mark.parametrize(
    "page_of",
    [
        "/frekwencja/uczen/{}/usprawiedliwienie/",
        "/frekwencja/uczen/{}/",
        "/oceny/uczen/{}/",
        "/plan/uczen/{}/",
        "/szkola/uczniowie/{}/",
    ],
)
def test_the_switcher_follows_the_child_in_the_url(world, page, page_of):
    """A fresh session shows the first child; a page about the other one makes it current."""
    jan = _second_child(world)
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.locator("#child-select").input_value() == str(world.student.pk)
    page.goto(page_of.format(jan.pk))
    assert page.locator("#child-select").input_value() == str(jan.pk)
    assert "Jan Wiśniewski" in page.locator("#child-select option:checked").inner_text()
    # The next page without a student id shows the same child.
    page.goto("/")
    assert _shown_child(page) == jan.pk
    # Another family's child in the URL changes nothing (and the page answers 404).
    response = page.goto(page_of.format(world.classmate.pk))
    assert response.status == 404
    page.goto("/")
    assert _shown_child(page) == jan.pk


def test_parent_switches_child_and_the_pages_follow(world, page):
    jan = _second_child(world)
    zofia = world.student
    login(page, "rodzic-test", TEST_PASSWORD)

    # The first child is shown first: Zofia's class and subjects.
    assert _shown_child(page) == zofia.pk
    assert page.locator("#child-select").input_value() == str(zofia.pk)
    assert page.locator("#child-overview .student-class").inner_text().startswith("4a")
    assert "Matematyka" in page.locator("#child-overview table").inner_text()

    # Switch with the switcher in the layout.
    page.select_option("#child-select", str(jan.pk))
    with page.expect_navigation():
        page.click("#child-switcher button[type=submit]")
    assert page.url.endswith("/")
    assert _shown_child(page) == jan.pk
    overview = page.locator("#child-overview")
    assert overview.locator("h2").inner_text() == "Jan Wiśniewski"
    assert overview.locator(".student-class").inner_text().startswith("4b")
    subjects = overview.locator("table").inner_text()
    assert "Historia" in subjects and "Ewa Kamińska" in subjects
    assert "Matematyka" not in subjects
    assert page.locator("#children li[aria-current=true]").get_attribute("data-student") == str(
        jan.pk
    )
    link = overview.locator("a.student-detail-link").get_attribute("href")
    assert link == f"/szkola/uczniowie/{jan.pk}/"

    # Another page keeps the chosen child in the switcher (the session remembers it).
    page.goto("/konto/haslo/")
    assert page.locator("#child-select").input_value() == str(jan.pk)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Jan Wiśniewski"
    assert page.locator("#child-select").input_value() == str(jan.pk)

    # Switch back with the button on Zofia's card on the home page.
    page.goto("/")
    with page.expect_navigation():
        page.click(f"#children li[data-student='{zofia.pk}'] button")
    assert _shown_child(page) == zofia.pk
    assert page.locator("#child-select").input_value() == str(zofia.pk)
    assert_no_serious_axe_violations(page)


def test_parent_editing_the_url_to_another_family_child_gets_404(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    own = page.goto(f"/szkola/uczniowie/{world.student.pk}/")
    assert own.status == 200

    response = page.goto(f"/szkola/uczniowie/{world.classmate.pk}/")
    assert response.status == 404
    text = page.content()
    for secret in ("Kacper", "Dąbrowski", "Marek"):
        assert secret not in text

    # Exactly what a student id that does not exist answers.
    missing = sm.Student.objects.order_by("-pk").first().pk + 1000
    response_missing = page.goto(f"/szkola/uczniowie/{missing}/")
    assert response_missing.status == 404
    assert page.content() == text.replace(str(world.classmate.pk), str(missing))

    # The switcher refuses that child too, and the shown child stays the parent's own.
    page.goto("/")
    status = page.evaluate(
        """async (studentId) => {
          const form = document.getElementById('child-switcher');
          const data = new FormData(form);
          data.set('student', studentId);
          const r = await fetch(form.action, {method: 'POST', body: data, redirect: 'manual'});
          return r.status;
        }""",
        str(world.classmate.pk),
    )
    assert status == 404
    page.reload()
    assert _shown_child(page) == world.student.pk
    assert "Kacper" not in page.content()


def test_keyboard_user_reaches_main_content_through_the_skip_link(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, "
        "href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"cls": "skip-link", "href": "#main"}
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    # The focused control shows a focus ring.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


@pytest.mark.parametrize("role_user", ["rodzic-test", "dyrektor-test"])
def test_menu_button_on_a_phone(world, page, role_user):
    page.set_viewport_size(PHONE)
    login(page, role_user, TEST_PASSWORD)
    toggle = page.locator("#menu-toggle")
    home_link = page.locator(".mainnav a[aria-current=page]")
    logout = page.locator(".account button[type=submit]")

    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-menu"
    assert not home_link.is_visible() and not logout.is_visible()

    # Mouse / touch.
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert home_link.is_visible() and page.locator("#account-menu summary").is_visible()
    # The account's menu (password, log out) opens under the person's name.
    page.click("#account-menu summary")
    assert logout.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not home_link.is_visible()

    # Keyboard only: Enter opens, Tab walks into the menu, Escape closes and returns.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.id") == "menu-toggle"
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "true"


def test_menu_is_a_plain_list_without_javascript(world, chromium_browser, live_server):
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="pl-PL", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        login(page, "rodzic-test", TEST_PASSWORD)
        assert not page.locator("#menu-toggle").is_visible()
        assert page.locator(".mainnav a[aria-current=page]").is_visible()
        # The account's menu is a plain details element: it opens without JavaScript.
        page.click("#account-menu summary")
        assert page.locator(".account button[type=submit]").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # The child switcher is a plain form: it works without JavaScript too.
        with page.expect_navigation():
            page.click("#child-switcher button[type=submit]")
        assert _shown_child(page) == world.student.pk
    finally:
        context.close()


def test_menu_button_is_hidden_on_a_desktop(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    assert not page.locator("#menu-toggle").is_visible()
    assert page.locator(".mainnav a[aria-current=page]").is_visible()


def test_language_switch_is_accessible_and_sets_lang(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "pl"
    switch = page.locator("form.lang")
    assert switch.get_attribute("aria-labelledby") == "lang-label"
    assert switch.locator("[aria-current=true]").get_attribute("lang") == "pl"
    english = switch.locator("button[value=en]")
    assert english.get_attribute("lang") == "en"
    with page.expect_navigation():
        english.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/")
    assert switch.locator("[aria-current=true]").get_attribute("lang") == "en"
    assert switch.locator("button[value=pl]").get_attribute("lang") == "pl"
    assert page.locator(".mainnav a[aria-current=page]").inner_text() == "Home"
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        switch.locator("button[value=pl]").click()
    assert page.locator("html").get_attribute("lang") == "pl"


def test_wide_table_scrolls_inside_its_wrapper_on_a_phone(world, page):
    """A table wider than the phone scrolls in .table-wrap (focusable, labelled), the page
    does not."""
    for n in range(12):
        sf.TeachingAssignmentFactory(
            school_class=world.school_class,
            teacher=world.user("teacher_in"),
            subject=sf.SubjectFactory(
                school=world.school,
                name=f"Przedmiotzbardzodlugananazwabezspacji{n}Konstantynopolitańczykowianeczka",
            ),
        )
    page.set_viewport_size(PHONE)
    login(page, "n-in", TEST_PASSWORD)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    wrap = page.locator("#my-assignments .table-wrap")
    assert page.evaluate(
        "() => { const w = document.querySelector('#my-assignments .table-wrap');"
        " return w.scrollWidth > w.clientWidth; }"
    )
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    # named by its section's heading, but not the same name as the section (two landmarks)
    heading = " ".join(page.locator("#teach-h").text_content().split())
    assert wrap.get_attribute("aria-label") == f"{heading} – tabela"
    assert_no_serious_axe_violations(page)
