"""Every screen of every demo role, in Chromium with the Content-Security-Policy enforced:
not one violation.

Each demo account logs in through the real form and opens its home page, every link of
its main navigation, and every link inside those pages (one screen per URL name, so a
list of forty pupils costs one pupil's page); a button that loads part of a page
through htmx is pressed too. The ``page`` fixture records the browser's
``securitypolicyviolation`` events and its console errors about the policy
(testsupport/browser.py) and fails the test on any. Per-school colours now come as
``data-colour`` and are applied through the CSSOM: each one seen is checked to have
arrived.
"""

import io

import pytest
from django.core.management import call_command

from dziennik.demo.school import DEMO_PASSWORD
from testsupport.browser import LEAVE_THE_REGISTER, login, open_screen, screen_name

pytestmark = pytest.mark.browser

ROLES = ("dyrektor", "sekretariat", "wychowawca", "nauczyciel", "rodzic", "uczen")
# Screens worth opening per role at most; the demo's roles open far fewer.
MAX_SCREENS = 80
# Home and menu are depth 1; the settings' sub-pages and a class's analysis are at 3.
DEPTH = 3

COLOURS_JS = """() => Array.from(document.querySelectorAll('[data-colour]')).map(el => ({
  wanted: el.dataset.colour.toLowerCase(),
  got: getComputedStyle(el).getPropertyValue('--colour').trim().toLowerCase(),
}))"""
# The analysis's bars are SVG now (a width attribute, not a style): as wide as they say.
BARS_JS = """() => Array.from(document.querySelectorAll('svg.bar')).map(el => ({
  wanted: Number(el.getAttribute('width')),
  got: Math.round(el.getBoundingClientRect().width),
  filled: getComputedStyle(el.querySelector('rect')).fill,
}))"""
LINKS_JS = "els => els.map(e => e.getAttribute('href'))"


def walk(page, username: str) -> dict:
    """Open the role's screens; answer what was seen."""
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)
    assert "logowanie" not in page.url, username
    nav = page.locator(".mainnav a").evaluate_all(LINKS_JS)
    queue = [("/", 0), *((href, 1) for href in nav)]
    seen: dict[str, str] = {}
    colours: list[dict] = []
    bars: list[dict] = []
    while queue and len(seen) < MAX_SCREENS:
        path, depth = queue.pop(0)
        name = screen_name(path)
        if name is None or name in seen or name in LEAVE_THE_REGISTER:
            continue
        seen[name] = path
        response = open_screen(page, path)  # a printout given longer
        if response is None:
            continue  # a PDF, CSV or attachment downloaded: no page to run
        assert response.status == 200 or depth > 1, f"{username} {path}: {response.status}"
        if not response.headers["content-type"].startswith("text/html"):
            continue  # a PDF shown inline: Chromium's viewer, not our page
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        colours += page.evaluate(COLOURS_JS)
        bars += page.evaluate(BARS_JS)
        if page.locator("[hx-get]").count():
            page.locator("[hx-get]").first.click()
            page.wait_for_load_state("networkidle")
        if depth < DEPTH and not name.startswith("admin:"):
            links = page.locator("main a[href]").evaluate_all(LINKS_JS)
            queue += [(href, depth + 1) for href in links]
    return {"screens": seen, "colours": colours, "bars": bars, "nav": nav}


def test_no_screen_of_any_demo_role_violates_the_policy(page, csp_violations):
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    screens: dict[str, set[str]] = {}
    colours: list[dict] = []
    bars: list[dict] = []
    for username in ROLES:
        seen = walk(page, username)
        assert len(seen["nav"]) >= 3, f"{username}: {seen['nav']}"
        assert csp_violations == [], f"{username}: {csp_violations}"
        screens[username] = set(seen["screens"])
        colours += seen["colours"]
        bars += seen["bars"]
    # The walk reached the screens it is for: the register's pages, not only the menus.
    everything = set().union(*screens.values())
    assert {
        "attendance:lesson",
        "attendance:settings",
        "attendance:student",
        "grades:gradebook",
        "grades:student",
        "grades:analytics",
        "grades:rule_tables",
        "timetable:class",
    } <= everything, "\n".join(sorted(everything))
    assert len(everything) >= 40, sorted(everything)
    # Every school colour on those screens reached its element through the CSSOM.
    assert len(colours) >= 20
    assert [c for c in colours if c["got"] != c["wanted"]] == []
    assert any(bar["wanted"] > 0 for bar in bars)
    assert [b for b in bars if b["got"] != b["wanted"] or b["filled"] != "rgb(11, 92, 173)"] == []


def test_the_watch_catches_an_inline_style(page, csp_violations):
    """Not a rubber stamp: a style attribute added to a page is refused and reported."""
    page.goto("/konto/logowanie/")
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML(
             'beforeend', '<p id="inline-style" style="color: red">x</p>')"""
    )
    page.wait_for_timeout(200)
    colour = page.evaluate("getComputedStyle(document.getElementById('inline-style')).color")
    assert colour != "rgb(255, 0, 0)"
    reported = [v for v in csp_violations if v.get("directive") == "style-src-attr"]
    assert reported and reported[0]["page"] == "/konto/logowanie/"
    csp_violations.clear()
