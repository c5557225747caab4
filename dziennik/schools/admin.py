"""The Django admin for setting up a school (the secretary's tool).

Two rules hold for every page here:

* a secretary (a staff user with a school-wide role) sees and edits only their own
  school: querysets and the choices of every relation are limited to
  ``request.user.school``; only a superuser sees all schools;
* every change made here lands in the history of changes (``dziennik.core.audit``) with
  the logged-in user as the author, including inline rows and many-to-many choices.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.core import audit
from dziennik.schools.viewer import get_viewer

from .models import (
    ClassGroup,
    DayOff,
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    LessonSlot,
    School,
    SchoolClass,
    SchoolRole,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)

# How each model reaches its school (a lookup path ending at the school's id).
SCHOOL_LOOKUPS: dict[str, str] = {
    "schools.school": "pk",
    "schools.schoolyear": "school_id",
    "schools.term": "school_year__school_id",
    "schools.dayoff": "school_id",
    "schools.lessonslot": "school_id",
    "schools.subject": "school_id",
    "schools.schoolclass": "school_id",
    "schools.classgroup": "school_class__school_id",
    "schools.family": "school_id",
    "schools.student": "school_id",
    "schools.enrolment": "student__school_id",
    "schools.guardian": "school_id",
    "schools.guardianship": "student__school_id",
    "schools.schoolrole": "school_id",
    "schools.teachingassignment": "school_id",
    "accounts.user": "school_id",
}


def school_lookup(model) -> str | None:
    return SCHOOL_LOOKUPS.get(model._meta.label_lower)


def limit_to_school(queryset: models.QuerySet, user) -> models.QuerySet:
    """The rows of the user's school only (everything for a superuser)."""
    if user.is_superuser:
        return queryset
    lookup = school_lookup(queryset.model)
    if lookup is None or user.school_id is None:
        return queryset.none()
    return queryset.filter(Q(**{lookup: user.school_id}))


def is_school_administrator(user) -> bool:
    """A staff user of one school with a school-wide role (secretary, principal, deputy)."""
    return bool(
        user.is_active and user.is_staff and user.school_id and get_viewer(user).is_school_wide
    )


def history_links(obj, *, deleting: bool = False) -> dict:
    """``school_id``/``student_id``/``school_class_id`` for the history entry of ``obj``.

    A deleted student or class is not linked by id: the entry would protect the row and
    make the deletion impossible (the entry keeps its name in ``object_repr``).
    """
    links: dict = {}
    if isinstance(obj, School):
        links["school_id"] = None if deleting else obj.pk
    elif isinstance(obj, Term):
        links["school_id"] = obj.school_year.school_id
    elif isinstance(obj, Student):
        links["student_id"] = None if deleting else obj.pk
    elif isinstance(obj, SchoolClass):
        links["school_class_id"] = None if deleting else obj.pk
    elif isinstance(obj, Enrolment):
        links.update(
            school_id=obj.student.school_id,
            student_id=obj.student_id,
            school_class_id=obj.school_class_id,
        )
    elif isinstance(obj, Guardianship):
        links.update(school_id=obj.student.school_id, student_id=obj.student_id)
    elif isinstance(obj, ClassGroup):
        links.update(school_id=obj.school_class.school_id, school_class_id=obj.school_class_id)
    elif isinstance(obj, TeachingAssignment):
        links["school_class_id"] = obj.school_class_id
    return links


def _m2m_ids(obj, names) -> dict[str, list]:
    return {
        name: sorted(obj._meta.get_field(name).value_from_object(obj), key=lambda o: o.pk)
        for name in names
    }


class SchoolScopedMixin:
    """Limits querysets, relation choices and permissions to the user's school."""

    def get_queryset(self, request):
        return limit_to_school(super().get_queryset(request), request.user)

    def get_list_filter(self, request):
        """Relation filters offer only the values in the user's own rows, and the school
        filter is for the superuser: otherwise a filter would list other schools' data."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                field = get_fields_from_path(self.model, item)[-1]
                if field.is_relation and field.related_model is School:
                    if not request.user.is_superuser:
                        continue
                elif field.is_relation:
                    item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    # -- choices -----------------------------------------------------------------
    def _limited(self, db_field, request, kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = limit_to_school(queryset, request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limited(db_field, request, kwargs)
        if (
            db_field.remote_field.model is School
            and not request.user.is_superuser
            and request.user.school_id
        ):
            kwargs.setdefault("initial", request.user.school_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limited(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- permissions: Django's model permissions, or a school administrator ------
    def _allowed(self, request, obj=None) -> bool:
        if not is_school_administrator(request.user):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return limit_to_school(type(obj)._default_manager.filter(pk=obj.pk), request.user).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_school_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._allowed(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self._allowed(request, obj)


def _fill_school(obj, request, parent=None) -> None:
    """A new row of a non-superuser always belongs to their school."""
    if not hasattr(obj, "school_id") or obj.school_id is not None:
        return
    if parent is not None:
        obj.school_id = parent.pk if isinstance(parent, School) else parent.school_id
    elif not request.user.is_superuser:
        obj.school_id = request.user.school_id


class AuditedModelAdmin(SchoolScopedMixin, admin.ModelAdmin):
    """A ModelAdmin whose every save and delete (also of inlines) is in the history."""

    def save_model(self, request, obj, form, change):
        _fill_school(obj, request)
        before = None
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(stored) if stored is not None else None
        m2m_names = [
            f.name
            for f in obj._meta.many_to_many
            if f.name in form.fields and f.remote_field.through._meta.auto_created
        ]
        request._dziennik_m2m_before = _m2m_ids(obj, m2m_names) if change else {}
        request._dziennik_m2m_names = m2m_names
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record_create(actor=request.user, instance=obj, **history_links(obj))
        else:
            audit.record_update(
                actor=request.user, instance=obj, before=before, **history_links(obj)
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        names = getattr(request, "_dziennik_m2m_names", [])
        before = getattr(request, "_dziennik_m2m_before", {})
        after = _m2m_ids(obj, names)
        changes = {
            name: [[o.pk for o in before.get(name, [])], [o.pk for o in after[name]]]
            for name in names
            if [o.pk for o in before.get(name, [])] != [o.pk for o in after[name]]
        }
        if changes:
            audit.build_entry(
                actor=request.user,
                instance=obj,
                action="update",
                changes=changes,
                **history_links(obj),
            ).save()

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        changed = [obj for obj, _fields in formset.changed_objects]
        originals = formset.model._default_manager.in_bulk([obj.pk for obj in changed])
        for obj in formset.deleted_objects:
            audit.record_delete(
                actor=request.user, instance=obj, **history_links(obj, deleting=True)
            )
            obj.delete()
        for obj in formset.new_objects:
            _fill_school(obj, request, parent=form.instance)
            obj.save()
            audit.record_create(actor=request.user, instance=obj, **history_links(obj))
        for obj in changed:
            before = audit.snapshot(originals[obj.pk])
            obj.save()
            audit.record_update(
                actor=request.user, instance=obj, before=before, **history_links(obj)
            )
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit.record_delete(actor=request.user, instance=obj, **history_links(obj, deleting=True))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ScopedTabularInline(SchoolScopedMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(SchoolScopedMixin, admin.StackedInline):
    extra = 0


# --- school, years, terms, days off, bells, subjects ----------------------------------


class SchoolYearInline(ScopedTabularInline):
    model = SchoolYear
    fields = ("name", "start_date", "end_date", "classes_start", "classes_end")
    show_change_link = True


class LessonSlotInline(ScopedTabularInline):
    model = LessonSlot
    fields = ("number", "starts_at", "ends_at")


class SubjectInline(ScopedTabularInline):
    model = Subject
    fields = ("name", "short_name", "counts_towards_average")


@admin.register(School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ("name", "school_type", "is_public", "voivodeship", "city")
    list_filter = ("school_type", "is_public", "voivodeship")
    search_fields = ("name", "short_name", "city", "rspo")
    inlines = [SchoolYearInline, LessonSlotInline, SubjectInline]
    fieldsets = (
        (None, {"fields": ("name", "short_name", "school_type", "is_public", "rspo")}),
        (_("Location"), {"fields": ("voivodeship", "city", "address", "time_zone")}),
        (_("Register"), {"fields": ("electronic_only_consent",)}),
    )

    def has_add_permission(self, request, *args):
        # A new school (a new tenant) is created by the system administrator only.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TermInline(ScopedTabularInline):
    model = Term
    fields = ("number", "start_date", "end_date")


class DayOffInline(ScopedTabularInline):
    model = DayOff
    fields = ("kind", "name", "date_from", "date_to")


@admin.register(SchoolYear)
class SchoolYearAdmin(AuditedModelAdmin):
    list_display = ("name", "school", "start_date", "end_date", "classes_start", "classes_end")
    list_filter = ("school",)
    search_fields = ("name",)
    inlines = [TermInline, DayOffInline]
    autocomplete_fields = ("school",)


@admin.register(DayOff)
class DayOffAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "date_from", "date_to", "school_year")
    list_filter = ("kind", "school_year")
    search_fields = ("name",)
    date_hierarchy = "date_from"


@admin.register(LessonSlot)
class LessonSlotAdmin(AuditedModelAdmin):
    list_display = ("number", "starts_at", "ends_at", "school")
    list_filter = ("school",)
    ordering = ("school", "number")


@admin.register(Subject)
class SubjectAdmin(AuditedModelAdmin):
    list_display = ("name", "short_name", "counts_towards_average", "school")
    list_filter = ("counts_towards_average", "school")
    search_fields = ("name", "short_name")


# --- classes and groups --------------------------------------------------------------


class ClassGroupInline(ScopedTabularInline):
    model = ClassGroup
    fields = ("name",)
    show_change_link = True


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedModelAdmin):
    list_display = ("name", "level", "class_teacher", "school_year")
    list_filter = ("school_year", "level")
    search_fields = ("name", "class_teacher__last_name")
    autocomplete_fields = ("class_teacher",)
    list_select_related = ("class_teacher", "school_year")
    inlines = [ClassGroupInline]


@admin.register(ClassGroup)
class ClassGroupAdmin(AuditedModelAdmin):
    list_display = ("name", "school_class")
    list_filter = ("school_class__school_year", "school_class")
    search_fields = ("name", "school_class__name")
    autocomplete_fields = ("school_class", "students")
    list_select_related = ("school_class",)


# --- people --------------------------------------------------------------------------


class EnrolmentInline(ScopedTabularInline):
    model = Enrolment
    fields = ("school_class", "journal_number", "start_date", "end_date")
    autocomplete_fields = ("school_class",)


class GuardianshipInline(ScopedStackedInline):
    model = Guardianship
    fields = (
        "guardian",
        "relation",
        "access",
        ("court_order_reference", "court_order_date"),
        "court_order_scope",
    )
    autocomplete_fields = ("guardian",)


@admin.register(Student)
class StudentAdmin(AuditedModelAdmin):
    list_display = ("last_name", "first_name", "birth_date", "external_id", "family", "user")
    list_filter = ("enrolments__school_class__school_year", "enrolments__school_class")
    search_fields = ("last_name", "first_name", "external_id", "pesel")
    autocomplete_fields = ("family", "user")
    list_select_related = ("family", "user")
    inlines = [EnrolmentInline, GuardianshipInline]
    fieldsets = (
        (None, {"fields": (("first_name", "second_name", "last_name"), "external_id")}),
        (
            _("Personal data"),
            {"fields": (("birth_date", "birth_place"), "pesel", "address")},
        ),
        (_("Family and account"), {"fields": ("family", "user", "restricts_parent_view")}),
    )


class GuardianStudentsInline(ScopedTabularInline):
    model = Guardianship
    fields = ("student", "relation", "access", "court_order_reference", "court_order_date")
    autocomplete_fields = ("student",)
    verbose_name = _("child")
    verbose_name_plural = _("children")


@admin.register(Guardian)
class GuardianAdmin(AuditedModelAdmin):
    list_display = ("last_name", "first_name", "email", "phone", "family", "user")
    search_fields = ("last_name", "first_name", "email", "phone", "external_id")
    autocomplete_fields = ("family", "user")
    list_select_related = ("family", "user")
    fields = (
        ("first_name", "last_name"),
        ("email", "phone"),
        "address",
        "external_id",
        "family",
        "user",
    )
    inlines = [GuardianStudentsInline]


class FamilyStudentInline(ScopedTabularInline):
    model = Student
    fields = ("first_name", "last_name", "birth_date")
    readonly_fields = ("first_name", "last_name", "birth_date")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, *args):
        return False


class FamilyGuardianInline(FamilyStudentInline):
    model = Guardian
    fields = ("first_name", "last_name", "email")
    readonly_fields = ("first_name", "last_name", "email")


@admin.register(Family)
class FamilyAdmin(AuditedModelAdmin):
    list_display = ("name", "school")
    search_fields = ("name", "students__last_name", "guardians__last_name")
    inlines = [FamilyStudentInline, FamilyGuardianInline]


# --- staff ---------------------------------------------------------------------------


@admin.register(SchoolRole)
class SchoolRoleAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "school")
    list_filter = ("role", "school")
    search_fields = ("user__last_name", "user__first_name", "user__username")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "school")


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(AuditedModelAdmin):
    list_display = ("subject", "school_class", "group", "teacher")
    list_filter = ("school_class__school_year", "school_class", "subject")
    search_fields = ("teacher__last_name", "subject__name", "school_class__name")
    autocomplete_fields = ("teacher", "subject", "school_class", "group")
    list_select_related = ("subject", "school_class", "group", "teacher")
