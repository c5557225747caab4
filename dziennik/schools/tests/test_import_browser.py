"""The secretary imports a file in the browser: check, see the preview, confirm."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.schools.models import Student
from testsupport.browser import login

from .test_import import ROWS, csv_bytes

pytestmark = pytest.mark.browser


def test_secretary_checks_then_imports_a_file(world, page, tmp_path):
    good = tmp_path / "uczniowie.csv"
    good.write_bytes(csv_bytes(bom=True))
    bad = tmp_path / "zle.csv"
    bad.write_bytes(csv_bytes([*ROWS, "1c;1;4;S-9;Jan;;Nowak;31.02.2018;;;;;;;;;;;;;"]))

    login(page, "sekr", TEST_PASSWORD)
    page.click("nav.mainnav details[data-nav-menu=school] summary")
    page.click("nav.mainnav a[href='/szkola/import/']")
    assert page.url.endswith("/szkola/import/")

    page.set_input_files("#id_file", str(bad))
    page.click("button[value=import]")
    assert page.locator("#row-errors tr[data-line='5']").count() == 1
    assert "31.02.2018" in page.locator("#row-errors").inner_text()
    assert not Student.objects.filter(external_id="S-1").exists()

    page.set_input_files("#id_file", str(good))
    page.click("button[value=preview]")
    created = "#import-counts tr[data-kind='students'] td[data-count='created']"
    assert page.locator(created).inner_text() == "3"
    assert not Student.objects.filter(external_id="S-1").exists()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.click("#import-confirm button")
    assert page.locator(created).inner_text() == "3"
    assert page.locator("#import-confirm").count() == 0
    assert Student.objects.filter(school=world.school, external_id__startswith="S-").count() == 3

    with page.expect_download() as download_info:
        page.click("#import-template")
    assert download_info.value.suggested_filename == "dziennik-import-uczniow.csv"
