"""Records of the test world with chosen dates, for the retention tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.attendance.models import AttendanceKind, AttendanceMark, Lesson
from dziennik.messaging.models import Delivery, Message, Thread
from dziennik.schools import models as sm


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


class Records:
    def __init__(self, world):
        self.world = world
        school = world.school
        self.slot = sm.LessonSlot.objects.create(
            school=school,
            number=1,
            starts_at=datetime.time(8, 0),
            ends_at=datetime.time(8, 45),
        )
        self.kind = AttendanceKind.objects.create(
            school=school,
            code="ob",
            name="obecność",
            base=AttendanceKind.Base.values[0],
            counts_as=AttendanceKind.Counts.values[0],
        )

    def lesson(self, day: datetime.date, school=None, school_class=None) -> Lesson:
        lesson = Lesson.objects.create(
            school=school or self.world.school,
            school_class=school_class or self.world.school_class,
            subject=self.world.subject,
            teacher=self.world.user("teacher_in"),
            date=day,
            slot=self.slot,
            topic="Ułamki zwykłe",
        )
        for student in (self.world.student, self.world.classmate):
            AttendanceMark.objects.create(lesson=lesson, student=student, kind=self.kind, date=day)
        return lesson

    def message(self, day: datetime.date) -> Message:
        sender = self.world.user("class_teacher")
        thread = Thread.objects.create(
            school=self.world.school, subject="Wycieczka", started_by=sender
        )
        message = Message.objects.create(
            school=self.world.school, thread=thread, sender=sender, body="Zgoda na wyjazd"
        )
        Delivery.objects.create(message=message, recipient=self.world.user("own_parent"))
        Message.objects.filter(pk=message.pk).update(sent_at=_at(day))
        return message
