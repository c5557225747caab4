"""What the parent's attendance page lists: the last two weeks' lessons and every
absence or lateness of the period, newest first, with the justification state."""

import datetime
import re

from dziennik.attendance import services
from dziennik.attendance.models import AttendanceMark, AttendanceSettings

from .factories import build_register, save_lesson


def table_rows(html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def mark_of(row: str) -> int:
    return int(re.search(r'data-mark="(\d+)"', row).group(1))


def test_recent_lessons_and_absences(world):
    AttendanceSettings.objects.create(school=world.school, justification_deadline_days=0)
    reg = build_register(world)
    s = world.student
    old_day = reg.day - datetime.timedelta(days=21)
    save_lesson(world, reg, reg.history1, {s: "nb"}, day=old_day, topic="Piastowie")
    save_lesson(world, reg, reg.math2, {}, day=old_day)
    save_lesson(world, reg, reg.history4, {s: "zw"}, day=old_day)
    save_lesson(world, reg, reg.history1, {}, topic="Jagiellonowie")
    save_lesson(world, reg, reg.math2, {s: "nb"}, topic="Ułamki")
    save_lesson(world, reg, reg.math3, {s: "sp"}, topic="")
    services.justification_submit(
        actor=world.user("own_parent"), student=s, reason="x", date_from=old_day, date_to=old_day
    )
    mark = {
        (m.date, m.lesson.slot.number): m
        for m in AttendanceMark.objects.filter(student=s).select_related("lesson__slot")
    }
    client = world.client("own_parent")
    period = f"?od={reg.day - datetime.timedelta(days=30)}&do={reg.day}"
    html = client.get(f"/frekwencja/uczen/{s.pk}/{period}").content.decode()

    recent = table_rows(html, "recent-lessons")
    assert [mark_of(r) for r in recent] == [mark[(reg.day, n)].pk for n in (3, 2, 1)]
    assert [re.search(r'data-kind="(\w+)"', r).group(1) for r in recent] == ["sp", "nb", "ob"]
    assert [re.search(r'class="topic">(.*?)</td>', r).group(1) for r in recent] == [
        "–",
        "Ułamki",
        "Jagiellonowie",
    ]
    assert 'class="kind-late"' in recent[0] and 'class="kind-absent"' in recent[1]
    assert "Matematyka" in recent[0] and "Historia" in recent[2]

    absences = table_rows(html, "absences")
    expected = [(reg.day, 3), (reg.day, 2), (old_day, 4), (old_day, 1)]
    assert [mark_of(r) for r in absences] == [mark[k].pk for k in expected]
    # only the older unexcused absence has a pending justification
    assert ['class="badge"' in r for r in absences] == [False, False, False, True]

    # an earlier period: no recent lessons, the older absences only
    period = f"?od={old_day}&do={old_day}"
    html = client.get(f"/frekwencja/uczen/{s.pk}/{period}").content.decode()
    assert [mark_of(r) for r in table_rows(html, "recent-lessons") if "data-mark" in r] == []
    assert [mark_of(r) for r in table_rows(html, "absences")] == [
        mark[(old_day, 4)].pk,
        mark[(old_day, 1)].pk,
    ]


def test_the_page_reads_the_marks_once_for_what_three_reads_gave(world, django_assert_num_queries):
    """``selectors.student_page`` (one query) gives the rows, the grid and the statistics
    that ``student_page_rows``, ``student_day_grid`` and ``student_statistics`` give,
    whose pages (the PDF, the other screens) still use them."""
    from dziennik.attendance import selectors

    AttendanceSettings.objects.create(school=world.school, justification_deadline_days=30)
    reg = build_register(world)
    s = world.student
    marks = []
    for weeks in range(6):
        day = reg.day - datetime.timedelta(days=7 * weeks)
        for entry, code in (
            (reg.history1, "nb" if weeks % 2 else "sp"),
            (reg.math2, "nb" if weeks == 3 else "ob"),
            (reg.math3, "nb"),
        ):
            save_lesson(world, reg, entry, {s: code}, day=day)
            marks.append(code)
    old_day = reg.day - datetime.timedelta(days=7)
    services.justification_submit(
        actor=world.user("own_parent"), student=s, reason="x", date_from=old_day, date_to=old_day
    )
    year, terms = selectors.year_and_terms(world.school.pk, reg.day)
    since = reg.day - datetime.timedelta(days=14)
    date_from, date_to = year.start_date, reg.day
    selectors.justification_deadline(world.school.pk)  # kept: not part of the pin
    with django_assert_num_queries(2):  # the marks, and the deadline (emptied cache)
        page = selectors.student_page(s, date_from, date_to, terms, since)
    recent, absences = selectors.student_page_rows(s, date_from, date_to, since)
    assert len(recent) == 9 and len(absences) == len([m for m in marks if m != "ob"])
    assert {r["pending"] for r in absences} == {True, False}
    assert any("justify_by" in r for r in absences)
    drop = ("kind_id", "colour", "subject_id")

    def strip(rows):
        return [{k: v for k, v in r.items() if k not in drop} for r in rows]

    assert strip(page["recent"]) == recent and strip(page["absences"]) == absences
    assert page["grid"] == selectors.student_day_grid(s, date_from, date_to)
    stats = selectors.student_statistics(s, date_from, date_to, terms)
    assert page["stats"]["overall"] == stats["overall"]
    assert page["stats"]["subjects"] == stats["subjects"]
    assert page["stats"]["terms"] == stats["terms"]
    assert [(m, t) for m, t in page["stats"]["months"]] == [
        (m if isinstance(m, datetime.date) else m.date(), t) for m, t in stats["months"]
    ]
