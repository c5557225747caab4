"""The principal browses the history in the browser and filters it by class."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core import audit
from dziennik.core.models import AuditEntry
from testsupport.browser import login

pytestmark = pytest.mark.browser


def test_principal_filters_the_history(world, page, tmp_path):
    teacher = world.user("class_teacher")
    before = audit.snapshot(world.student, fields=["birth_place"])
    world.student.birth_place = "Zakopane"
    world.student.save()
    audit.record_update(
        actor=teacher,
        instance=world.student,
        before=before,
        student_id=world.student.pk,
        school_class_id=world.school_class.pk,
    )
    before = audit.snapshot(world.other_class, fields=["level"])
    world.other_class.level = 5
    world.other_class.save()
    audit.record_update(
        actor=world.user("principal"),
        instance=world.other_class,
        before=before,
        school_class_id=world.other_class.pk,
    )

    login(page, "dyrektor-test", TEST_PASSWORD)
    page.click("nav.mainnav details[data-nav-menu=school] summary")
    page.click("nav.mainnav a[href='/historia/']")
    # Logging in may itself be recorded (the account's activation), so count what is there.
    everything = AuditEntry.objects.filter(school=world.school).count()
    assert everything >= 2
    assert page.locator("#history tbody tr[data-entry]").count() == everything

    page.select_option("#f-class", str(world.school_class.pk))
    with page.expect_navigation():
        page.click("#history-filters button[type=submit]")
    rows = page.locator("#history tbody tr[data-entry]")
    assert rows.count() == 1
    assert "Zakopane" in rows.first.inner_text()
    assert "Wójcik" in rows.first.inner_text()
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)

    # The author link filters by the author.
    with page.expect_navigation():
        rows.first.locator(f"a[href='?actor={teacher.pk}']").click()
    assert page.locator("#f-actor").input_value() == str(teacher.pk)
    assert page.locator("#history tbody tr[data-entry]").count() == 1
