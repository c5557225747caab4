"""A new user – the demo principal – closes the demo school's year from the screens alone:
the menu, the checks, a refused close without a reason, the close with one, the archive
ready with its signatures verified; every screen passes the accessibility check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dziennik.archive.models import YearArchive
from dziennik.demo.school import DEMO_PASSWORD
from dziennik.schools.models import SchoolYear
from testsupport.a11y import assert_no_axe_violations
from testsupport.browser import login

pytestmark = pytest.mark.browser


def test_the_demo_principal_closes_the_year(page, archive_settings):
    call_command("demo", "--students-per-class", "2", stdout=io.StringIO())
    login(page, "dyrektor", DEMO_PASSWORD)

    page.locator('details[data-nav-menu="school"] summary').click()
    page.get_by_role("link", name="Zamknięcie roku").click()
    page.wait_for_selector("#checks-result")
    assert page.locator("h1").inner_text().startswith("Zamknięcie roku szkolnego")
    missing = int(page.locator("#checks-result").get_attribute("data-missing"))
    assert missing > 0
    assert page.locator("#check-topics").count() == 1
    assert_no_axe_violations(page)

    # Without a reason the close is refused and the year stays open.
    page.get_by_role("button", name="Zamknij rok i zapisz archiwum").click()
    page.wait_for_selector("#close-form .errorlist")
    assert "podaj powód" in page.locator("#close-form").inner_text()
    assert SchoolYear.objects.get().closed_at is None

    page.get_by_label("Powód zamknięcia roku mimo braków w dzienniku").fill(
        "Rok demonstracyjny: braki w danych przykładowych"
    )
    # The demo's tests run tasks at once: the close answers when the archive is written.
    page.set_default_timeout(600_000)
    page.get_by_role("button", name="Zamknij rok i zapisz archiwum").click()
    page.wait_for_selector("#archive-ready")
    page.set_default_timeout(15_000)
    assert page.locator("#archive-verified").inner_text() == (
        "Wszystkie podpisy i skróty plików zostały zweryfikowane."
    )
    assert page.locator("#archive-download").count() == 1
    assert_no_axe_violations(page)

    archive = YearArchive.objects.get()
    assert archive.status == YearArchive.Status.DONE and archive.verified
    assert archive.override_reason == "Rok demonstracyjny: braki w danych przykładowych"
    assert SchoolYear.objects.get().closed_by.username == "dyrektor"

    # Back on the close page: the year is closed, a correction can be opened.
    page.get_by_role("link", name="Powrót do zamknięcia roku").click()
    assert page.locator("#year-state").get_attribute("data-state") == "closed"
    page.get_by_label("Powód korekty").fill("Literówka w temacie lekcji")
    page.get_by_role("button", name="Rozpocznij korektę").click()
    page.wait_for_selector('#year-state[data-state="correction"]')
    assert_no_axe_violations(page)
