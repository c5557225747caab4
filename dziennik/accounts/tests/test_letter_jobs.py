"""A class's credential letters as a background job: one job per class, progress on the
page, the PDF only for its requester, once, and gone after download or expiry."""

import datetime
import io

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dziennik.accounts import letter_jobs
from dziennik.accounts.hashers import OneTimeArgon2PasswordHasher
from dziennik.accounts.letters import IssuedCredential, render_letters
from dziennik.accounts.models import LetterJob
from dziennik.accounts.tasks import PROGRESS_KEY, letters_prepare, letters_progress
from dziennik.attendance.tests.factories import committed
from dziennik.core.models import AuditEntry
from dziennik.schools.models import Student
from testsupport.url_matrix import expect
from testsupport.world import AuthzMatrix

pytestmark = pytest.mark.django_db

LOGIN_URL = "http://testserver/konto/logowanie/"


def start(world, role="class_teacher", regenerate=False):
    return letter_jobs.letter_job_start(
        actor=world.user(role),
        school_class=world.school_class,
        regenerate=regenerate,
        login_url=LOGIN_URL,
    )


def ready_job(world, role="class_teacher"):
    job, started = start(world, role)
    assert started
    assert letters_prepare.call(job.pk) == LetterJob.Status.READY
    job.refresh_from_db()
    return job


def jobs_state():
    return sorted(
        (job.pk, job.status, job.content is None) for job in LetterJob.objects.order_by("pk")
    )


def test_download_matrix(world, letter_class):
    job = ready_job(world)
    url = reverse("accounts:letters_download", args=[job.pk])
    results = AuthzMatrix(world).check(
        url,
        expect(404, class_teacher=200),
        method="post",
        secrets=["%PDF"],
        state=jobs_state,
    )
    response = results["class_teacher"]
    assert response.content.startswith(b"%PDF")
    job.refresh_from_db()
    assert (job.status, job.content) == (LetterJob.Status.DOWNLOADED, None)


def test_download_is_private_and_once(world, letter_class):
    job = ready_job(world)
    client = world.client("class_teacher")
    url = reverse("accounts:letters_download", args=[job.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="loginy-4a.pdf"'
    assert "no-store" in response["Cache-Control"]
    # Gone from the server: a second download finds nothing, the page says why.
    assert client.post(url).status_code == 404
    page = client.get(reverse("accounts:letters_job", args=[job.pk]))
    assert 'data-status="downloaded"' in page.content.decode()
    assert LetterJob.objects.get(pk=job.pk).content is None


def test_second_click_starts_no_second_job(world, letter_class):
    client = world.client("class_teacher")
    url = reverse("accounts:class_credentials", args=[world.school_class.pk])
    first = client.post(url)  # queued: the test's transaction never commits
    second = client.post(url, {"regenerate": "1"})
    assert LetterJob.objects.count() == 1
    job = LetterJob.objects.get()
    assert first["Location"] == second["Location"] == f"/konto/listy/{job.pk}/"
    page = client.get(second["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["info"]
    # The office clicking meanwhile starts nothing either, and is not sent to a page of
    # somebody else's letters.
    office = world.client("principal").post(url)
    assert office["Location"] == url
    assert LetterJob.objects.count() == 1
    # Nor does the teacher's click once the letters wait for download.
    letters_prepare.call(job.pk)
    assert client.post(url)["Location"] == f"/konto/listy/{job.pk}/"
    assert LetterJob.objects.count() == 1


def test_the_page_polls_until_the_letters_are_ready(world, letter_class):
    job, _started = start(world)
    client = world.client("class_teacher")
    url = reverse("accounts:letters_job", args=[job.pk])
    waiting = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and 'data-status="queued"' in waiting
    assert "<html" not in waiting  # the status part only
    letters_prepare.call(job.pk)
    ready = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in ready
    assert 'data-status="ready"' in ready
    assert reverse("accounts:letters_download", args=[job.pk]) in ready


def test_progress_is_shown_while_the_letters_are_laid_out(world, letter_class):
    job, _started = start(world)
    LetterJob.objects.filter(pk=job.pk).update(status=LetterJob.Status.RUNNING)
    cache.set(PROGRESS_KEY.format(job.pk), (30, 74))
    assert letters_progress(job.pk) == (30, 74)
    page = world.client("class_teacher").get(reverse("accounts:letters_job", args=[job.pk]))
    html = page.content.decode()
    assert '<progress id="letters-progress" max="74" value="30">' in html
    assert "30 z 74" in html


def test_the_letters_tell_their_progress(world):
    item = IssuedCredential(
        user_id=1,
        full_name="Łucja Żółkiewska",
        username="lucja.zolkiewska",
        password="abcd-EFGH-3467",
        kind="student",
        about=("4a",),
        school_name="Szkoła",
    )
    told = []
    content = render_letters([item] * 25, login_url=LOGIN_URL, progress=told.append)
    assert told == [10, 20, 25]
    assert len(PdfReader(io.BytesIO(content)).pages) == 25


def test_the_history_records_who_asked_and_who_downloaded(world, letter_class):
    job = ready_job(world)
    world.client("class_teacher").post(reverse("accounts:letters_download", args=[job.pk]))
    entries = AuditEntry.objects.filter(object_id=str(job.pk), content_type__model="letterjob")
    assert sorted((e.action, e.actor_id, e.school_class_id) for e in entries) == [
        ("create", world.user("class_teacher").pk, world.school_class.pk),
        ("update", world.user("class_teacher").pk, world.school_class.pk),
    ]
    update = entries.get(action="update")
    assert update.changes == {"status": ["ready", "downloaded"]}
    # The accounts the job created are in the history under the teacher's name too.
    lucja = Student.objects.select_related("user").get(pk=letter_class.lucja.pk)
    assert AuditEntry.objects.filter(
        object_id=str(lucja.user.pk), action="create", actor=world.user("class_teacher")
    ).exists()


def test_letters_nobody_downloaded_expire(world, letter_class):
    job = ready_job(world)
    assert letter_jobs.letter_jobs_purge(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    later = timezone.now() + letter_jobs.LETTERS_KEPT_FOR + datetime.timedelta(minutes=1)
    assert letter_jobs.letter_jobs_purge(now=later) == 1
    job.refresh_from_db()
    assert (job.status, job.content) == (LetterJob.Status.EXPIRED, None)
    client = world.client("class_teacher")
    assert client.post(reverse("accounts:letters_download", args=[job.pk])).status_code == 404


def test_a_failed_job_creates_no_account(world, letter_class):
    job, _started = start(world)
    # The teacher stops being the class teacher before the job runs.
    world.school_class.class_teacher = None
    world.school_class.save()
    with pytest.raises(PermissionDenied):
        letters_prepare.call(job.pk)
    job.refresh_from_db()
    assert job.status == LetterJob.Status.FAILED and job.content is None
    assert Student.objects.get(pk=letter_class.lucja.pk).user_id is None
    page = world.client("principal").get(
        reverse("accounts:class_credentials", args=[job.school_class_id])
    )
    assert page.status_code == 200


def test_the_task_is_safe_to_run_twice(world, letter_class):
    job, _started = start(world)
    assert letters_prepare.call(job.pk) == LetterJob.Status.READY
    users = Student.objects.get(pk=letter_class.lucja.pk).user_id
    assert letters_prepare.call(job.pk) == "skipped"
    assert Student.objects.get(pk=letter_class.lucja.pk).user_id == users


def test_the_request_commits_and_runs_the_job(world, letter_class):
    client = world.client("class_teacher")
    with committed():
        response = client.post(reverse("accounts:class_credentials", args=[world.school_class.pk]))
    job = LetterJob.objects.get()
    assert job.status == LetterJob.Status.READY and job.letters == 5
    assert response["Location"] == reverse("accounts:letters_job", args=[job.pk])


def test_job_page_query_count(world, letter_class, django_assert_max_num_queries):
    job = ready_job(world)
    client = world.client("class_teacher")
    url = reverse("accounts:letters_job", args=[job.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_one_time_passwords_verify_and_are_rehashed_at_full_cost():
    """A one-time hash (OWASP's minimum) verifies under Django's Argon2 hasher, which
    asks for it to be rehashed at its own cost at the login."""
    encoded = OneTimeArgon2PasswordHasher().encode("abcd-EFGH-3467", "saltsaltsaltsalt")
    full = Argon2PasswordHasher()
    assert full.verify("abcd-EFGH-3467", encoded)
    assert not full.verify("abcd-EFGH-3468", encoded)
    assert full.must_update(encoded)
    assert "m=19456,t=2,p=1" in encoded
