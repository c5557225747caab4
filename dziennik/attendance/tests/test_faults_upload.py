"""An excuse's attachment that the storage cannot take: a clear error on the form, no
excuse written, no file left behind (``core.uploads``). Real storage failures of the
file system: a storage directory that cannot exist (its parent is a file), and a disk
that runs out of room in the middle of the file (a file size limit, EFBIG)."""

import contextlib
import resource
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dziennik.attendance.models import Justification
from dziennik.core.models import AuditEntry

from .factories import build_register, save_lesson

pytestmark = pytest.mark.faults

PDF = b"%PDF-1.4\n" + b"0" * (1024 * 1024)  # 1 MB


@pytest.fixture
def reg(world):
    r = build_register(world)
    save_lesson(world, r, r.history1, {world.student: "nb"})
    return r


def _post(world, reg, **extra):
    data = {
        "date_from": reg.day.isoformat(),
        "date_to": reg.day.isoformat(),
        "reason": "Wizyta u lekarza",
        "attachment": SimpleUploadedFile("zwolnienie.pdf", PDF),
        **extra,
    }
    url = f"/frekwencja/uczen/{world.student.pk}/usprawiedliwienie/"
    return world.client("own_parent").post(url, data)


def _storage_at(settings, location) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }


@contextlib.contextmanager
def _disk_full_after(size: int):
    """Writes past ``size`` bytes of any file fail with EFBIG, as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def _refused_with_nothing_written(response) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wizyta u lekarza" in html  # the input is kept
    assert "nic nie zostało zapisane" in html
    assert not Justification.objects.exists()
    assert not AuditEntry.objects.filter(object_repr__icontains="Wizyta").exists()


def test_a_storage_that_cannot_be_written(world, reg, settings, tmp_path):
    blocker = tmp_path / "media"
    blocker.write_text("a file where the directory should be")
    _storage_at(settings, blocker / "uploads")
    _refused_with_nothing_written(_post(world, reg))


def test_a_disk_full_in_the_middle_of_the_file(world, reg, settings, tmp_path):
    media = tmp_path / "media"
    _storage_at(settings, media)
    with _disk_full_after(256 * 1024):
        response = _post(world, reg)
    _refused_with_nothing_written(response)
    assert _files(media) == []  # the partial file is gone too


def test_a_file_stored_for_an_excuse_that_is_refused_is_removed(world, reg, settings, tmp_path):
    media = tmp_path / "media"
    _storage_at(settings, media)
    day_without_absences = reg.day.replace(day=1) if reg.day.day != 1 else reg.day.replace(day=2)
    response = _post(
        world,
        reg,
        date_from=day_without_absences.isoformat(),
        date_to=day_without_absences.isoformat(),
    )
    assert response.status_code == 400
    assert not Justification.objects.exists()
    assert _files(media) == []


def test_a_stored_attachment_stays_with_its_excuse(world, reg, settings, tmp_path):
    media = tmp_path / "media"
    _storage_at(settings, media)
    assert _post(world, reg).status_code == 302
    justification = Justification.objects.get()
    assert [p.relative_to(media).as_posix() for p in _files(media)] == [
        justification.attachment.name
    ]
