"""The viewer: what a logged-in user may see, computed once per request.

Every selector filters through a ``Viewer``. It answers, for one user: which school,
which roles, which children (as a guardian), which student they are, which classes and
groups they teach, and which classes they lead as class teacher. All visibility rules of
the register derive from these sets, so they live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import Prefetch, Q
from django.http import Http404

from dziennik.core.cache import cached as cached_value
from dziennik.core.cache import config_scope
from dziennik.core.policy import NOTHING

from .models import (
    ClassGroup,
    Enrolment,
    Guardian,
    Guardianship,
    SchoolClass,
    SchoolRole,
    Student,
    TeachingAssignment,
)

SCHOOL_WIDE_ROLES = frozenset({"principal", "deputy_principal", "secretary"})
PRINCIPAL_ROLES = frozenset({"principal", "deputy_principal"})


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    school_id: int | None
    roles: frozenset[str] = frozenset()
    student_id: int | None = None
    guardian_id: int | None = None
    child_ids: frozenset[int] = frozenset()
    taught_class_ids: frozenset[int] = frozenset()
    taught_group_ids: frozenset[int] = frozenset()
    group_class_ids: frozenset[int] = frozenset()
    led_class_ids: frozenset[int] = frozenset()
    is_superuser: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    # --- who is this -------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_school_wide(self) -> bool:
        """Principal, deputy principal and secretary see their whole school."""
        return bool(self.roles & SCHOOL_WIDE_ROLES)

    @property
    def is_principal(self) -> bool:
        return bool(self.roles & PRINCIPAL_ROLES)

    @property
    def is_secretary(self) -> bool:
        return "secretary" in self.roles

    @property
    def is_teacher(self) -> bool:
        return "teacher" in self.roles or bool(self.led_class_ids)

    @property
    def is_class_teacher(self) -> bool:
        return bool(self.led_class_ids)

    @property
    def is_parent(self) -> bool:
        return self.guardian_id is not None

    @property
    def is_student(self) -> bool:
        return self.student_id is not None

    @property
    def is_council_member(self) -> bool:
        return "council_member" in self.roles

    @property
    def is_staff_member(self) -> bool:
        return self.is_teacher or self.is_school_wide

    @property
    def as_staff(self) -> Viewer:
        """The same viewer without their family (children, own student record): what
        they may see as a member of staff. A rule that gives staff more than a family
        (every guardian link of a student) asks this viewer, so that a teacher who is
        also a parent gets nothing more about their own child than any parent, unless
        their staff roles reach the child."""
        return replace(self, student_id=None, guardian_id=None, child_ids=frozenset(), extra={})

    @property
    def teaching_class_ids(self) -> frozenset[int]:
        """Classes where the viewer teaches the whole class, a group of it, or leads it."""
        return self.taught_class_ids | self.group_class_ids | self.led_class_ids

    # --- filters for querysets ---------------------------------------------------
    def student_filter(self, prefix: str = "") -> Q:
        """A Q on a Student queryset (or on a relation to Student via ``prefix``)."""

        if not self.is_authenticated or self.school_id is None:
            return NOTHING
        p = prefix
        school = Q(**{f"{p}school_id": self.school_id})
        if self.is_school_wide:
            return school
        q = Q(**{f"{p}pk__in": list(self.child_ids)})
        if self.student_id:
            q |= Q(**{f"{p}pk": self.student_id})
        class_ids = self.taught_class_ids | self.led_class_ids
        if class_ids:
            q |= Q(
                **{
                    f"{p}pk__in": Enrolment.objects.filter(
                        school_class_id__in=class_ids, end_date__isnull=True
                    ).values("student_id")
                }
            )
        if self.taught_group_ids:
            q |= Q(
                **{
                    f"{p}pk__in": ClassGroup.students.through.objects.filter(
                        classgroup_id__in=self.taught_group_ids
                    ).values("student_id")
                }
            )
        return school & q

    def class_filter(self, prefix: str = "") -> Q:
        """A Q on a SchoolClass queryset: the classes the viewer may open."""

        if not self.is_authenticated or self.school_id is None:
            return NOTHING
        p = prefix
        school = Q(**{f"{p}school_id": self.school_id})
        if self.is_school_wide:
            return school
        q = Q(**{f"{p}pk__in": list(self.teaching_class_ids)})
        own = set(self.child_ids)
        if self.student_id:
            own.add(self.student_id)
        if own:
            q |= Q(
                **{
                    f"{p}pk__in": Enrolment.objects.filter(
                        student_id__in=own, end_date__isnull=True
                    ).values("school_class_id")
                }
            )
        return school & q

    def school_filter(self, prefix: str = "") -> Q:
        if not self.is_authenticated or self.school_id is None:
            return NOTHING
        return Q(**{f"{prefix}school_id": self.school_id})

    # --- single-object checks (whether one may see a student: ``permissions.students``) --
    def leads_class(self, school_class_id: int) -> bool:
        return school_class_id in self.led_class_ids

    def teaches_class(self, school_class_id: int) -> bool:
        return school_class_id in self.teaching_class_ids


ANONYMOUS = Viewer(user_id=None, school_id=None)


def build_viewer(user) -> Viewer:
    """Compute the viewer of ``user`` (a handful of small queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    school_id = user.school_id
    roles = frozenset(
        SchoolRole.objects.filter(user_id=user.pk, school_id=school_id).values_list(
            "role", flat=True
        )
    )
    student_id = (
        Student.objects.filter(user_id=user.pk, school_id=school_id)
        .values_list("pk", flat=True)
        .first()
    )
    guardian_id = (
        Guardian.objects.filter(user_id=user.pk, school_id=school_id)
        .values_list("pk", flat=True)
        .first()
    )
    child_ids: frozenset[int] = frozenset()
    if guardian_id is not None:
        child_ids = frozenset(
            Guardianship.objects.filter(
                guardian_id=guardian_id,
                access=Guardianship.Access.FULL,
                student__school_id=school_id,
                student__restricts_parent_view=False,
            ).values_list("student_id", flat=True)
        )
    taught_class_ids: set[int] = set()
    taught_group_ids: set[int] = set()
    group_class_ids: set[int] = set()
    led_class_ids: frozenset[int] = frozenset()
    if roles & {"teacher", "principal", "deputy_principal"} or not (student_id or guardian_id):
        for class_id, group_id in TeachingAssignment.objects.filter(
            teacher_id=user.pk, school_id=school_id
        ).values_list("school_class_id", "group_id"):
            if group_id is None:
                taught_class_ids.add(class_id)
            else:
                taught_group_ids.add(group_id)
                group_class_ids.add(class_id)
        led_class_ids = frozenset(
            SchoolClass.objects.filter(class_teacher_id=user.pk, school_id=school_id).values_list(
                "pk", flat=True
            )
        )
    return Viewer(
        user_id=user.pk,
        school_id=school_id,
        roles=roles,
        student_id=student_id,
        guardian_id=guardian_id,
        child_ids=child_ids,
        taught_class_ids=frozenset(taught_class_ids),
        taught_group_ids=frozenset(taught_group_ids),
        group_class_ids=frozenset(group_class_ids),
        led_class_ids=led_class_ids,
        is_superuser=user.is_superuser,
    )


def get_viewer(user) -> Viewer:
    """The viewer of ``user``: cached on the user object for the rest of the request, and
    across requests until the school's configuration changes (``core.cache.config_scope``)."""
    if isinstance(user, Viewer):
        # The seam: views pass ``request.viewer`` on, services derive it once from their
        # actor. A viewer handed back here means a layer skipped that rule.
        raise TypeError("get_viewer() takes a User; pass the Viewer itself on")
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_dziennik_viewer", None)
    if cached is None:
        if not user.is_active:
            return ANONYMOUS

        def build() -> Viewer:
            viewer = build_viewer(user)
            if viewer.child_ids:
                # The child switcher of every page: kept with the viewer, read with it.
                viewer.extra["child_options"] = child_options_of(viewer)
            return viewer

        key, scope = viewer_reads(user)
        cached = cached_value(key, [scope], build)
        user._dziennik_viewer = cached
    return cached


def viewer_reads(user) -> tuple[str, tuple]:
    """The cache key of ``user``'s viewer and the scope it is kept per (``get_viewer``)."""
    key = f"viewer:{user.pk}:{user.school_id}:{int(user.is_superuser)}"
    return key, config_scope(user.school_id)


def get_object_for(viewer_or_user, queryset, **lookup):
    """One object from an already viewer-filtered queryset by a unique lookup (its id),
    or the same 404 as missing. Unordered: sorting one row would only cost the database
    the joins of the model's default ordering."""
    obj = next(iter(queryset.filter(**lookup).order_by()[:1]), None)
    if obj is None:
        raise Http404
    return obj


# --- the viewer's own children (the parent's child switcher) ---------------------------


def children_of(viewer: Viewer) -> list[Student]:
    """A guardian's children they have access to, with their current class."""
    if not viewer.child_ids:
        return []
    current = Enrolment.objects.filter(end_date__isnull=True).select_related("school_class")
    return list(
        Student.objects.filter(pk__in=viewer.child_ids, school_id=viewer.school_id)
        .prefetch_related(Prefetch("enrolments", queryset=current, to_attr="current_enrolments"))
        .order_by("first_name", "pk")
    )


@dataclass(frozen=True)
class ChildOption:
    """A child in the parent's switcher: enough to show and choose it."""

    pk: int
    first_name: str
    last_name: str
    class_label: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def as_student(self, school_id: int) -> Student:
        """An unsaved stand-in for selectors that need only the student's identity."""
        return Student(
            pk=self.pk, school_id=school_id, first_name=self.first_name, last_name=self.last_name
        )


def child_options(viewer: Viewer) -> list[ChildOption]:
    """``children_of`` for the layout's switcher, cached with the viewer (``get_viewer``)."""
    if not viewer.child_ids:
        return []
    if "child_options" not in viewer.extra:
        viewer.extra["child_options"] = child_options_of(viewer)
    return viewer.extra["child_options"]


def child_options_of(viewer: Viewer) -> list[ChildOption]:
    return [
        ChildOption(c.pk, c.first_name, c.last_name, c.class_label) for c in children_of(viewer)
    ]
