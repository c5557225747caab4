"""Reads about accounts, always through the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.text import polish_sort_key
from dziennik.schools.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolRole,
    TeachingAssignment,
)
from dziennik.schools.permissions import classes
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Passkey, TotpDevice, User


def get_managed_class_for(viewer: Viewer, class_id: int) -> SchoolClass:
    """A class whose accounts the viewer manages; 404 for missing and forbidden alike."""
    return classes.get(
        viewer,
        class_id,
        "manage",
        queryset=SchoolClass.objects.select_related("school", "school_year", "class_teacher"),
    )


def resettable_users(viewer: Viewer) -> QuerySet[User]:
    return permissions.users.queryset(viewer, "reset_password")


def get_resettable_user_for(viewer: Viewer, user_id: int) -> User:
    """An account whose password the viewer may reset; 404 for missing and forbidden."""
    return permissions.users.get(
        viewer, user_id, "reset_password", queryset=User.objects.select_related("school")
    )


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


def class_accounts(
    viewer: Viewer, school_class: SchoolClass
) -> tuple[list[AccountRow], list[AccountRow]]:
    """The class's students and their guardians (with access) and their accounts.

    Three queries, whatever the size of the class. The caller already got ``school_class``
    through :func:`get_managed_class_for`.
    """
    if not classes.allows(viewer, "manage", school_class):
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
        resettable = set(
            resettable_users(viewer).filter(pk__in=user_ids).values_list("pk", flat=True)
        )
        for row in [*students, *guardians]:
            row.can_reset = row.user is not None and row.user.pk in resettable
    return students, guardians


# The order roles are listed in on the staff page: the office first.
_ROLE_ORDER = ("principal", "deputy_principal", "secretary", "teacher", "council_member")


@dataclass
class StaffRow(AccountRow):
    """One person on the school's staff account page (*konta pracowników*)."""

    roles: list[str] = field(default_factory=list)  # translated role names
    led_classes: list[str] = field(default_factory=list)  # this school year's classes
    subject_count: int = 0  # distinct subjects taught this school year
    class_count: int = 0  # distinct classes taught this school year
    has_totp: bool = False  # a confirmed authenticator app
    passkey_count: int = 0
    can_reset_second_factor: bool = False  # the principal may remove them (lost)

    @property
    def has_second_factor(self) -> bool:
        return self.has_totp or self.passkey_count > 0

    @property
    def status(self) -> str:
        if self.user is not None and not self.user.is_active:
            return "inactive"
        return super().status


def _teaching_counts(viewer: Viewer, user_ids: list[int], this_year: dict) -> dict[int, dict]:
    """Per teacher: how many subjects and classes they teach this school year."""
    return {
        row["teacher_id"]: row
        for row in TeachingAssignment.objects.filter(
            school_id=viewer.school_id,
            teacher_id__in=user_ids,
            **{f"school_class__{key}": value for key, value in this_year.items()},
        )
        .values("teacher_id")
        .annotate(
            subjects=Count("subject_id", distinct=True),
            classes=Count("school_class_id", distinct=True),
        )
        .order_by()
    }


def get_second_factor_resettable_user_for(viewer: Viewer, user_id: int) -> User:
    """A staff account whose lost second factors the viewer (the principal) may remove;
    404 for missing and forbidden alike."""
    return permissions.users.get(viewer, user_id, "reset_second_factor")


def second_factors_of(user: User) -> list[str]:
    """What the account logs in with besides its password: "authenticator app" and the
    names of its passkeys."""
    factors = []
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        factors.append(str(_("authenticator app")))
    factors += [
        str(_("passkey “%(name)s”") % {"name": name})
        for name in Passkey.objects.filter(user=user).values_list("name", flat=True)
    ]
    return factors


def _second_factors(viewer: Viewer, user_ids: list[int]) -> dict[int, tuple[bool, int, bool]]:
    """Per account: whether it has a confirmed authenticator app, how many passkeys, and
    whether the viewer may remove them (``reset_second_factor``); one query."""
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(
            totp=Exists(
                TotpDevice.objects.filter(user_id=OuterRef("pk"), confirmed_at__isnull=False)
            ),
            keys=Count("passkeys"),
            may_reset=Case(
                When(permissions.users.filter(viewer, "reset_second_factor"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list("pk", "totp", "keys", "may_reset")
        .order_by()
    )
    return {pk: (totp, keys, may_reset) for pk, totp, keys, may_reset in rows}


def staff_accounts(viewer: Viewer) -> list[StaffRow]:
    """The school's staff accounts with their roles, the classes they lead, how much they
    teach this school year, their second factors, and whether the viewer may reset their
    password or remove their (lost) second factors.

    Empty for anyone who does not manage the school's accounts. Six queries, whatever
    the number of staff. Sorted by last name in the order of the Polish alphabet.
    """

    day = timezone.localdate()
    this_year = {"school_year__start_date__lte": day, "school_year__end_date__gte": day}
    led = SchoolClass.objects.filter(school_id=viewer.school_id, **this_year).only(
        "pk", "name", "level", "class_teacher_id"
    )
    users = list(
        permissions.users.queryset(viewer, "view_staff")
        .only(
            "pk",
            "username",
            "first_name",
            "last_name",
            "is_active",
            "last_login",
            "activated_at",
            "must_change_password",
        )
        .prefetch_related(
            Prefetch(
                "school_roles",
                queryset=SchoolRole.objects.filter(school_id=viewer.school_id).only(
                    "user_id", "role"
                ),
                to_attr="roles_here",
            ),
            Prefetch(
                "led_classes", queryset=led.order_by("level", "name"), to_attr="led_this_year"
            ),
        )
    )
    if not users:
        return []
    user_ids = [user.pk for user in users]
    teaching = _teaching_counts(viewer, user_ids, this_year)
    resettable = set(resettable_users(viewer).filter(pk__in=user_ids).values_list("pk", flat=True))
    second_factors = _second_factors(viewer, user_ids)
    rows = []
    for user in users:
        roles = sorted({r.role for r in user.roles_here}, key=_ROLE_ORDER.index)
        taught = teaching.get(user.pk, {})
        has_totp, passkey_count, may_reset = second_factors.get(user.pk, (False, 0, False))
        rows.append(
            StaffRow(
                kind="staff",
                full_name=user.get_full_name() or user.username,
                user=user,
                can_reset=user.pk in resettable,
                roles=[SchoolRole.Role(role).label for role in roles],
                led_classes=[c.name for c in user.led_this_year],
                subject_count=taught.get("subjects", 0),
                class_count=taught.get("classes", 0),
                has_totp=has_totp,
                passkey_count=passkey_count,
                can_reset_second_factor=may_reset and (has_totp or passkey_count > 0),
            )
        )
    rows.sort(
        key=lambda r: (
            polish_sort_key(r.user.last_name),
            polish_sort_key(r.user.first_name),
            r.user.username,
        )
    )
    return rows
