import re

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.browser import login

pytestmark = pytest.mark.browser


def test_parent_logs_in_and_sees_only_own_child(world, page):
    login(page, "rodzic-test", TEST_PASSWORD)
    assert re.search(r"/$", page.url) and "logowanie" not in page.url
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator("#child-select").count() == 1
    assert "Zofia Wiśniewska" in page.content()
    assert "Kacper" not in page.content()
