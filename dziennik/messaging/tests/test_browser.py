"""In the browser: a parent writes to the class teacher with an attachment (and a
stored-XSS payload); the class teacher sees the unread counter, reads the message as
text (no dialog opens), downloads the attachment and replies; the parent sees the reply
and the read receipt of their own message. The parent's screens pass axe at 360 and
1366 px."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.messaging.models import Delivery, Message
from testsupport.a11y import assert_no_serious_axe_violations
from testsupport.browser import login

from .factories import PDF

pytestmark = pytest.mark.browser

SUBJECT = '<img src=x onerror="alert(1)"> Zwolnienie z WF'
BODY = '<script>alert("xss")</script>\nSkan zwolnienia w załączniku, szczegóły: https://przychodnia.example.pl/karta'
WIDTHS = ({"width": 360, "height": 740}, {"width": 1366, "height": 900})


def switch_user(page, username):
    page.context.clear_cookies()
    login(page, username, TEST_PASSWORD)


def _axe(page):
    for size in WIDTHS:
        page.set_viewport_size(size)
        assert_no_serious_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_parent_writes_to_the_class_teacher_who_reads_and_replies(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    login(page, "rodzic-test", TEST_PASSWORD)
    page.goto(reverse("messaging:compose"))
    # the people are a search field and check boxes (the select without JavaScript)
    assert page.locator("#id_recipients").is_hidden()
    everyone = page.locator(".recipient-options li").count()
    page.fill("#recipient-search", "wojcik graz")  # no Polish letters typed: still found
    visible = page.locator(".recipient-options li:visible")
    assert visible.count() == 1
    assert f"1 z {everyone}" in page.locator("#recipient-status").inner_text()
    page.get_by_label("Wójcik Grażyna").check()
    page.fill("#recipient-search", "")
    assert page.locator(".recipient-options li:visible").count() == everyone
    assert page.locator("#recipient-status").inner_text().endswith("Wybranych: 1.")
    page.fill("#id_subject", SUBJECT)
    page.fill("#id_body", BODY)
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "zwolnienie.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _axe(page)
    with page.expect_navigation():
        page.click("#compose-form button[type=submit]")
    message = Message.objects.get()
    assert message.thread.subject == SUBJECT
    assert list(message.attachments.values_list("name", flat=True)) == ["zwolnienie.pdf"]

    switch_user(page, "wych")
    page.goto("/")
    page.locator("#messages-unread-count").filter(has_text="1").wait_for()
    page.goto(reverse("messaging:inbox"))
    row = page.locator(f"#message-{message.pk}")
    assert row.locator(".unread-mark").count() == 1
    row.get_by_role("link").click()
    card = page.locator(f"#message-{message.pk}")
    assert '<script>alert("xss")</script>' in card.locator(".message-body").inner_text()
    assert SUBJECT in page.locator("h1").inner_text()
    assert card.locator("script, img").count() == 0
    assert card.locator('a[href="https://przychodnia.example.pl/karta"]').count() == 1
    with page.expect_download() as download:
        card.get_by_role("link", name="zwolnienie.pdf").click()
    assert download.value.suggested_filename == "zwolnienie.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    page.fill("#id_body", "Dziękuję, przyjęłam. Zofia ćwiczy od poniedziałku.")
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    assert Delivery.objects.get(recipient__username="wych").read_at is not None

    switch_user(page, "rodzic-test")
    page.goto("/")
    page.locator("#messages-unread-count").filter(has_text="1").wait_for()
    assert "Zwolnienie z WF" in page.locator("#new-messages").inner_text()
    page.goto(reverse("messaging:inbox"))
    _axe(page)
    page.locator("#messages").get_by_role("link").first.click()
    assert "Zofia ćwiczy od poniedziałku" in page.locator("main").inner_text()
    receipts = page.locator(f"#receipts-{message.pk}")
    assert "Przeczytało 1 z 1" in receipts.locator("summary").inner_text()
    receipts.locator("summary").click()
    assert re.search(
        r"Grażyna Wójcik: przeczytano \d\d\.\d\d\.\d{4} \d\d:\d\d", receipts.inner_text()
    )
    _axe(page)
    page.goto("/")
    assert page.locator("#new-messages").count() == 0
    assert dialogs == []
