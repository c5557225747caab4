"""Printing of the journals on the test world: a class's register, the class teacher's
pages and the whole school are laid out in the background with their progress, handed
only to their requester and the principal, recorded in the history, and deleted after
their time; each role prints only what it may."""

import datetime
import io
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dziennik.attendance.tests.factories import build_register, save_lesson
from dziennik.core.models import AuditEntry
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.grades.tests.factories import (
    AssessmentFactory,
    BehaviourGradeFactory,
    ClassificationGradeFactory,
    GradeFactory,
)
from dziennik.printing import jobs
from dziennik.printing.models import PrintJob
from dziennik.printing.tasks import print_job_run, print_jobs_purge
from dziennik.schools.tests.factories import SchoolClassFactory
from testsupport.url_matrix import expect
from testsupport.world import AuthzMatrix

pytestmark = pytest.mark.django_db

MATH_TOPIC = "Ułamki zwykłe"
HISTORY_TOPIC = "Chrzest Polski"


def _filled(world):
    """4a with a day of lessons (a topic each, Zofia absent at maths), maths grades, a
    term and an annual grade, behaviour grades."""
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic=MATH_TOPIC)
    save_lesson(world, reg, reg.history1, {}, topic=HISTORY_TOPIC)
    assessment = AssessmentFactory(
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        teacher=world.user("teacher_in"),
    )
    GradeFactory(assessment=assessment, student=world.student, symbol="5-", value="4.75")
    GradeFactory(assessment=assessment, student=world.classmate, symbol="3+", value="3.5")
    common = {"school_class": world.school_class, "student": world.student}
    ClassificationGradeFactory(**common, subject=world.subject, term=world.term1, grade=5)
    ClassificationGradeFactory(
        **common,
        subject=world.subject,
        term=world.term2,
        kind=ClassificationGrade.Kind.FINAL,
        grade=6,
    )
    BehaviourGradeFactory(**common, term=world.term1)
    BehaviourGradeFactory(
        **common,
        term=world.term2,
        kind=BehaviourGrade.Kind.FINAL,
        value=BehaviourGrade.Value.EXEMPLARY,
    )
    return reg


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # the words only: a table cell wraps its text anywhere
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _start(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    return PrintJob.objects.order_by("-pk").first()


def _download(client, job) -> bytes:
    response = client.post(reverse("printing:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    return b"".join(response.streaming_content)


def _entries(action: str):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PrintJob), action=action
    )


def test_a_class_register_is_printed_in_the_background(world, django_capture_on_commit_callbacks):
    _filled(world)
    client = world.client("class_teacher")
    url = reverse("printing:class_start", args=[world.school_class.pk, "register"])
    job = _start(client, url, django_capture_on_commit_callbacks)  # the tests' backend ran it
    assert (job.kind, job.status, job.teacher_id) == ("register", "ready", None)
    assert (job.parts_done, job.parts_total) == (3, 3)  # the summary, Historia, Matematyka
    page = client.get(reverse("printing:job", args=[job.pk])).content.decode()
    assert 'data-status="ready"' in page and "Pobierz wydruk (PDF)" in page

    download = reverse("printing:download", args=[job.pk])
    assert client.get(download).status_code == 405
    results = AuthzMatrix(world).check(
        download,
        expect(404, class_teacher=200, principal=200, anonymous=302),
        method="post",
        secrets=[MATH_TOPIC, "Wiśniewska"],
    )
    text = _pdf_text(results["class_teacher"].content)
    for expected in (
        "Dziennik klasy 4a",
        "Matematyka",
        "Historia",
        MATH_TOPIC,
        HISTORY_TOPIC,
        "Tomasz Lewandowski",  # the maths teacher, at the lesson
        "nb: 1",  # Zofia (no. 1) absent at maths
        "5-",
        "3+",
        "Wiśniewska Zofia",
    ):
        assert expected in text, expected
    assert _entries("create").get().actor == world.user("class_teacher")
    assert {e.actor for e in _entries("update")} == {
        world.user("class_teacher"),
        world.user("principal"),
    }


def test_a_teacher_prints_only_the_subjects_they_teach(world, django_capture_on_commit_callbacks):
    _filled(world)
    client = world.client("teacher_in")
    url = reverse("printing:class_start", args=[world.school_class.pk, "register"])
    job = _start(client, url, django_capture_on_commit_callbacks)
    assert (job.teacher, job.parts_total) == (world.user("teacher_in"), 1)
    text = _pdf_text(_download(client, job))
    assert MATH_TOPIC in text and "5-" in text
    assert HISTORY_TOPIC not in text and "Historia" not in text


def test_the_class_teachers_pages(world, django_capture_on_commit_callbacks):
    _filled(world)
    world.own_guardian.phone = "601 202 303"
    world.own_guardian.save()
    client = world.client("class_teacher")
    url = reverse("printing:class_start", args=[world.school_class.pk, "class_teacher"])
    job = _start(client, url, django_capture_on_commit_callbacks)
    assert (job.status, job.parts_done, job.parts_total) == ("ready", 1, 1)
    text = _pdf_text(_download(client, job))
    month = timezone.localdate().strftime("%m.%Y")
    for expected in (
        "Strony wychowawcy klasy 4a",
        "Wiśniewska Zofia",
        "Anna Wiśniewska",
        "601 202 303",
        "bardzo dobre",
        "wzorowe",
        month,
        "1/2 (50%)",  # Zofia: absent at one of her two lessons that month
    ):
        assert expected in text, expected


def test_the_whole_school_is_one_zip_of_every_class(world, django_capture_on_commit_callbacks):
    _filled(world)
    client = world.client("secretary")
    job = _start(
        client,
        reverse("printing:school_start", args=[world.year.pk]),
        django_capture_on_commit_callbacks,
    )
    # 4a: summary, 2 subjects, class teacher's pages; 4b: summary, 1 subject, pages
    assert (job.status, job.parts_done, job.parts_total) == ("ready", 7, 7)
    with zipfile.ZipFile(io.BytesIO(_download(client, job))) as archive:
        names = archive.namelist()
        texts = {name: _pdf_text(archive.read(name)) for name in names}
    assert names == ["dziennik-4a.pdf", "wychowawca-4a.pdf", "dziennik-4b.pdf", "wychowawca-4b.pdf"]
    assert MATH_TOPIC in texts["dziennik-4a.pdf"]
    assert "Anna Wiśniewska" in texts["wychowawca-4a.pdf"]
    assert MATH_TOPIC not in texts["dziennik-4b.pdf"]
    # the secretary's file: not the class teacher's, but the principal's too
    assert (
        world.client("class_teacher").post(reverse("printing:download", args=[job.pk])).status_code
        == 404
    )
    assert (
        world.client("principal").post(reverse("printing:download", args=[job.pk])).status_code
        == 200
    )


def test_progress_advances_part_by_part(world):
    _filled(world)
    job, started = jobs.job_start(
        actor=world.user("principal"),
        kind="register",
        school_year=world.year,
        school_class=world.school_class,
    )
    assert started and job.status == "queued"  # not run: no commit in this test
    page = world.client("principal").get(reverse("printing:job", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in page.content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert print_job_run.call(job.pk) == "ready"
    steps = [
        q["sql"] for q in queries if "parts_done" in q["sql"] and q["sql"].startswith("UPDATE")
    ]
    # reset to 0 at the claim, then one step after each of the three parts
    assert len(steps) == 4
    job.refresh_from_db()
    assert (job.parts_done, job.parts_total) == (3, 3)
    PrintJob.objects.filter(pk=job.pk).update(status="running", parts_done=2)
    page = world.client("principal").get(
        reverse("printing:job", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    html = page.content.decode()
    assert '<progress id="printing-progress" max="3" value="2">' in html
    assert "Złożono części: 2 z 3" in html


def test_a_second_click_gets_the_first_job_and_a_dead_worker_does_not_block(world):
    principal = world.user("principal")
    first, started = jobs.job_start(actor=principal, kind="school", school_year=world.year)
    again, started_again = jobs.job_start(actor=principal, kind="school", school_year=world.year)
    assert started and (again, started_again) == (first, False)
    PrintJob.objects.filter(pk=first.pk).update(
        status="running", created_at=timezone.now() - datetime.timedelta(hours=4)
    )
    fresh, started = jobs.job_start(actor=principal, kind="school", school_year=world.year)
    assert started and fresh != first
    first.refresh_from_db()
    assert first.status == "failed"


def test_a_job_left_running_by_a_killed_worker_is_taken_again(world):
    job, _ = jobs.job_start(
        actor=world.user("principal"),
        kind="class_teacher",
        school_year=world.year,
        school_class=world.school_class,
    )
    PrintJob.objects.filter(pk=job.pk).update(status="running", parts_done=1, parts_total=1)
    assert print_job_run.call(job.pk) == "ready"
    assert print_job_run.call(job.pk) == "skipped"  # a second run of a finished job
    job.refresh_from_db()
    assert (job.status, job.parts_done) == ("ready", 1) and job.size > 1000


def test_printouts_are_deleted_after_their_time(world):
    make = lambda: jobs.job_start(  # noqa: E731
        actor=world.user("principal"),
        kind="class_teacher",
        school_year=world.year,
        school_class=world.school_class,
    )[0]
    old = make()
    print_job_run.call(old.pk)
    fresh = make()
    print_job_run.call(fresh.pk)
    old.refresh_from_db()
    storage = old.file.storage
    name = old.file.name
    assert storage.exists(name)
    PrintJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert print_jobs_purge.call() == 1
    assert print_jobs_purge.call() == 0  # safe to run twice
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.file.name, fresh.status) == ("expired", "", "ready")
    assert (
        world.client("principal").post(reverse("printing:download", args=[old.pk])).status_code
        == 404
    )


def test_the_class_start_matrix(world, django_capture_on_commit_callbacks):
    register = reverse("printing:class_start", args=[world.school_class.pk, "register"])
    pages = reverse("printing:class_start", args=[world.school_class.pk, "class_teacher"])
    staff = {"principal": 302, "secretary": 302, "class_teacher": 302, "anonymous": 302}
    with django_capture_on_commit_callbacks(execute=True):
        AuthzMatrix(world).check(
            register,
            expect(404, teacher_in=302, **staff),
            method="post",
            state=lambda: PrintJob.objects.exclude(
                requested_by__in=[
                    world.user(r) for r in ("principal", "secretary", "class_teacher", "teacher_in")
                ]
            ).count(),
        )
        AuthzMatrix(world).check(
            pages,
            expect(404, **staff),
            method="post",
            state=lambda: (
                PrintJob.objects.filter(kind="class_teacher")
                .exclude(
                    requested_by__in=[
                        world.user(r) for r in ("principal", "secretary", "class_teacher")
                    ]
                )
                .count()
            ),
        )
    assert PrintJob.objects.filter(kind="register").count() == 4
    assert PrintJob.objects.filter(kind="class_teacher").count() == 3
    other = reverse("printing:class_start", args=[world.school_class.pk, "school"])
    assert world.client("principal").post(other).status_code == 404


def test_the_school_start_matrix(world, django_capture_on_commit_callbacks):
    url = reverse("printing:school_start", args=[world.year.pk])
    with django_capture_on_commit_callbacks(execute=True):
        AuthzMatrix(world).check(
            url,
            expect(404, principal=302, secretary=302, anonymous=302),
            method="post",
            state=lambda: PrintJob.objects.exclude(
                requested_by__in=[world.user("principal"), world.user("secretary")]
            ).count(),
        )
    assert PrintJob.objects.filter(kind="school", status="ready").count() == 2


# The printing page: the session and user, the viewer (cold), the layout, the years, the
# classes, the jobs with their year, class and requester in one query.
INDEX_QUERIES = 13


@pytest.mark.parametrize("n", [1, 10])
def test_the_printing_page_makes_a_fixed_number_of_queries(world, django_assert_num_queries, n):
    for i in range(n):
        school_class = SchoolClassFactory(
            school=world.school, school_year=world.year, name=f"{5 + i}c", level=5
        )
        jobs.job_start(
            actor=world.user("secretary"),
            kind="register",
            school_year=world.year,
            school_class=school_class,
        )
    client = world.client("principal")
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("printing:index"))
    html = response.content.decode()
    assert html.count("<tr data-status=") == n
    assert html.count('action="/wydruki/klasa/') == 2 * (n + 2)


def test_a_bad_year_or_kind_is_a_404(world):
    client = world.client("principal")
    assert client.get(reverse("printing:index") + "?year=abc").status_code == 404
    assert client.get(reverse("printing:index") + "?year=999999").status_code == 404
    bad = reverse("printing:class_start", args=[world.school_class.pk, "nonsense"])
    assert client.post(bad).status_code == 404
    assert not PrintJob.objects.exists()


def test_the_office_has_it_in_the_menu_and_the_class_teacher_on_the_class_summary(world):
    printing = reverse("printing:index")
    summary = reverse("grades:class_summary", args=[world.school_class.pk])
    assert f'href="{printing}"' in world.client("secretary").get("/").content.decode()
    class_teacher = world.client("class_teacher")
    assert f'href="{printing}"' not in class_teacher.get("/").content.decode()
    page = class_teacher.get(summary).content.decode()
    assert f'href="{printing}?year={world.year.pk}" id="related-printing"' in page
