"""The student's list of learning tools in a browser: axe (WCAG 2.1 AA) at 360 and 1366
px, no sideways scrolling on the phone; the teacher's form to add a tool likewise."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login
from testsupport.url_matrix import LTI_LINK, Scene

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("username", ["uczen-test", "n-in"])
def test_the_links_page_passes_axe(world, page, width, username):
    Scene(world).lti_placement  # noqa: B018 – a link to list
    page.set_viewport_size({"width": width, "height": 800})
    login(page, username, TEST_PASSWORD)
    page.goto("/lti/")
    assert page.get_by_role("rowheader", name=LTI_LINK).is_visible()
    found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not found, format_violations(found)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
