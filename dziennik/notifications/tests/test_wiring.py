"""Each existing event reaches the family through its producing service's one call."""

from __future__ import annotations

from django.utils import timezone

from dziennik.attendance import services as attendance
from dziennik.attendance.tests.factories import build_register, save_lesson
from dziennik.behaviour import services as behaviour
from dziennik.grades import services as grades
from dziennik.notices import permissions as notice_permissions
from dziennik.notices import selectors as notice_selectors
from dziennik.notices.tests.factories import publish
from dziennik.notifications import events
from dziennik.notifications.models import Notification
from dziennik.schools.viewer import get_viewer
from testsupport.world import ROLES

from .helpers import column

FAMILY = {"student", "own_parent"}


def told(world, event: str) -> set[str]:
    usernames = {world.user(role).username: role for role in ROLES if world.user(role)}
    return {
        usernames[name]
        for name in Notification.objects.filter(event=event).values_list(
            "recipient__username", flat=True
        )
    }


def test_a_behaviour_note(world):
    behaviour.behaviour_categories_ensure_defaults(school=world.school)
    behaviour.note_create(
        actor=world.user("teacher_in"),
        student=world.student,
        category=world.school.behaviour_categories.get(name="przeszkadzanie na lekcji"),
        text="Rozmawiała na sprawdzianie",
        date=timezone.localdate(),
    )
    assert told(world, events.BEHAVIOUR_NOTE) == FAMILY
    # the note's text is in no notification
    assert "Rozmawiała" not in str(list(Notification.objects.values_list("params", flat=True)))


def test_term_grades_and_published_proposals(world):
    column(world)  # the school's grading rules
    teacher = world.user("teacher_in")
    for is_proposal in (True, False):
        grades.classification_grade_set(
            actor=teacher,
            student=world.student,
            school_class=world.school_class,
            subject=world.subject,
            term=world.term1,
            kind="term",
            is_proposal=is_proposal,
            grade=4,
        )
    assert told(world, events.GRADE_TERM) == FAMILY
    assert told(world, events.GRADE_PROPOSED) == set()  # not shown to the family yet
    grades.proposals_publish(
        actor=teacher, school_class=world.school_class, subject=world.subject, term=world.term1
    )
    assert told(world, events.GRADE_PROPOSED) == FAMILY


def test_an_unexcused_absence_today(world):
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    assert told(world, events.ABSENCE_UNEXCUSED) == FAMILY
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, topic="Inny temat")
    assert Notification.objects.filter(event=events.ABSENCE_UNEXCUSED).count() == 2  # once


def test_an_announcement_reaches_exactly_its_readers(world):
    announcement = publish(world.user("principal"), "Wycieczka", classes=[world.school_class])
    readers = set(notice_selectors.readers(announcement))
    for role in ROLES:
        user = world.user(role)
        if user is None or user.pk == announcement.author_id:
            continue
        meant = notice_permissions.announcements.allows(get_viewer(user), "view", announcement)
        # the school office sees every announcement, but is told only of those meant for it
        if get_viewer(user).is_school_wide:
            continue
        assert (user.pk in readers) == meant, role
    assert told(world, events.ANNOUNCEMENT) == {
        role for role in ROLES if world.user(role) and world.user(role).pk in readers
    }
    assert {"student", "own_parent", "other_parent", "teacher_in", "class_teacher"} <= told(
        world, events.ANNOUNCEMENT
    )


def test_a_decided_justification(world):
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    justification = attendance.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba",
        date_from=reg.day,
        date_to=reg.day,
    )
    assert told(world, events.JUSTIFICATION_DECIDED) == set()
    attendance.justification_decide(
        actor=world.user("class_teacher"), justification=justification, accept=True
    )
    assert told(world, events.JUSTIFICATION_DECIDED) == FAMILY
    notification = Notification.objects.filter(event=events.JUSTIFICATION_DECIDED).first()
    assert notification.params["decision"] == "accepted"
