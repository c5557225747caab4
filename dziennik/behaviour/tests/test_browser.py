"""In the browser: a teacher writes a note about Zofia (with a stored-XSS payload); her
parent sees it on the home page and the notes page, as text, and no dialog opens; the
class teacher sees it in the class summary. The family's screens pass axe at 360 and
1366 px."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.behaviour.models import BehaviourNote
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import category

pytestmark = pytest.mark.browser

TEXT = '<img src=x onerror="alert(1)"><script>alert("xss")</script> Pomogła koledze z ławki.'
WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def _axe_at_both_widths(page):
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)


def test_a_teacher_writes_a_note_and_the_parent_reads_it(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    helping = category(world.school, "pomoc innym")

    login(page, "n-in", TEST_PASSWORD)
    page.goto(reverse("behaviour:student", args=[world.student.pk]))
    with page.expect_navigation():
        page.click("#note-new")
    page.select_option("#id_category", str(helping.pk))
    page.fill("#id_text", TEXT)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    note = BehaviourNote.objects.get()
    assert (note.text, note.kind, note.author.username) == (TEXT, "positive", "n-in")

    switch_user(page, "rodzic-test")
    page.goto("/")
    assert TEXT in page.locator("#recent-notes").inner_text()
    _axe_at_both_widths(page)
    page.goto(reverse("behaviour:index"))  # the family's entry goes to the child's notes
    item = page.locator(f"#note-{note.pk}")
    assert TEXT in item.locator(".note-text").inner_text()
    assert item.locator("script, img").count() == 0
    assert "pomoc innym" in item.inner_text()
    _axe_at_both_widths(page)

    switch_user(page, "uczen-test")
    page.goto(reverse("behaviour:student", args=[world.student.pk]))
    assert page.locator(f"#note-{note.pk}").count() == 1
    _axe_at_both_widths(page)

    switch_user(page, "rodzic-inny")
    response = page.goto(reverse("behaviour:student", args=[world.student.pk]))
    assert response.status == 404

    switch_user(page, "wych")
    page.goto(reverse("behaviour:class", args=[world.school_class.pk]))
    first_row = page.locator("#class-totals tbody tr").first
    assert first_row.locator("td").nth(1).inner_text() == "1"  # one positive note
    assert page.locator(f"#note-{note.pk}").count() == 1
    assert dialogs == []
