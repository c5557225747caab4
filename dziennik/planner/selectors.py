"""Reads of the calendar, through the viewer (``permissions.events``)."""

from __future__ import annotations

import datetime
from dataclasses import fields

from django.db.models import Q, QuerySet

from dziennik.grades.rules import homework_grading_forbidden
from dziennik.schools.models import ClassGroup, DayOff, SchoolClass, Subject, TeachingAssignment
from dziennik.schools.selectors import class_list, current_school_year
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Event

# How far ahead the home page's "What's new" looks for tests and homework.
UPCOMING_DAYS = 14
# A list or a calendar page shows this many events at most.
PAGE_SIZE = 500
HOME_KINDS = (Event.Kind.TEST, Event.Kind.QUIZ, Event.Kind.HOMEWORK)


def for_child(viewer: Viewer, student_id: int | None) -> Viewer:
    """The viewer narrowed to one of their children (the parent's chosen child, whose
    calendar the family pages show); anyone else unchanged. A narrower viewer sees less,
    never more."""
    if student_id is None or student_id not in viewer.child_ids or len(viewer.child_ids) < 2:
        return viewer
    # ``request.viewer`` is a lazy proxy: the fields are read one by one.
    values = {f.name: getattr(viewer, f.name) for f in fields(Viewer)}
    return Viewer(**{**values, "child_ids": frozenset({student_id}), "extra": {}})


def _events(viewer: Viewer) -> QuerySet[Event]:
    return (
        permissions.events.queryset(viewer)
        .select_related("subject", "school_class", "group")
        .only(
            "pk",
            "school_id",
            "kind",
            "title",
            "description",
            "date",
            "starts_at",
            "ends_at",
            "location",
            "attachment",
            "author_id",
            "school_class_id",
            "group_id",
            "subject_id",
            "subject__name",
            "school_class__name",
            "school_class__level",
            "group__name",
        )
    )


def events_between(viewer: Viewer, date_from: datetime.date, date_to: datetime.date) -> list[Event]:
    """The events the viewer sees from ``date_from`` to ``date_to`` (both included), in
    date order. One query, however many."""
    return list(
        _events(viewer)
        .filter(date__range=(date_from, date_to))
        .order_by("date", "starts_at", "pk")[:PAGE_SIZE]
    )


def days_off_between(
    viewer: Viewer, date_from: datetime.date, date_to: datetime.date
) -> list[DayOff]:
    """The school's days off overlapping the period (``schools.DayOff``). One query."""
    if viewer.school_id is None or viewer.user_id is None:
        return []
    return list(
        DayOff.objects.filter(
            school_id=viewer.school_id, date_from__lte=date_to, date_to__gte=date_from
        )
        .only("pk", "name", "kind", "date_from", "date_to")
        .order_by("date_from", "pk")
    )


def upcoming(viewer: Viewer, *, today: datetime.date, days: int = UPCOMING_DAYS) -> list[Event]:
    """Tests, quizzes and homework of the next ``days`` days (the home page). One query."""
    return list(
        _events(viewer)
        .filter(kind__in=HOME_KINDS, date__range=(today, today + datetime.timedelta(days=days)))
        .order_by("date", "starts_at", "pk")[:20]
    )


def get_event_for(viewer: Viewer, event_id: int, action: str = "view") -> Event:
    """One event the viewer may ``action``, or ``Http404`` (missing and forbidden
    alike)."""
    return permissions.events.get(
        viewer,
        event_id,
        action,
        queryset=Event.objects.select_related(
            "subject", "school_class__school", "group", "author", "assessment"
        ),
    )


def homework_not_graded(event: Event) -> bool:
    """Homework of a class where it may not be graded (G-07); the rule is the grades
    app's (``grades.rules.homework_grading_forbidden``)."""
    if event.kind != Event.Kind.HOMEWORK or event.school_class is None:
        return False
    school = event.school_class.school
    return homework_grading_forbidden(
        is_public=school.is_public,
        is_primary=school.is_primary,
        level=event.school_class.level,
        day=event.date,
    )


def may_make_column(viewer: Viewer, event: Event) -> bool:
    """Offer "make a gradebook column": a planned test or quiz without one yet, to whoever
    may change the event. Homework never."""
    return (
        event.counts_as_test
        and event.assessment_id is None
        and event.subject_id is not None
        and bool(permissions.events.check(viewer, "change", event))
    )


def planning_choices(viewer: Viewer) -> dict:
    """What the viewer may plan for: the classes, the groups and the subjects (the
    principal: every class and subject of the school this year; a teacher: what they
    teach and the classes they lead). Three queries."""
    if viewer.school_id is None:
        return {"classes": [], "groups": [], "subjects": []}
    year = current_school_year(viewer.school_id)
    classes = SchoolClass.objects.filter(school_id=viewer.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    subjects = Subject.objects.filter(school_id=viewer.school_id)
    if not viewer.is_principal:
        taught = TeachingAssignment.objects.filter(
            teacher_id=viewer.user_id, school_id=viewer.school_id
        )
        classes = classes.filter(
            Q(pk__in=sorted(viewer.led_class_ids)) | Q(pk__in=taught.values("school_class_id"))
        )
        subjects = subjects.filter(pk__in=taught.values("subject_id"))
    classes = list(classes.only("pk", "name", "level").order_by("level", "name"))
    groups = list(
        ClassGroup.objects.filter(school_class__in=[c.pk for c in classes])
        .select_related("school_class")
        .only("pk", "name", "school_class__name")
        .order_by("school_class__level", "school_class__name", "name")
    )
    return {
        "classes": classes,
        "groups": groups,
        "subjects": list(subjects.only("pk", "name").order_by("name")),
    }


def filter_classes(viewer: Viewer) -> list[SchoolClass]:
    """The classes a member of staff may narrow the calendar to: this year's classes the
    viewer sees (none for a family: their calendar is their children's already)."""
    if not viewer.is_staff_member:
        return []
    year = current_school_year(viewer.school_id)
    if year is None:
        return []
    return list(class_list(viewer, school_year=year))
