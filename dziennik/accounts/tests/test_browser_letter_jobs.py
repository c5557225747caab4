"""Browser tests: a class's credential letters prepared in the background (issue 10,
item 14): the page shows the progress, then the download; a second click starts nothing."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from dziennik.accounts.models import LetterJob, User
from dziennik.accounts.tasks import PROGRESS_KEY, letters_prepare
from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.browser import login

from .test_browser_accounts import serious_violations

pytestmark = pytest.mark.browser


def test_class_teacher_prepares_and_downloads_the_letters_once(world, letter_class, page):
    login(page, "wych", TEST_PASSWORD)
    page.goto(f"/szkola/klasy/{world.school_class.pk}/")
    with page.expect_navigation():
        page.click("#class-credentials-link")
    assert page.locator("#student-accounts tr[data-status='none']").count() == 3
    with page.expect_navigation():
        page.click("#credentials-form button[type=submit]")
    job = LetterJob.objects.get()
    assert page.url.endswith(f"/konto/listy/{job.pk}/")
    page.wait_for_selector("#letters-download-form")
    assert "Listy są gotowe: 5 stron." in page.locator("#letters-job").inner_text()
    assert serious_violations(page) == []
    # Clicking again (back on the class's page) starts no second job.
    page.goto(f"/konto/klasy/{world.school_class.pk}/dane-logowania/")
    with page.expect_navigation():
        page.click("#credentials-form button[type=submit]")
    assert page.url.endswith(f"/konto/listy/{job.pk}/")
    assert LetterJob.objects.count() == 1
    with page.expect_download() as download_info:
        page.click("#letters-download-form button[type=submit]")
    download = download_info.value
    assert download.suggested_filename == "loginy-4a.pdf"
    pages = PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages
    assert len(pages) == 5
    assert "Łucja Żółkiewska" in pages[1].extract_text()
    job.refresh_from_db()
    assert job.status == LetterJob.Status.DOWNLOADED and job.content is None
    assert User.objects.get(student_profile=world.classmate).must_change_password is True
    page.reload()
    assert page.locator("[data-status=downloaded]").count() == 1


def test_the_page_shows_the_progress_then_the_download(world, letter_class, page):
    # A job the worker has not finished yet (the test plays the worker).
    job = LetterJob.objects.create(
        school_class=world.school_class,
        requested_by=world.user("class_teacher"),
        login_url="http://testserver/konto/logowanie/",
    )
    login(page, "wych", TEST_PASSWORD)
    page.goto(f"/konto/listy/{job.pk}/")
    status = page.locator("#letters-job")
    assert "Czeka na swoją kolej" in status.inner_text()
    LetterJob.objects.filter(pk=job.pk).update(status=LetterJob.Status.RUNNING)
    cache.set(PROGRESS_KEY.format(job.pk), (3, 5))
    page.wait_for_selector("progress#letters-progress[value='3'][max='5']")
    assert "Przygotowane listy: 3 z 5" in status.inner_text()
    LetterJob.objects.filter(pk=job.pk).update(status=LetterJob.Status.QUEUED)
    assert letters_prepare.call(job.pk) == LetterJob.Status.READY
    page.wait_for_selector("#letters-download-form")
    assert page.locator("#letters-job-poll").count() == 0  # polling stopped
    # On a phone the page does not scroll sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
