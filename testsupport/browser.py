"""Playwright support for browser tests (Debian's Chromium, never a downloaded browser).

Use the ``page`` fixture from the root ``conftest.py``; it drives ``/usr/bin/chromium``
(or ``$CHROMIUM``) against the test's ``live_server``. A missing Chromium fails the
test with a clear message: browser tests are never skipped.
"""

from __future__ import annotations

import os

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def login(page, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto("/konto/logowanie/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
