"""Reads of the announcement board, through the viewer (``permissions.announcements``)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from dziennik.schools.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolRole,
    Student,
    TeachingAssignment,
)
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Announcement, AnnouncementRead

Audience = Announcement.Audience
# Every member of staff: who reads an announcement to the whole school's staff.
STAFF_ROLES = ("teacher", "principal", "deputy_principal", "secretary")

# The board shows this many announcements at most (the newest first).
BOARD_SIZE = 100


def _current() -> Q:
    today = timezone.localdate()
    return Q(withdrawn_at__isnull=True, shown_from__lte=today, shown_until__gte=today)


def _with_marks(queryset, viewer: Viewer):
    """Each row with ``is_read`` (by the viewer) and ``reader_count`` (people other than
    the author who have read it), in the same query."""
    readers = (
        AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"))
        .exclude(user_id=OuterRef("author_id"))
        .order_by()
        .values("announcement_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        is_read=Exists(
            AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), user_id=viewer.user_id)
        ),
        reader_count=Subquery(readers, output_field=IntegerField()),
    )


def board(viewer: Viewer) -> list[Announcement]:
    """The viewer's board: what is meant for them now, and – for its author and the
    school office – every announcement they manage, also past, future or withdrawn.
    Each row carries ``is_read``, ``reader_count``, ``may_change``, ``status`` and
    ``is_new`` (unread, current and not the viewer's own). Three queries, however many."""
    queryset = (
        permissions.announcements.queryset(viewer)
        .select_related("author")
        .only(
            "pk",
            "school_id",
            "title",
            "body",
            "audience",
            "for_whole_school",
            "shown_from",
            "shown_until",
            "published_at",
            "withdrawn_at",
            "author_id",
            "author__first_name",
            "author__last_name",
        )
        .prefetch_related(
            Prefetch("classes", queryset=SchoolClass.objects.only("pk", "name").order_by("name"))
        )
        .order_by("-shown_from", "-pk")
    )
    rows = list(_with_marks(queryset, viewer)[:BOARD_SIZE])
    today = timezone.localdate()
    for a in rows:
        a.may_change = bool(permissions.announcements.check(viewer, "change", a))
        if a.withdrawn_at is not None:
            a.status = "withdrawn"
        elif a.shown_from > today:
            a.status = "scheduled"
        elif a.shown_until < today:
            a.status = "expired"
        else:
            a.status = "current"
        a.is_new = a.status == "current" and not a.is_read and a.author_id != viewer.user_id
    return rows


def unread(viewer: Viewer, *, limit: int = 5) -> tuple[list[Announcement], int]:
    """The current announcements meant for the viewer that they have not read yet (the
    newest ``limit``), and how many there are: the home page's "What's new". Two
    queries."""
    queryset = (
        permissions.announcements.queryset(viewer)
        .filter(_current())
        .exclude(author_id=viewer.user_id)
        .exclude(reads__user_id=viewer.user_id)
    )
    newest = list(queryset.only("pk", "title", "shown_from").order_by("-shown_from", "-pk")[:limit])
    total = len(newest) if len(newest) < limit else queryset.count()
    return newest, total


def get_announcement_for(viewer: Viewer, announcement_id: int, action: str = "view"):
    """One announcement the viewer may ``action``, or ``Http404`` (missing and forbidden
    alike)."""
    return permissions.announcements.get(
        viewer,
        announcement_id,
        action,
        queryset=Announcement.objects.prefetch_related("classes"),
    )


def publishable_classes(viewer: Viewer):
    """The classes of the viewer's school an announcement may go to (this year's)."""
    classes = SchoolClass.objects.filter(school_id=viewer.school_id)
    year = current_school_year(viewer.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    return classes.only("pk", "name").order_by("level", "name")


def readers(announcement: Announcement) -> list[int]:
    """The accounts an announcement is meant for (``permissions._meant_for`` from the
    other side), but its author: the parents (full access, of a student who does not
    restrict them) and the students of its classes or of the school, and the staff who
    teach or lead those classes (every member of staff, for the whole school). Four
    queries whatever the school's size."""
    school_id = announcement.school_id
    audience = announcement.audience
    enrolled = Enrolment.objects.filter(end_date__isnull=True, school_class__school_id=school_id)
    class_ids = None
    if not announcement.for_whole_school:
        class_ids = list(announcement.classes.values_list("pk", flat=True))
        enrolled = enrolled.filter(school_class_id__in=class_ids)
    families = enrolled.values("student_id")
    ids: set[int] = set()
    if audience in (Audience.EVERYONE, Audience.PARENTS):
        ids |= set(
            Guardianship.objects.filter(
                student_id__in=families,
                access=Guardianship.Access.FULL,
                student__restricts_parent_view=False,
                guardian__user__isnull=False,
            ).values_list("guardian__user_id", flat=True)
        )
    if audience in (Audience.EVERYONE, Audience.STUDENTS):
        ids |= set(
            Student.objects.filter(pk__in=families, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    if audience in (Audience.EVERYONE, Audience.STAFF):
        ids |= _staff(school_id, class_ids)
    ids.discard(announcement.author_id)
    return sorted(ids)


def _staff(school_id: int, class_ids: list[int] | None) -> set[int]:
    taught = TeachingAssignment.objects.filter(school_id=school_id)
    led = SchoolClass.objects.filter(school_id=school_id, class_teacher__isnull=False)
    staff: set[int] = set()
    if class_ids is None:
        staff |= set(
            SchoolRole.objects.filter(school_id=school_id, role__in=STAFF_ROLES).values_list(
                "user_id", flat=True
            )
        )
    else:
        taught = taught.filter(school_class_id__in=class_ids)
        led = led.filter(pk__in=class_ids)
    staff |= set(taught.values_list("teacher_id", flat=True))
    staff |= set(led.values_list("class_teacher_id", flat=True))
    return staff
