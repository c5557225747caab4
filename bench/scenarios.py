"""What the benchmark measures. Each scenario logs in as a demo user and returns a
function that builds the n-th request: (method, path, body, extra headers).

The parent pages are measured for the *heaviest child* of school 1 – the student with
the most grades – with the school's class comparison switched on, each twice: warm (a
repeat visit, served from the page cache) and cold (every request a cache miss). A cold
request is forced by a real invalidation: before each request the bench moves the
versions that recording a new grade of the child moves (``core.audit``): the child's
(``core.cache.student_scope``), their class's register data (``core.cache.data_scope``)
and the child's data in the grade's subject (``core.cache.subject_scope``: the subject
the child has most grades in). So the page, and every part of it kept per those versions
(the class comparison's averages, the overview's row of that subject), is built afresh
from the database on every request, while what is kept per the school's configuration
(the layout's top bar, the report's setup, the viewer) and the overview's rows of the
other subjects stay cached, as they do after a teacher's save. "Fully cold" moves the
child's version of every subject too: every part kept per subject is built afresh, so
no such part hides the full cost. Nothing is flushed. The attendance page's cold moves
what a new attendance mark of the child today moves instead (``Invalidator``): its parts
of the other months stay cached, this month's is built afresh.
"""

from __future__ import annotations

import datetime
import json
import re
import time
import urllib.parse
from zoneinfo import ZoneInfo

from harness import BENCH_ENV, DEMO_PASSWORD, Scenario, Session, django_lookup


def trivial(session: Session):
    def make(n: int):
        return "GET", "/healthz", None, {}

    return make


# --- the heaviest child -----------------------------------------------------------------

_HEAVIEST: dict = {}


def heaviest_child() -> dict:
    """School 1's student with the most grades, one of their guardians, and the switch of
    class comparisons turned on (by the principal, through the service). Looked up once."""
    if not _HEAVIEST:
        _HEAVIEST.update(
            json.loads(
                django_lookup(
                    "import json;"
                    "from django.contrib.auth.hashers import make_password;"
                    "from django.db.models import Count;"
                    "from django.utils import timezone;"
                    "from dziennik.core import cache;"
                    "from dziennik.accounts.models import User;"
                    "from dziennik.schools.models import School, Student;"
                    "from dziennik.grades.services import grading;"
                    "school = School.objects.order_by('pk').first();"
                    "s = (Student.objects.filter(school=school).annotate(n=Count('grades'))"
                    " .order_by('-n', 'pk').first());"
                    "g = (s.guardianships.select_related('guardian__user')"
                    " .order_by('pk').first().guardian.user);"
                    # the demo's families have no password until the letters are printed
                    "User.objects.filter(pk=g.pk).update("
                    f" password=make_password({DEMO_PASSWORD!r}), must_change_password=False,"
                    " activated_at=timezone.now());"
                    "cache.bump(cache.config_scope(school.pk));"
                    "boss = User.objects.get(username='dyrektor');"
                    "grading.comparisons_switch(actor=boss, school_id=school.pk, enabled=True);"
                    "c = s.enrolments.filter(end_date__isnull=True).first().school_class_id;"
                    "from dziennik.grades.models import Grade;"
                    "from dziennik.schools.models import TeachingAssignment;"
                    "by = list(Grade.objects.filter(student=s)"
                    " .values_list('assessment__subject_id').annotate(n=Count('pk'))"
                    " .order_by('-n', 'assessment__subject_id'));"
                    "subjects = sorted({k for k, n in by} | set(TeachingAssignment.objects"
                    " .filter(school_class_id=c).values_list('subject_id', flat=True)));"
                    "print(json.dumps({'student': s.pk, 'grades': s.n,"
                    " 'guardian': g.username, 'school': school.pk, 'class': c,"
                    " 'subject': by[0][0], 'subjects': subjects}))"
                )
            )
        )
        print(
            f"  heaviest child: student {_HEAVIEST['student']} with {_HEAVIEST['grades']} "
            f"grades, guardian {_HEAVIEST['guardian']}, class comparison on",
            flush=True,
        )
    return _HEAVIEST


def heaviest_guardian() -> str:
    return heaviest_child()["guardian"]


class Invalidator:
    """Moves a student's, their class's and the student's cache versions of ``subjects``
    in the shared cache (Redis), as a new grade of the student does (``core.audit``).
    ``attendance``: as a new attendance mark of the student today does instead: no
    subject, but the attendance's share of the student's and the class's data and of
    this month (``core.cache.month_part_scope``: the attendance page keeps its other
    months)."""

    def __init__(
        self, student_id: int, class_id: int, subjects: list[int], *, attendance: bool = False
    ):
        import redis

        self.client = redis.Redis.from_url(BENCH_ENV["CACHE_URL"])
        # Django's RedisCache: key prefix "" and version 1 (``make_key``); integers raw.
        self.keys = [f":1:v:student:{student_id}", f":1:v:data:{class_id}"]
        if attendance:
            # the school's day (``TIME_ZONE``), as the server's ``timezone.localdate()``
            month = datetime.datetime.now(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m")
            for scope in (f"student-in:{student_id}", f"data-in:{class_id}"):
                self.keys += [f":1:v:{scope}:attendance", f":1:v:{scope}:attendance:{month}"]
            return
        self.keys += [f":1:v:subject:{student_id}:{subject}" for subject in subjects]

    def bump(self) -> None:
        self.client.mset(dict.fromkeys(self.keys, time.time_ns()))


def parent_page(path_template: str, *, cold: bool, fully: bool = False, attendance: bool = False):
    """``cold``: a new grade's versions moved before each request (one subject's);
    ``fully``: every subject's of the child too; ``attendance``: a new attendance mark's
    of today instead (``Invalidator``)."""

    def prepare(session: Session):
        child = heaviest_child()
        # The home page shows the active child: choose the heaviest one.
        status, _, html = session.request("GET", "/")
        token = session.csrf_from(html) if b"csrfmiddlewaretoken" in html else ""
        body = urllib.parse.urlencode(
            {"student": child["student"], "next": "/", "csrfmiddlewaretoken": token}
        ).encode()
        session.request(
            "POST", "/konto/dziecko/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        path = path_template.format(student=child["student"])
        status, _, html = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        print(f"  {path}: {len(html) // 1024} kB", flush=True)
        subjects = child["subjects"] if fully else [child["subject"]]
        invalidator = (
            Invalidator(child["student"], child["class"], subjects, attendance=attendance)
            if cold
            else None
        )

        def make(n: int):
            if invalidator is not None:
                invalidator.bump()
            return "GET", path, None, {}

        return make

    return prepare


# --- the teacher's save, next to a trivial audited write ------------------------------------


def _teacher_lessons(session: Session) -> list[tuple[str, list[int], int, int, str]]:
    lesson_ids = [
        int(x)
        for x in django_lookup(
            "from django.db.models import Count, Q;"
            "from dziennik.attendance.models import Lesson;"
            "print(*Lesson.objects.filter(teacher__username='nauczyciel', group__isnull=True)"
            ".annotate(n=Count('school_class__enrolments',"
            " filter=Q(school_class__enrolments__end_date__isnull=True)))"
            ".order_by('-n', '-date', 'pk').values_list('pk', flat=True)[:50])"
        ).split()
    ]
    forms = []
    for lesson_id in lesson_ids:
        path = f"/frekwencja/lekcje/{lesson_id}/"
        status, _, html = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        token = session.csrf_from(html)
        text = html.decode()
        students = sorted({int(s) for s in re.findall(r'name="mark-(\d+)"', text)})
        kinds = sorted({int(k) for k in re.findall(r'name="mark-\d+" value="(\d+)"', text)})
        forms.append((path, students, kinds[0], kinds[1], token))
    return forms


def lesson_save(session: Session):
    """The teacher saves a lesson: the topic and a mark for every student (32 students).

    Each concurrent client saves its own lessons (as separate teachers would); from one
    save of a lesson to the next about 7 of its 32 marks change, so each save really
    writes them and records their history."""
    forms = _teacher_lessons(session)
    size = min(len(f[1]) for f in forms)
    changed = sum(((1 + i) % 9 == 0) != (i % 9 == 0) for i in range(size))
    print(f"  {len(forms)} lessons of {size}+ students each, {changed} marks change per save")

    def make(n: int):
        path, students, present, other, token = forms[(n // 1_000_000) % len(forms)]
        fields = [("csrfmiddlewaretoken", token), ("topic", f"Temat lekcji nr {n % 97}")]
        fields += [
            (f"mark-{sid}", str(other if (n + i) % 9 == 0 else present))
            for i, sid in enumerate(students)
        ]
        body = urllib.parse.urlencode(fields).encode()
        return "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}

    return make


def audited_write(session: Session):
    """The trivial audited write on the same stack: the lesson form posted with its topic
    only (every student left out keeps their mark), so one row changes and one history
    entry is written per request."""
    forms = _teacher_lessons(session)

    def make(n: int):
        path, _students, _present, _other, token = forms[(n // 1_000_000) % len(forms)]
        fields = [("csrfmiddlewaretoken", token), ("topic", f"Temat lekcji nr {n % 97}")]
        body = urllib.parse.urlencode(fields).encode()
        return "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}

    return make


# The parent's mailbox for the inbox scenario: topped up to this many messages.
INBOX_MESSAGES = 500


def parent_inbox(session: Session):
    """The parent opens the inbox holding 500 messages (written in bulk from the class
    teacher of their child, most read, some with an attachment; the page shows 50)."""
    count = django_lookup(
        "import datetime;"
        "from django.utils import timezone;"
        "from dziennik.accounts.models import User;"
        "from dziennik.messaging.models import Attachment, Delivery, Message, Thread;"
        "parent = User.objects.get(username='rodzic');"
        "teacher = User.objects.get(username='wychowawca');"
        "have = Delivery.objects.filter(recipient=parent).count();"
        f"missing = max(0, {INBOX_MESSAGES} - have);"
        "now = timezone.now();"
        "threads = Thread.objects.bulk_create(Thread(school_id=parent.school_id, "
        "subject=f'Sprawa nr {n}', started_by=teacher) for n in range(missing));"
        "messages = Message.objects.bulk_create(Message(school_id=parent.school_id, "
        "thread=t, sender=teacher, body='Dzień dobry, przesyłam informację. ' * 8, "
        "fanned_out_at=now) for t in threads);"
        "Delivery.objects.bulk_create(Delivery(message=m, recipient=parent, "
        "read_at=None if i % 7 == 0 else now) for i, m in enumerate(messages));"
        "Attachment.objects.bulk_create(Attachment(school_id=parent.school_id, message=m, "
        "token=f'bench{m.pk}', file=f'messages/bench/{m.pk}', name='plan.pdf', kind='pdf', "
        "size=1000) for i, m in enumerate(messages) if i % 5 == 0);"
        "print(Delivery.objects.filter(recipient=parent).count())"
    )
    print(f"  the parent's mailbox holds {count} messages")
    status, _, _ = session.request("GET", "/wiadomosci/")
    if status != 200:
        raise RuntimeError(f"/wiadomosci/: HTTP {status}")

    def make(n: int):
        return "GET", "/wiadomosci/", None, {}

    return make


GRADES = "/oceny/uczen/{student}/"
GRADES_FULL = "/oceny/uczen/{student}/szczegoly/"
ATTENDANCE = "/frekwencja/uczen/{student}/"

SCENARIOS = [
    Scenario("trivial", "rodzic", trivial),
    Scenario("parent_home_warm", heaviest_guardian, parent_page("/", cold=False)),
    Scenario("parent_home_cold", heaviest_guardian, parent_page("/", cold=True)),
    Scenario("parent_grades_warm", heaviest_guardian, parent_page(GRADES, cold=False)),
    Scenario("parent_grades_cold", heaviest_guardian, parent_page(GRADES, cold=True)),
    Scenario(
        "parent_grades_fully_cold",
        heaviest_guardian,
        parent_page(GRADES, cold=True, fully=True),
    ),
    Scenario("parent_grades_full_cold", heaviest_guardian, parent_page(GRADES_FULL, cold=True)),
    Scenario("parent_attendance_warm", heaviest_guardian, parent_page(ATTENDANCE, cold=False)),
    Scenario(
        "parent_attendance_cold",
        heaviest_guardian,
        parent_page(ATTENDANCE, cold=True, attendance=True),
    ),
    Scenario("teacher_audited_write", "nauczyciel", audited_write),
    Scenario("teacher_lesson_save", "nauczyciel", lesson_save),
    Scenario("parent_inbox_500", "rodzic", parent_inbox),
]
