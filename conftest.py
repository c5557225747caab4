import os

import pytest

from dziennik.core.testing import AuthzMatrix, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def matrix(world):
    return AuthzMatrix(world)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    from dziennik.core.browser import CHROMIUM_FLAGS, chromium_path

    executable = chromium_path()
    if not os.path.exists(executable):
        pytest.fail(
            f"Browser tests need Chromium at {executable} "
            "(Debian: apt-get install chromium, or set CHROMIUM=/path)."
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context (cookies, storage) on the live server, Polish locale."""
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
