"""A disk that cannot take an upload before any view runs (Django writes a large upload to
a temporary file while it reads the request): a clear 503 page that says nothing was
saved, not a 500, and nothing imported (``core.db_faults``). Real failures of the file
system: a temporary directory that does not exist, a disk full in the middle of the file
(a file size limit: EFBIG)."""

import contextlib
import resource
import signal

import pytest
from django.test import Client
from django.urls import reverse

from dziennik.schools.models import Student

from .test_import import csv_bytes
from .test_import_views import RewindingFile

pytestmark = pytest.mark.faults


@contextlib.contextmanager
def _disk_full_after(size: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def _import(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.user("secretary"))
    data = csv_bytes() + b"\n" * (512 * 1024)  # past the limit below
    return client.post(reverse("schools:import"), {"file": RewindingFile(data), "action": "import"})


def _refused(response, before: int) -> None:
    assert response.status_code == 503
    html = response.content.decode()
    assert 'data-cause="storage"' in html
    assert 'data-outcome="not-saved"' in html
    assert "nie została zapisana" in html
    assert Student.objects.count() == before


def test_a_temporary_directory_that_does_not_exist(world, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "missing")
    before = Student.objects.count()
    _refused(_import(world), before)


def test_a_disk_full_in_the_middle_of_the_upload(world, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    before = Student.objects.count()
    with _disk_full_after(128 * 1024):
        response = _import(world)
    _refused(response, before)


def test_the_same_import_with_a_working_disk(world, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    before = Student.objects.count()
    response = _import(world)
    assert response.status_code == 200
    assert Student.objects.count() == before + 3
