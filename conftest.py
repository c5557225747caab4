import contextlib
import functools
import gettext
import os

import pytest

from testsupport.browser import watch_policy_violations
from testsupport.world import AuthzMatrix, build_world

if os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
    # On SQLite the browser tests' live server hands every request thread the test's one
    # in-memory connection: two requests at once (a page and the top bar's counters,
    # loaded by htmx) would run inside each other's transactions, and one's rollback
    # would undo the other's write. Run the application for one request at a time there.
    # The server still reads each connection in a thread of its own: Chromium opens
    # spare connections it may never use, and a server reading one connection at a time
    # waits on such a socket while the page's real request queues behind it.
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class _OneRequestAtATime(ThreadedWSGIServer):
        def set_app(self, application):
            lock = threading.Lock()

            def one_at_a_time(environ, start_response):
                with lock:
                    response = application(environ, start_response)
                    try:
                        body = b"".join(response)
                    finally:
                        if hasattr(response, "close"):
                            response.close()
                return [body]

            super().set_app(one_at_a_time)

    LiveServerThread.server_class = _OneRequestAtATime


def pytest_configure(config):
    """Compile the translations (git-ignored ``.mo`` files) before Django loads them, so
    plain ``pytest`` works without ``make`` first. Cheap: only stale catalogues are
    compiled; under xdist only the controller does it, before the workers start."""
    if hasattr(config, "workerinput"):
        return
    from django.conf import settings
    from django.core.signals import setting_changed

    from scripts.compile_messages import main as compile_messages

    if compile_messages():
        # Django may have read the catalogues while setting up (and Python's gettext keeps
        # every catalogue it opened by path): make both read them again.
        gettext._translations.clear()
        setting_changed.send(
            sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True
        )


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (Polish): a test that switched
    to English must not change the messages the next test on the same worker reads."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages carry primary keys, which a rolled-back test database hands out again."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def django_assert_num_queries(pytestconfig):
    """Pinned query counts are of the cold path: the cache is emptied first, so a pin
    holds whatever earlier requests of the test left there. (Warm-path pins use
    ``assert_warm_queries``.)"""
    from django.core.cache import cache
    from pytest_django.fixtures import _assert_num_queries

    @contextlib.contextmanager
    def check(num, **kwargs):
        cache.clear()
        with _assert_num_queries(pytestconfig, num, **kwargs) as context:
            yield context

    return check


@pytest.fixture
def assert_warm_queries(pytestconfig):
    """Like ``django_assert_num_queries`` but keeping what the cache holds."""
    from pytest_django.fixtures import _assert_num_queries

    return functools.partial(_assert_num_queries, pytestconfig)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def matrix(world):
    return AuthzMatrix(world)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    from testsupport.browser import CHROMIUM_FLAGS, chromium_path

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
def csp_violations():
    """What the browser reported against the Content-Security-Policy (see ``page``)."""
    return []


def wait_for_request_threads(timeout=20.0):
    """Let the live server finish the requests the closed page left in flight.

    A page closed while htmx still loads a panel leaves a request thread running; the
    test's database is flushed next, and on PostgreSQL that TRUNCATE and the request's
    locks can deadlock (the flush then fails and the next test finds the old rows)."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [
            thread
            for thread in threading.enumerate()
            if thread.name.endswith("(process_request_thread)") and thread.is_alive()
        ]
        if not busy:
            return
        for thread in busy:
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def page(chromium_browser, live_server, csp_violations):
    """A fresh browser context (cookies, storage) on the live server, Polish locale.

    The policy is enforced as in production and watched: any violation on any page the
    test opened fails it (testsupport/browser.py, ``watch_policy_violations``)."""
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="pl-PL", viewport={"width": 1280, "height": 900}
    )
    watch_policy_violations(context, csp_violations)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    wait_for_request_threads()
    assert csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(
        str(violation) for violation in csp_violations
    )
