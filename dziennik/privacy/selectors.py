"""Reads of data-subject rights: who read or changed a student's data, the requests,
the people a principal may export, and the export itself (``collector``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core.models import AuditEntry
from dziennik.schools.models import SchoolRole, Student
from dziennik.schools.viewer import Viewer

from . import collector, permissions
from .models import RectificationRequest, StudentRead

PAGE_SIZE = 25
PEOPLE_LIMIT = 30


def own_students(viewer: Viewer) -> list[Student]:
    """The students whose data the viewer holds as family (themself, their children)."""
    ids = permissions.own_student_ids(viewer)
    if not ids:
        return []
    return list(Student.objects.filter(pk__in=ids).order_by("first_name", "pk"))


def family_student(viewer: Viewer, student_id: int) -> Student:
    """A student of the viewer's family, or ``Http404`` (missing and forbidden alike)."""
    if not permissions.may_see_reads(viewer, student_id):
        raise Http404
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        raise Http404
    return student


def role_labels(roles: str) -> str:
    labels = dict(SchoolRole.Role.choices)
    labels["class_teacher"] = _("class teacher")
    return ", ".join(str(labels.get(code, code)) for code in roles.split(",") if code)


def reads_page(viewer: Viewer, student: Student, number) -> Page:
    """Who of the staff read the student's data, newest first: name, role, day, what.
    Two queries (the count and the page), whatever the page's size."""
    if not permissions.may_see_reads(viewer, student.pk):
        raise Http404
    reads = (
        StudentRead.objects.filter(student_id=student.pk)
        .select_related("reader")
        .only("kind", "day", "at", "roles", "reader__first_name", "reader__last_name")
        .order_by("-at", "-pk")
    )
    page = Paginator(reads, PAGE_SIZE).get_page(number)
    for read in page.object_list:
        read.role_text = role_labels(read.roles)
    return page


def changes_page(viewer: Viewer, student: Student, number) -> Page:
    """The history of changes of the student's data: who changed what, when. The names of
    the records' kinds come from Django's content-type cache; the people in one query."""
    if not permissions.may_see_reads(viewer, student.pk):
        raise Http404
    entries = (
        AuditEntry.objects.filter(student_id=student.pk)
        .select_related("actor")
        .only(
            "at",
            "action",
            "content_type_id",
            "object_repr",
            "changes",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
        )
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(number)
    staff = _staff_ids(viewer.school_id, [e.actor_id for e in page.object_list])
    for entry in page.object_list:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        entry.kind_text = model._meta.verbose_name if model else ""
        entry.fields_text = _changed_fields(model, entry.changes)
        entry.by_staff = entry.actor_id in staff
    return page


def _staff_ids(school_id, user_ids) -> set[int]:
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return set()
    return set(
        SchoolRole.objects.filter(school_id=school_id, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )


def _changed_fields(model, changes: dict) -> str:
    names = []
    for name in changes or {}:
        try:
            names.append(str(model._meta.get_field(name).verbose_name))
        except (AttributeError, FieldDoesNotExist):
            # a field since removed (or a model) keeps its stored name
            names.append(name)
    return ", ".join(names)


def own_requests(viewer: Viewer) -> list[RectificationRequest]:
    return list(
        RectificationRequest.objects.filter(requester_id=viewer.user_id)
        .select_related("student")
        .order_by("-created_at", "-pk")
    )


def office_requests(viewer: Viewer, status: str, number) -> Page:
    """The school's requests (open ones first), for the office; two queries a page."""
    if not permissions.handles_requests(viewer):
        raise Http404
    rows = permissions.requests.queryset(viewer, "answer").select_related(
        "requester", "student", "handled_by"
    )
    if status:
        rows = rows.filter(status=status)
    return Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(number)


def request_for(viewer: Viewer, request_id: int) -> RectificationRequest:
    return permissions.requests.get(
        viewer,
        request_id,
        queryset=RectificationRequest.objects.select_related("requester", "student", "handled_by"),
    )


def people(viewer: Viewer, query: str) -> tuple[list[Student], list[User]]:
    """The principal's search for whose data to export: students and accounts of the
    school whose name matches (at most ``PEOPLE_LIMIT`` each)."""
    if not permissions.may_export_anyone(viewer):
        raise Http404
    query = query.strip()
    if len(query) < 2:
        return [], []
    words = query.split()
    student_q, user_q = Q(), Q()
    for word in words:
        student_q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        user_q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    students = Student.objects.filter(student_q, school_id=viewer.school_id).order_by(
        "last_name", "first_name", "pk"
    )[:PEOPLE_LIMIT]
    users = User.objects.filter(user_q, school_id=viewer.school_id).order_by(
        "last_name", "first_name", "pk"
    )[:PEOPLE_LIMIT]
    return list(students), list(users)


def export_user(viewer: Viewer, user_id: int) -> tuple[User, collector.Subject]:
    """An account whose data the viewer may export, and its subject (the account with its
    student and guardian profiles), or ``Http404``."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not permissions.may_export_user(viewer, user):
        raise Http404
    student = Student.objects.filter(user_id=user.pk).first()
    from_guardian = user.guardian_profile if hasattr(user, "guardian_profile") else None
    return user, collector.Subject(user=user, student=student, guardian=from_guardian)


def export_student(viewer: Viewer, student_id: int) -> tuple[Student, collector.Subject]:
    """A student whose data the viewer may export, or ``Http404``. A parent's export of a
    child is the child's register data; the child's own account (logins, messages) is in
    the child's own export (or the principal's, which includes it)."""
    student = Student.objects.filter(pk=student_id).first()
    if student is None or not permissions.may_export_student(viewer, student):
        raise Http404
    account = None
    if (
        viewer.is_principal
        and student.user_id is not None
        and student.pk not in (permissions.own_student_ids(viewer))
    ):
        account = User.objects.filter(pk=student.user_id).first()
    if viewer.student_id == student.pk:
        account = User.objects.filter(pk=viewer.user_id).first()
    return student, collector.Subject(user=account, student=student)
