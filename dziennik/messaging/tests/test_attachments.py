"""Attachments (M-04): the school's types checked by content, its size limit, plain file
names; a refused file stores nothing (no message, no file); only the participants
download it."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dziennik.messaging.models import Attachment, Message, MessagingSettings, Thread
from testsupport.office import BROKEN_ZIP, DOCX, ODT, RENAMED_ZIP

from .factories import EXE, PDF, PNG, pdf, send


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """An empty in-memory storage for each test (the process keeps one otherwise)."""
    settings.STORAGES = {**settings.STORAGES, "default": dict(settings.STORAGES["default"])}


def _stored(world) -> list[str]:
    try:
        return default_storage.listdir(f"messages/{world.school.pk}")[1]
    except FileNotFoundError:
        return []


def _nothing_stored(world):
    assert not Message.objects.exists()
    assert not Thread.objects.exists()
    assert not Attachment.objects.exists()
    assert _stored(world) == []


def _send_files(world, *files):
    return send(world.user("own_parent"), [world.user("class_teacher")], files=files)


def test_an_allowed_file_is_stored_under_a_name_of_ours(world):
    message = _send_files(world, pdf("Zwolnienie lekarskie.pdf"), SimpleUploadedFile("a.png", PNG))
    names = sorted(message.attachments.values_list("name", flat=True))
    assert names == ["Zwolnienie lekarskie.pdf", "a.png"]
    stored = _stored(world)
    assert len(stored) == 2 and not any("Zwolnienie" in s or "." in s for s in stored)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.pdf", EXE),  # an executable named as a PDF
        ("zdjecie.png", PDF),  # a PDF named as a picture: the name must agree with it
        ("skrypt.html", b"<html><script>alert(1)</script></html>"),
        ("archiwum.zip", b"PK\x03\x04" + b"\x00" * 32),  # a ZIP, not an office document
        ("raport.docx", RENAMED_ZIP),  # an archive with a program, named as a document
        ("notatki.odt", BROKEN_ZIP),  # a ZIP's first bytes only
        ("notatki.odt", DOCX),  # a Word package named as an OpenDocument
        ("pusty.pdf", b""),
    ],
)
def test_a_disallowed_type_by_content_is_refused_and_nothing_is_stored(world, name, content):
    with pytest.raises(ValidationError) as refused:
        _send_files(world, pdf(), SimpleUploadedFile(name, content))
    assert "attachments" in refused.value.error_dict
    _nothing_stored(world)


def test_real_office_documents_are_taken(world):
    message = _send_files(
        world, SimpleUploadedFile("plan.docx", DOCX), SimpleUploadedFile("plan.odt", ODT)
    )
    assert sorted(message.attachments.values_list("kind", flat=True)) == ["office", "office"]
    assert len(_stored(world)) == 2


def test_a_type_the_school_does_not_allow_is_refused(world):
    MessagingSettings.objects.create(school=world.school, attachment_kinds="pdf")
    with pytest.raises(ValidationError):
        _send_files(world, SimpleUploadedFile("a.png", PNG))
    _nothing_stored(world)


def test_an_oversized_file_is_refused_and_nothing_is_stored(world):
    MessagingSettings.objects.create(school=world.school, attachment_max_mb=1)
    big = pdf("duzy.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        _send_files(world, big)
    assert "większy niż 1 MB" in refused.value.error_dict["attachments"][0].messages[0]
    _nothing_stored(world)


class _Named:
    """An upload whose name is exactly what a client sent (Django's own classes cut a
    name down to its last part, which hides what the check must refuse)."""

    def __init__(self, name, content=PDF):
        self.inner = SimpleUploadedFile("x.pdf", content)
        self.name = name
        self.size = self.inner.size

    def __getattr__(self, attribute):
        return getattr(self.inner, attribute)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "/tmp/x.pdf",
        "..%2F..%2Fsecret.pdf",
        ".htaccess.pdf",
        "plik.pdf:Zone.Identifier",
        "plik\x00.pdf",
        "plik\u202egpj.pdf",  # right-to-left override
    ],
)
def test_a_name_with_a_path_trick_is_refused_and_nothing_is_stored(world, name):
    with pytest.raises(ValidationError) as refused:
        _send_files(world, _Named(name))
    assert "ścieżki" in refused.value.error_dict["attachments"][0].messages[0]
    _nothing_stored(world)


def test_through_the_page_a_refused_file_is_a_clear_400(world):
    client = world.client("own_parent")
    response = client.post(
        reverse("messaging:compose"),
        {
            "recipients": [world.user("class_teacher").pk],
            "subject": "Skan",
            "body": "W załączeniu.",
            "attachments": [SimpleUploadedFile("skan.pdf", EXE)],
        },
    )
    assert response.status_code == 400
    assert "zawartość pliku nie jest dozwolonego typu" in response.content.decode()
    _nothing_stored(world)


def test_a_path_in_a_raw_multipart_name_is_refused(world):
    """A client that sends an escaped path as the file name (Django's parser keeps it:
    only real separators are cut) gets a 400 and nothing is stored."""
    boundary = "XyZ"
    fields = {
        "recipients": str(world.user("class_teacher").pk),
        "subject": "Skan",
        "body": "W załączeniu.",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="..%2F..%2Fetc%2Fpasswd.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + PDF
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    client = world.client("own_parent")
    response = client.post(
        reverse("messaging:compose"),
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "nie może zawierać ścieżki" in response.content.decode()
    _nothing_stored(world)


def test_only_the_participants_download_an_attachment(world):
    message = _send_files(world, pdf("skan.pdf"))
    url = reverse("messaging:attachment", args=[message.attachments.get().pk])
    for role in ("own_parent", "class_teacher"):
        response = world.client(role).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="skan.pdf"'
        assert b"".join(response.streaming_content) == PDF
    for role in ("principal", "student", "other_parent", "teacher_in", "other_principal"):
        assert world.client(role).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_no_media_address_serves_the_files(world, settings):
    message = _send_files(world, pdf("skan.pdf"))
    stored = message.attachments.get().file.name
    settings.DEBUG = True
    response = world.client("class_teacher").get(settings.MEDIA_URL + stored)
    assert response.status_code == 404
