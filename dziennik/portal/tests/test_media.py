"""Uploaded files (doctors' notes attached to excuses) are served only by the views that
check who asks, in every mode: no ``/media/`` address serves them, not even in
development (``DEBUG``), where Django's ``static()`` helper would serve the whole
directory to anyone who guesses a name."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse

import config.urls
from dziennik.attendance import services
from dziennik.attendance.tests.factories import build_register, save_lesson

pytestmark = pytest.mark.django_db

NOTE = b"%PDF-1.4 zwolnienie lekarskie Zofii"


def reload_urls() -> None:
    clear_url_caches()
    importlib.reload(config.urls)


@pytest.fixture
def development(settings, tmp_path):
    """DEBUG on, files on disk, and the URLs built again as a development server builds
    them."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    reload_urls()
    yield
    settings.DEBUG = False
    reload_urls()


@pytest.fixture
def attachment(world, development):
    register = build_register(world)
    save_lesson(world, register, register.math2, {world.student: "nb"})
    return services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba",
        date_from=register.day,
        date_to=register.day,
        attachment=SimpleUploadedFile("zwolnienie.pdf", NOTE),
    )


def test_uploaded_files_have_no_public_address_in_development(world, attachment, tmp_path):
    url = attachment.attachment.url
    assert url.startswith("/media/")
    assert (tmp_path / attachment.attachment.name).read_bytes() == NOTE
    for client in (Client(), world.client("teacher_out"), world.client("own_parent")):
        response = client.get(url)
        assert response.status_code == 404
        assert NOTE not in b"".join(getattr(response, "streaming_content", [response.content]))
    # The view that checks who asks still serves the family its own note.
    view = reverse("attendance:justification_attachment", args=[attachment.pk])
    response = world.client("own_parent").get(view)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == NOTE
    assert world.client("teacher_out").get(view).status_code == 404
