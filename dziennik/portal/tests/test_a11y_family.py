"""axe-core (WCAG 2.1 A/AA, moderate findings included) on every parent and student
screen, at 360 px and 1366 px, and none of them scrolls sideways on the phone (L-08).

The screens are found, not listed: every URL of the authorization table
(``testsupport/url_matrix.py``) that the parent or the student opens with a 200 (a new
family page is walked the day its line is added), plus every link of the role's main
navigation, each with the register objects the table builds for it (a lesson with a
topic, an absence with its excuse, a gradebook column with a grade…).
"""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login
from testsupport.url_matrix import URLS, Scene

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}

# Family URLs that are not screens: files and a fragment.
NOT_SCREENS = {
    "attendance:justification_attachment": "the parent's own attachment (a PDF)",
    "attendance:student_pdf": "a PDF",
    "grades:student_pdf": "a PDF",
    "planner:attachment": "a calendar event's attachment (a file)",
    "portal:healthz": "the health check (text)",
    "grades:student_need": "a fragment of the grade page, checked inside it",
    "messaging:unread": "the top bar's unread counter, a fragment checked inside every page",
    "messaging:attachment": "a message's attachment (a file)",
    "notifications:count": "the bell's unread count, a fragment checked inside every page",
    "lti:launch": "leaves the register for the learning tool's own site",
    "lti:deep_link": "leaves the register for the learning tool's own site",
}
ROLES = {"own_parent": "rodzic-test", "student": "uczen-test"}


def family_urls(scene: Scene, role: str) -> list[str]:
    urls = []
    for name, case in sorted(URLS.items()):
        if case.expected.get(role) != 200 or name in NOT_SCREENS:
            continue
        urls.append(scene.url(name, case))
    # the grade page with a grade, the attendance page with an excused absence
    scene.column  # noqa: B018
    scene.justification  # noqa: B018
    return urls


def _problems(page, url: str, viewport: dict) -> list[str]:
    response = page.goto(url)
    if response.status != 200:
        return [f"{url}: status {response.status}"]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return []  # a file or a machine's answer (the health checks), not a screen
    found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    problems = [f"{url}:\n{format_violations(found)}"] if found else []
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{url}: {width} px wide at 360 px")
    return problems


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1366"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_family_screen_passes_axe(world, page, role, viewport):
    scene = Scene(world)
    urls = family_urls(scene, role)
    page.set_viewport_size(viewport)
    login(page, ROLES[role], TEST_PASSWORD)
    nav = page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.pathname)")
    assert nav, "the role has a main navigation"
    walked = list(dict.fromkeys([*urls, *nav]))
    problems = []
    for url in walked:
        problems += _problems(page, url, viewport)
    assert not problems, "\n".join(problems)
