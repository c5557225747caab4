"""The family's privacy screens in a browser: axe (WCAG 2.1 AA) at 360 and 1366 px, no
sideways scrolling on the phone, a parent filing a request from "My data" and taking a
copy of the child's data as PDF."""

import pytest

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.privacy.models import RectificationRequest
from testsupport.a11y import FAILING_IMPACTS, axe_violations, format_violations
from testsupport.browser import login
from testsupport.url_matrix import Scene

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1366])
def test_a_parent_files_a_request_and_the_screens_pass_axe(world, page, width):
    scene = Scene(world)
    scene.student_read  # noqa: B018 – a read to list
    scene.note  # noqa: B018 – a change to list
    page.set_viewport_size({"width": width, "height": 800})
    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto("/moje-dane/")
    problems = []

    def check(where):
        found = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
        if found:
            problems.append(f"{where}:\n{format_violations(found)}")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            problems.append(f"{where}: wider than {width} px")

    check("my data")
    page.get_by_role("link", name="Poproś o sprostowanie danych").click()
    check("the form")
    page.get_by_label("Czyje dane").select_option(label="Zofia Wiśniewska")
    page.get_by_label("Które dane").fill("Miejsce urodzenia")
    page.get_by_label("Co jest błędne").fill("Krakow")
    page.get_by_label("Jak powinno być").fill("Kraków")
    page.get_by_role("button", name="Wyślij wniosek").click()
    page.wait_for_url("**/moje-dane/sprostowania/*/")
    check("the request")
    assert page.locator("#request-status").inner_text() == "nowy"
    filed = RectificationRequest.objects.get()
    assert (filed.student_id, filed.data) == (world.student.pk, "Miejsce urodzenia")
    page.goto(f"/moje-dane/odczyty/{world.student.pk}/")
    assert "Ksenia Podglądacka" in page.locator("#reads-table").inner_text()
    check("who viewed")
    # the copy of the child's data as PDF: laid out by the task, its page shows it ready
    page.goto("/moje-dane/")
    page.locator(f"#export-child-{world.student.pk} form[action$='/pdf/'] button").click()
    page.wait_for_url("**/moje-dane/eksport/*/")
    page.locator("#export-download-form").wait_for()
    check("the copy of the data")
    assert not problems, "\n".join(problems)
