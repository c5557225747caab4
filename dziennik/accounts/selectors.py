"""Reads about accounts, always through the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from dziennik.core.viewer import Viewer, get_object_for, get_viewer

from .models import User
from .permissions import managed_class_filter, resettable_user_filter


def get_managed_class_for(viewer: Viewer, class_id: int):
    """A class whose accounts the viewer manages; 404 for missing and forbidden alike."""
    from dziennik.schools.models import SchoolClass

    queryset = SchoolClass.objects.filter(managed_class_filter(viewer)).select_related(
        "school", "school_year", "class_teacher"
    )
    return get_object_for(viewer, queryset, pk=class_id)


def resettable_users(viewer: Viewer) -> QuerySet[User]:
    return User.objects.filter(resettable_user_filter(viewer))


def get_resettable_user_for(viewer: Viewer, user_id: int) -> User:
    """An account whose password the viewer may reset; 404 for missing and forbidden."""
    return get_object_for(viewer, resettable_users(viewer).select_related("school"), pk=user_id)


@dataclass
class AccountRow:
    """One person on the class's account page: a student or a guardian."""

    kind: str  # "student" or "guardian"
    full_name: str
    user: User | None
    journal_number: int | None = None
    children: list[str] = field(default_factory=list)
    can_reset: bool = False

    @property
    def status(self) -> str:
        if self.user is None:
            return "none"
        if self.user.activated_at is None:
            return "issued"
        if self.user.must_change_password:
            return "reset"
        return "active"


def class_accounts(viewer: Viewer, school_class) -> tuple[list[AccountRow], list[AccountRow]]:
    """The class's students and their guardians (with access) and their accounts.

    Three queries, whatever the size of the class. The caller already got ``school_class``
    through :func:`get_managed_class_for`.
    """
    from dziennik.schools.models import Enrolment, Guardianship

    v = get_viewer(viewer)
    if school_class.school_id != v.school_id:
        return [], []
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student__user")
        .order_by("journal_number")
    )
    students = [
        AccountRow(
            kind="student",
            full_name=e.student.full_name,
            user=e.student.user,
            journal_number=e.journal_number,
        )
        for e in enrolments
    ]
    order = {e.student_id: e.journal_number for e in enrolments}
    guardianships = (
        Guardianship.objects.filter(
            student__enrolments__school_class=school_class,
            student__enrolments__end_date__isnull=True,
            access=Guardianship.Access.FULL,
            student__restricts_parent_view=False,
        )
        .select_related("guardian__user", "student")
        .order_by("pk")
    )
    by_guardian: dict[int, AccountRow] = {}
    for link in guardianships:
        row = by_guardian.get(link.guardian_id)
        if row is None:
            row = by_guardian[link.guardian_id] = AccountRow(
                kind="guardian",
                full_name=link.guardian.full_name,
                user=link.guardian.user,
                journal_number=order[link.student_id],
            )
        row.children.append(link.student.full_name)
        row.journal_number = min(row.journal_number, order[link.student_id])
    # Guardians in the order of their first child in the journal.
    guardians = sorted(by_guardian.values(), key=lambda r: (r.journal_number, r.full_name))
    user_ids = [row.user.pk for row in [*students, *guardians] if row.user is not None]
    if user_ids:
        resettable = set(resettable_users(v).filter(pk__in=user_ids).values_list("pk", flat=True))
        for row in [*students, *guardians]:
            row.can_reset = row.user is not None and row.user.pk in resettable
    return students, guardians
