"""Playwright support for browser tests (Debian's Chromium, never a downloaded browser).

Use the ``page`` fixture from the root ``conftest.py``; it drives ``/usr/bin/chromium``
(or ``$CHROMIUM``) against the test's ``live_server``. A missing Chromium fails the
test with a clear message: browser tests are never skipped.

Every browser test runs with the Content-Security-Policy enforced and watched: the
``page`` fixture records each violation (the page's ``securitypolicyviolation`` events
and Chromium's console errors about the policy or the Permissions-Policy header) in
``csp_violations`` and fails the test at its end if there was any. A test that causes
one on purpose inspects and empties that list.
"""

from __future__ import annotations

import os
import urllib.parse

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Runs in every document before its own scripts; Playwright's init scripts are not
# subject to the page's policy. Reports each violation to the test through a binding.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.pathname + document.location.search,
  });
});
"""
CONSOLE_MARKS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


def watch_policy_violations(context, violations: list) -> None:
    """Record every policy violation of ``context``'s pages in ``violations``."""

    def record(violation):
        violations.append(violation)

    context.expose_function("__cspViolation", record)
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        if message.type in ("error", "warning") and any(
            mark in message.text for mark in CONSOLE_MARKS
        ):
            page = message.page
            violations.append({"console": message.text, "page": page.url if page else ""})

    context.on("console", on_console)


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def login(page, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto("/konto/logowanie/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


# Not screens of the register, for the walks: logging out, and a learning tool's launch
# (a redirect to the tool's own site, docs/lti.md).
LEAVE_THE_REGISTER = ("accounts:logout", "lti:launch", "lti:deep_link")


# A printout opens in Chromium's PDF viewer once the server has drawn it: seconds, and
# on a loaded machine (two suites at once) more than a page's 15 s.
PRINTOUT_TIMEOUT_MS = 90_000


def screen_name(path: str) -> str | None:
    """The view name of a link the walks may follow: a path of this site that resolves."""
    from django.urls import Resolver404, resolve

    parts = urllib.parse.urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        return resolve(parts.path).view_name
    except Resolver404:
        return None


def open_screen(page, path: str):
    """``page.goto(path)`` for the walks: the response, or None for a download (a PDF,
    CSV or attachment Chromium saves instead of showing: no page). A printout (``.pdf``)
    is given ``PRINTOUT_TIMEOUT_MS``: it is not a page of ours to check, only that it
    answers."""
    from playwright.sync_api import Error as PlaywrightError

    printout = urllib.parse.urlsplit(path).path.endswith(".pdf")
    try:
        return page.goto(path, timeout=PRINTOUT_TIMEOUT_MS if printout else None)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None
        raise
