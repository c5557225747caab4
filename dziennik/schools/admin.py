"""The Django admin for setting up a school (the secretary's tool).

Two rules hold for every page here:

* a secretary (a staff user who runs a school's office) sees and edits only their own
  school: querysets and the choices of every relation are limited to it
  (``permissions.administered_rows``); only a superuser sees all schools;
* every add, change and delete goes through the school services (``WRITES``), inline
  rows and many-to-many choices included: the services validate, apply their rules (a
  role is granted only below one's own) and record the change in the history of changes
  with the logged-in user as the author. What no service writes is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import permissions, services
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
from .services.recording import check_dates


@dataclass(frozen=True)
class Writes:
    """The services through which the admin writes one model; ``None`` refuses that
    write. ``name`` is the keyword by which ``update`` and ``delete`` take the row;
    ``create`` and ``update`` take the model's fields by their names."""

    name: str
    create: Callable[..., models.Model] | None
    update: Callable[..., models.Model] | None
    delete: Callable[..., None] | None


WRITES: dict[type[models.Model], Writes] = {
    # A new school (a new tenant) is the system administrator's; a school is never
    # deleted here (its history keeps it).
    School: Writes("school", services.school_create, services.school_update, None),
    SchoolYear: Writes(
        "school_year",
        services.school_year_add,
        services.school_year_update,
        services.school_year_delete,
    ),
    Term: Writes("term", services.term_create, services.term_update, services.term_delete),
    DayOff: Writes(
        "day_off", services.day_off_create, services.day_off_update, services.day_off_delete
    ),
    LessonSlot: Writes(
        "lesson_slot",
        services.lesson_slot_create,
        services.lesson_slot_update,
        services.lesson_slot_delete,
    ),
    Subject: Writes(
        "subject", services.subject_create, services.subject_update, services.subject_delete
    ),
    SchoolClass: Writes(
        "school_class",
        services.school_class_create,
        services.school_class_update,
        services.school_class_delete,
    ),
    ClassGroup: Writes(
        "class_group",
        services.class_group_create,
        services.class_group_update,
        services.class_group_delete,
    ),
    Student: Writes(
        "student", services.student_create, services.student_update, services.student_delete
    ),
    Enrolment: Writes(
        "enrolment", services.student_enrol, services.enrolment_update, services.enrolment_delete
    ),
    Guardian: Writes(
        "guardian", services.guardian_create, services.guardian_update, services.guardian_delete
    ),
    Guardianship: Writes(
        "guardianship",
        services.guardianship_create,
        services.guardianship_update,
        services.guardianship_delete,
    ),
    Family: Writes(
        "family", services.family_create, services.family_update, services.family_delete
    ),
    # A role is granted or revoked, never edited in place (see ``services.roles``).
    SchoolRole: Writes(
        "school_role", services.school_role_grant, None, services.school_role_revoke
    ),
    TeachingAssignment: Writes(
        "teaching_assignment",
        services.teaching_assignment_create,
        services.teaching_assignment_update,
        services.teaching_assignment_delete,
    ),
}


def is_school_administrator(request) -> bool:
    """A staff user who runs the office of one school (secretary, principal, deputy)."""
    user = request.user
    return bool(user.is_active and user.is_staff and permissions.manages_school(request.viewer))


def new_row_values(obj: models.Model, form=None) -> dict[str, Any]:
    """A new row's fields (and the form's many-to-many choices) as a create service
    takes them."""
    values = {
        field.name: getattr(obj, field.name)
        for field in obj._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    if form is not None:
        for field in obj._meta.many_to_many:
            if field.name in form.cleaned_data:
                values[field.name] = list(form.cleaned_data[field.name])
    return values


def changed_values(obj: models.Model, changed: list[str], form=None) -> dict[str, Any]:
    """The changed fields of an edited row as an update service takes them."""
    concrete = {field.name for field in obj._meta.concrete_fields}
    many = {field.name for field in obj._meta.many_to_many}
    values: dict[str, Any] = {name: getattr(obj, name) for name in changed if name in concrete}
    if form is not None:
        values.update({name: list(form.cleaned_data[name]) for name in changed if name in many})
    return values


def adopt(obj: models.Model, created: models.Model) -> None:
    """Make the form's unsaved ``obj`` the row a create service saved, for what the admin
    does next with it (inline rows, the change message, the redirect)."""
    obj.pk = created.pk
    obj._state.adding = False
    obj._state.db = created._state.db


def _fill_school(obj, request, parent=None) -> None:
    """A new row of a non-superuser always belongs to their school."""
    if not hasattr(obj, "school_id") or obj.school_id is not None:
        return
    if parent is not None:
        obj.school_id = parent.pk if isinstance(parent, School) else parent.school_id
    elif not request.user.is_superuser:
        obj.school_id = request.viewer.school_id


class SchoolScopedMixin:
    """Limits querysets, relation choices and permissions to the user's school, and
    refuses the writes no service makes (``WRITES``)."""

    def writes(self) -> Writes:
        return WRITES[self.model]

    def get_queryset(self, request):
        return permissions.administered_rows(request.viewer, super().get_queryset(request))

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
        kwargs["queryset"] = permissions.administered_rows(request.viewer, queryset)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limited(db_field, request, kwargs)
        if (
            db_field.remote_field.model is School
            and not request.user.is_superuser
            and request.viewer.school_id
        ):
            kwargs.setdefault("initial", request.viewer.school_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limited(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- permissions: Django's model permissions, or a school administrator ------
    def _allowed(self, request, obj=None) -> bool:
        if not is_school_administrator(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        return permissions.administered_rows(request.viewer, rows).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_school_administrator(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._allowed(request, obj)

    def has_add_permission(self, request, *args):
        if self.writes().create is None:
            return False
        return super().has_add_permission(request, *args) or self._allowed(request)

    def has_change_permission(self, request, obj=None):
        if self.writes().update is None:
            return False
        return super().has_change_permission(request, obj) or self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.writes().delete is None:
            return False
        return super().has_delete_permission(request, obj) or self._allowed(request, obj)


class DateBoundsFormMixin:
    """An admin form checks what the services check beyond the model's own validation
    (dates within the register's bounds), so that a refusal is the form's error and not
    a server error at save time."""

    def _post_clean(self):
        super()._post_clean()
        try:
            check_dates(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class AuditedAdminForm(DateBoundsFormMixin, forms.ModelForm):
    pass


class AuditedModelAdmin(SchoolScopedMixin, admin.ModelAdmin):
    """A ModelAdmin whose every save and delete (also of inlines) goes through the school
    services, and so into the history."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (DateBoundsFormMixin, form), {})

    # A row of the school's structure never moves to another school.
    school_fixed = True

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if self.school_fixed and obj is not None and hasattr(obj, "school_id"):
            fields += ("school",)
        return fields

    def get_fieldsets(self, request, obj=None):
        """A superuser (who belongs to no school) chooses the school of a new row; a
        school's office adds rows to its own school without being asked."""
        fieldsets = super().get_fieldsets(request, obj)
        has_school = any(f.name == "school" for f in self.model._meta.concrete_fields)
        if (
            obj is None
            and has_school
            and request.user.is_superuser
            and "school" not in flatten_fieldsets(fieldsets)
        ):
            fieldsets = [(None, {"fields": ["school"]}), *fieldsets]
        return fieldsets

    def service_create(self, request, obj, form) -> models.Model:
        writes = self.writes()
        return writes.create(actor=request.user, **new_row_values(obj, form))

    def service_update(self, request, obj, form) -> None:
        writes = self.writes()
        stored = type(obj)._default_manager.get(pk=obj.pk)
        changes = changed_values(obj, form.changed_data, form)
        writes.update(actor=request.user, **{writes.name: stored}, **changes)

    def save_model(self, request, obj, form, change):
        if change:
            self.service_update(request, obj, form)
        else:
            _fill_school(obj, request)
            adopt(obj, self.service_create(request, obj, form))

    def save_related(self, request, form, formsets, change):
        # The many-to-many choices went through the service with the row (save_model).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        writes = WRITES[formset.model]
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            writes.delete(actor=request.user, **{writes.name: obj})
        for obj in formset.new_objects:
            _fill_school(obj, request, parent=form.instance)
            adopt(obj, writes.create(actor=request.user, **new_row_values(obj)))
        for obj, changed in formset.changed_objects:
            stored = formset.model._default_manager.get(pk=obj.pk)
            changes = changed_values(obj, changed)
            writes.update(actor=request.user, **{writes.name: stored}, **changes)

    def delete_model(self, request, obj):
        writes = self.writes()
        writes.delete(actor=request.user, **{writes.name: obj})

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all the chosen rows, or none
            for obj in queryset:
                self.delete_model(request, obj)


class ScopedTabularInline(SchoolScopedMixin, admin.TabularInline):
    form = AuditedAdminForm
    extra = 0


class ScopedStackedInline(SchoolScopedMixin, admin.StackedInline):
    form = AuditedAdminForm
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
        (_("Security"), {"fields": ("require_staff_second_factor",)}),
    )

    def has_add_permission(self, request, *args):
        # A new school (a new tenant) is created by the system administrator only.
        return request.user.is_superuser and super().has_add_permission(request, *args)


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
    # The year close and its corrections have their own screens (``archive``).
    readonly_fields = ("closed_at", "closed_by", "correction_by", "correction_reason")


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

    def get_readonly_fields(self, request, obj=None):
        """The class teacher is the principal's appointment: read-only for the office."""
        fields = tuple(super().get_readonly_fields(request, obj))
        school_id = obj.school_id if obj is not None else request.viewer.school_id
        if not permissions.appoints_class_teachers(request.viewer, school_id):
            fields += ("class_teacher",)
        return fields


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
    """Roles are granted (added) and revoked (deleted), only below one's own role."""

    list_display = ("user", "role", "school")
    list_filter = ("role", "school")
    search_fields = ("user__last_name", "user__first_name", "user__username")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "school")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            grantable = permissions.grantable_roles(request.viewer, request.viewer.school_id)
            kwargs["choices"] = [("", "---------")] + [
                (value, label) for value, label in db_field.choices if value in grantable
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role not in permissions.grantable_roles(
            request.viewer, obj.school_id
        ):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(AuditedModelAdmin):
    list_display = ("subject", "school_class", "group", "teacher")
    list_filter = ("school_class__school_year", "school_class", "subject")
    search_fields = ("teacher__last_name", "subject__name", "school_class__name")
    autocomplete_fields = ("teacher", "subject", "school_class", "group")
    list_select_related = ("subject", "school_class", "group", "teacher")
