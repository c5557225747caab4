"""axe-core on the shared screens, at desktop width and on a 360 px phone (WCAG 2.1 AA, L-08).

Each screen is also checked for sideways scrolling at 360 px and, on the phone, for touch
targets of at least 44 × 44 px in the top bar and the child switcher.
"""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import assert_no_serious_axe_violations, axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

# screen name → (username or None for anonymous, path builder)
SCREENS = {
    "login": (None, lambda world: "/konto/logowanie/"),
    "parent_home": ("rodzic-test", lambda world: "/"),
    "student_home": ("uczen-test", lambda world: "/"),
    "student_detail_parent": (
        "rodzic-test",
        lambda world: f"/szkola/uczniowie/{world.student.pk}/",
    ),
    "student_detail_student": (
        "uczen-test",
        lambda world: f"/szkola/uczniowie/{world.student.pk}/",
    ),
    "teacher_home": ("n-in", lambda world: "/"),
    "class_teacher_home": ("wych", lambda world: "/"),
    "principal_home": ("dyrektor-test", lambda world: "/"),
    "password_change": ("rodzic-test", lambda world: "/konto/haslo/"),
    # Staff screens share the layout: they must not overflow on a phone either.
    "class_list": ("dyrektor-test", lambda world: "/szkola/klasy/"),
    "class_detail": ("wych", lambda world: f"/szkola/klasy/{world.school_class.pk}/"),
}

OVERFLOW_JS = "document.documentElement.scrollWidth"


def _small_targets(page, selector: str) -> list[str]:
    """Visible controls under ``selector`` smaller than 44 × 44 CSS pixels."""
    return page.evaluate(
        """(selector) => {
          const out = [];
          for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
            if (r.width < 44 || r.height < 44) {
              const size = `${Math.round(r.width)}×${Math.round(r.height)}`;
              out.push(`${el.outerHTML.slice(0, 80)} is ${size}`);
            }
          }
          return out;
        }""",
        selector,
    )


def _open(page, world, screen):
    username, path = SCREENS[screen]
    if username is not None:
        login(page, username, TEST_PASSWORD)
    response = page.goto(path(world))
    assert response.status == 200, f"{screen}: {response.status}"


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screen_has_no_serious_axe_violations(world, page, screen, viewport):
    page.set_viewport_size(viewport)
    _open(page, world, screen)
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator("main#main").count() == 1
    assert page.locator("h1").count() == 1
    assert_no_serious_axe_violations(page)
    if viewport is PHONE:
        assert page.evaluate(OVERFLOW_JS) <= 360
        toggle = page.locator("#menu-toggle")
        if toggle.count():
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
            # The open menu is checked too: its links, buttons and the language switch.
            assert_no_serious_axe_violations(page)
            assert page.evaluate(OVERFLOW_JS) <= 360
        small = _small_targets(
            page,
            ".topbar a, .topbar button, .child-switcher select, .child-switcher button, "
            "main button, main input:not([type=hidden]), main select",
        )
        assert small == [], "touch targets under 44 px:\n" + "\n".join(small)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_password_change_errors_are_tied_to_their_fields(world, page, viewport):
    page.set_viewport_size(viewport)
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto("/konto/haslo/")
    page.fill("#id_old_password", "not-my-password")
    page.fill("#id_new_password1", "Nowe-haslo-2026!")
    page.fill("#id_new_password2", "Inne-haslo-2026!")
    with page.expect_navigation():
        page.click("main form button[type=submit] >> nth=0")
    for field in ("id_old_password", "id_new_password2"):
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true"
        described = control.get_attribute("aria-describedby").split()
        assert f"{field}_error" in described
        for target in described:
            assert page.locator(f"#{target}").count() == 1, f"{field}: no element #{target}"
        assert page.locator(f"#{field}_error li").count() == 1
    helped = page.locator("#id_new_password1").get_attribute("aria-describedby").split()
    assert helped == ["id_new_password1_helptext"]
    assert page.locator("#id_new_password1_helptext").count() == 1
    assert_no_serious_axe_violations(page)
    if viewport is PHONE:
        assert page.evaluate(OVERFLOW_JS) <= 360


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_errors_are_shown_and_tied_to_fields(world, page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/konto/logowanie/")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    for field in ("id_username", "id_password"):
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true"
        assert control.get_attribute("aria-describedby") == f"{field}_error"
        assert page.locator(f"#{field}_error li").count() == 1
    assert_no_serious_axe_violations(page)


def test_the_check_itself_catches_a_serious_violation(world, page):
    """The helper is not a rubber stamp: an unlabelled field and low contrast fail it."""
    page.goto("/konto/logowanie/")
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            '<input type="text" id="broken-input">' +
            '<p id="broken-contrast">faint text</p>');
          // Through the CSSOM: the Content-Security-Policy refuses style attributes.
          const faint = document.getElementById('broken-contrast');
          faint.style.color = '#aaa';
          faint.style.background = '#fff';
        }"""
    )
    ids = {v["id"] for v in axe_violations(page) if v["impact"] in {"serious", "critical"}}
    assert {"label", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match="broken-input"):
        assert_no_serious_axe_violations(page)
