"""The demo school looks like a real one to a new user (issue 10): parents send the
excuses, lessons have curriculum topics, descriptive comments fit their subject,
"recent grades" follow the grades' dates, and the class teacher's hour has no tests."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.attendance import demo_topics
from dziennik.attendance.models import Justification, Lesson
from dziennik.grades import demo as grades_demo
from dziennik.grades.models import Assessment, Grade
from dziennik.grades.selectors import recent_grades
from dziennik.schools import demo_data
from dziennik.schools.models import Guardianship, SchoolClass, Student
from dziennik.schools.viewer import get_viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    call_command("demo", stdout=io.StringIO())


def test_excuses_are_sent_by_the_students_parents(school):
    justifications = Justification.objects.all()
    assert justifications.count() > 50
    parents = set(
        Guardianship.objects.filter(guardian__user__isnull=False).values_list(
            "student_id", "guardian__user_id"
        )
    )
    sent = set(justifications.values_list("student_id", "submitted_by_id"))
    assert sent <= parents
    # never by the class teacher
    class_teachers = SchoolClass.objects.values("class_teacher_id")
    assert not justifications.filter(submitted_by__in=class_teachers).exists()
    assert set(justifications.values_list("status", flat=True)) == {
        "pending",
        "accepted",
        "rejected",
    }


def test_lessons_have_curriculum_topics_for_their_class(school):
    topics = Lesson.objects.exclude(topic="").values_list("topic", flat=True)
    assert not [t for t in topics if re.match(r"Lekcja \d+", t)]
    known = {
        *(t for bands in demo_topics.TOPICS.values() for ts in bands.values() for t in ts),
        *(t for ts in demo_topics.FLAT_TOPICS.values() for t in ts),
    }
    unknown = {t for t in set(topics) if t not in known and t.rsplit(" – ", 1)[0] not in known}
    assert not unknown
    # history in class 5 is antiquity, in class 7 the nineteenth century
    fifth = set(
        Lesson.objects.filter(school_class__level=5, subject__name=demo_data.HISTORY).values_list(
            "topic", flat=True
        )
    )
    titles = {t.rsplit(" – ", 1)[0] for t in fifth} | fifth
    assert "Starożytny Egipt" in titles
    assert not titles & set(demo_topics.TOPICS[demo_data.HISTORY][7])


def test_descriptive_grades_fit_their_subject(school):
    by_subject = Grade.objects.exclude(text="").values_list("assessment__subject__name", "text")
    assert by_subject.exists()
    for subject, text in by_subject:
        allowed = grades_demo.DESCRIPTIVE_TEXTS.get(subject, grades_demo.GENERIC_DESCRIPTIVE)
        assert text in allowed, (subject, text)


def test_the_class_teachers_hour_has_no_tests(school):
    assert Lesson.objects.filter(subject__name=demo_data.CLASS_HOUR).exists()
    assert not Assessment.objects.filter(subject__name=demo_data.CLASS_HOUR).exists()


def test_recent_grades_follow_their_dates(school):
    # a grade is entered on its column's day (a correction a week later), so the
    # newest grades are the latest ones, not an arbitrary slice of one bulk insert
    for grade in Grade.objects.select_related("assessment")[:500]:
        lag = 7 if grade.corrects_id else 0
        entered = timezone.localtime(grade.created_at).date()
        assert entered == min(grade.assessment.date + datetime.timedelta(lag), entered)
        assert (entered - grade.assessment.date).days in (0, lag)
    student = Student.objects.get(user__username="uczen")
    viewer = get_viewer(User.objects.get(username="uczen"))
    recent = recent_grades(viewer, student.pk, limit=8)
    assert len(recent) == 8
    originals = [g.assessment.date for g in recent if not g.corrects_id]
    assert originals == sorted(originals, reverse=True)
    newest = Grade.objects.filter(student=student).order_by("-assessment__date").first()
    assert recent[0].assessment.date >= newest.assessment.date
