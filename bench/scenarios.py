"""What the benchmark measures. Each scenario logs in as a demo user and returns a
function that builds the n-th request: (method, path, body, extra headers)."""

from __future__ import annotations

import re
import urllib.parse

from harness import Scenario, Session, django_lookup


def trivial(session: Session):
    def make(n: int):
        return "GET", "/healthz", None, {}

    return make


def home(session: Session):
    def make(n: int):
        return "GET", "/", None, {}

    return make


def _first_child_id() -> int:
    return int(
        django_lookup(
            "from dziennik.schools.models import Student;"
            "print(Student.objects.filter(guardianships__guardian__user__username='rodzic')"
            ".order_by('pk').values_list('pk', flat=True).first())"
        )
    )


def parent_page(path_template: str):
    def prepare(session: Session):
        path = path_template.format(student=_first_child_id())
        status, _, _ = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")

        def make(n: int):
            return "GET", path, None, {}

        return make

    return prepare


def lesson_save(session: Session):
    """The teacher saves a lesson: the topic and a mark for every student (32 students).

    Each concurrent client saves its own lesson (as separate teachers would), and each
    save changes a few marks, so it really writes and records the history.
    """
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
    token = ""
    for lesson_id in lesson_ids:
        path = f"/frekwencja/lekcje/{lesson_id}/"
        status, _, html = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        token = session.csrf_from(html)
        text = html.decode()
        students = sorted({int(s) for s in re.findall(r'name="mark-(\d+)"', text)})
        kinds = sorted({int(k) for k in re.findall(r'name="mark-\d+" value="(\d+)"', text)})
        forms.append((path, students, kinds[0], kinds[1]))
    print(f"  {len(forms)} lessons of {min(len(f[1]) for f in forms)}+ students each")

    def make(n: int):
        path, students, present, other = forms[(n // 1_000_000) % len(forms)]
        fields = [("csrfmiddlewaretoken", token), ("topic", f"Temat lekcji nr {n % 97}")]
        fields += [
            (f"mark-{sid}", str(other if (n + i) % 9 == 0 else present))
            for i, sid in enumerate(students)
        ]
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


SCENARIOS = [
    Scenario("trivial", "rodzic", trivial),
    Scenario("parent_home", "rodzic", home),
    Scenario("parent_grades", "rodzic", parent_page("/oceny/uczen/{student}/")),
    Scenario("parent_attendance", "rodzic", parent_page("/frekwencja/uczen/{student}/")),
    Scenario("teacher_lesson_save", "nauczyciel", lesson_save),
    Scenario("parent_inbox_500", "rodzic", parent_inbox),
]
