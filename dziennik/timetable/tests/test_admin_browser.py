"""The principal loads a timetable file and adjusts the plan in the browser."""

import pytest
from playwright.sync_api import expect

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.timetable.models import TimetableEntry
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .helpers import build, csv_bytes, next_monday, plan_rows

pytestmark = pytest.mark.browser


def test_principal_imports_a_plan_then_changes_a_lesson(world, page, tmp_path):
    reg = build(world)
    start = next_monday(reg)
    good = tmp_path / "plan.csv"
    good.write_bytes(csv_bytes(plan_rows(start), bom=True))

    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto("/plan/")
    page.click("#timetable-import")
    assert page.url.endswith("/plan/import/")
    page.set_input_files("#id_file", str(good))
    page.click("button[value=preview]")
    assert (
        page.locator("#import-classes tr[data-class='4a'] td[data-count='new']").inner_text() == "5"
    )
    assert_no_serious_axe_violations(page)
    page.click("#import-confirm button")
    assert page.locator("#result-h").count() == 1
    assert TimetableEntry.objects.filter(valid_from=start).count() == 5

    page.click("#import-classes a")  # the class's editor, at the week the plan starts
    expect(page.locator("#plan-editor .lesson-cell")).to_have_count(5)
    assert_no_serious_axe_violations(page)
    entry = TimetableEntry.objects.get(valid_from=start, weekday=1, slot=reg.slots[2])
    page.click(f"#plan-editor [data-entry='{entry.pk}'] a[href*='/zmien/']")
    page.select_option("#id_slot", str(reg.slots[6].pk))
    page.fill("#id_date", start.isoformat())
    page.click("#entry-form button[type=submit]")
    assert page.locator("#plan-editor").count() == 1
    entry.refresh_from_db()
    assert entry.slot == reg.slots[6]  # from its first day: the entry itself is corrected
    assert_no_serious_axe_violations(page)
