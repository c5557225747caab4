import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.attendance.models import AttendanceKind, SubjectExemption
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import build_register

pytestmark = pytest.mark.browser


def test_principal_adds_a_kind_and_an_exemption_on_screen(world, page):
    reg = build_register(world)
    login(page, "dyrektor-test", TEST_PASSWORD)
    page.goto("/frekwencja/szkola/")
    with page.expect_navigation():
        page.click("#attendance-settings")
    assert page.locator('#kinds tr[data-kind="zw"] td.counts').get_attribute("data-counts") == (
        "excluded"
    )
    assert_no_serious_axe_violations(page)

    with page.expect_navigation():
        page.click("#kind-new")
    page.fill("#id_code", "zp")
    page.fill("#id_name", "zajęcia pozaszkolne")
    page.select_option("#id_base", "school_reasons")
    page.select_option("#id_counts_as", "present")
    page.fill("#id_shortcut", "o")  # taken by "ob"
    page.fill("#id_colour", "#ffcc00")  # too light
    with page.expect_navigation():
        page.click("#kind-save")
    assert page.locator("#id_colour[aria-invalid=true]").count() == 1
    assert page.locator("#id_shortcut[aria-invalid=true]").count() == 1
    assert "4,5:1" in page.locator("#kind-form").inner_text()
    assert_no_serious_axe_violations(page)
    page.fill("#id_shortcut", "k")
    page.fill("#id_colour", "#3b5a7a")
    with page.expect_navigation():
        page.click("#kind-save")
    assert page.locator('#kinds tr[data-kind="zp"]').count() == 1
    assert AttendanceKind.objects.get(school=world.school, code="zp").shortcut == "k"

    page.goto("/frekwencja/zwolnienia/nowe/")
    page.select_option("#id_student", str(world.student.pk))
    page.select_option("#id_subject", str(world.other_subject.pk))
    page.fill("#id_date_to", reg.day.replace(year=reg.day.year + 1).isoformat())
    page.fill("#id_basis", "opinia lekarska")
    assert_no_serious_axe_violations(page)
    with page.expect_navigation():
        page.click("#exemption-save")
    exemption = SubjectExemption.objects.get()
    assert page.locator(f'#exemptions tr[data-exemption="{exemption.pk}"]').count() == 1
    assert_no_serious_axe_violations(page)
