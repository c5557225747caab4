"""The admin for login accounts: a UserAdmin for ``accounts.User`` with its school.

A secretary sees the accounts of their own school only (never the system
administrator's), changes and removes only those ranked below her (``users`` ``manage``:
not the principal's, a deputy's, another secretary's or her own), sets passwords only
where she may reset them (``may_set_password``: families, not staff) and cannot grant
superuser rights, groups or permissions. Every add, change, password and delete goes
through the account services, and so into the history (a password never in clear).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dziennik.schools.admin import AuditedModelAdmin, Writes

from . import permissions, services
from .models import User

USER_WRITES = Writes("user", services.user_create, services.user_update, services.user_delete)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "school",
        "is_staff",
        "is_active",
        "must_change_password",
        "activated_at",
    )
    list_filter = ("is_staff", "is_active", "must_change_password", "school", "school_roles__role")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("school",)
    ordering = ("last_name", "first_name", "username")
    readonly_fields = ("last_login", "date_joined", "activated_at")
    # A teacher's account may move to another school (by the system administrator).
    school_fixed = False
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("School"), {"fields": ("school", "must_change_password", "activated_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "school",
                    "usable_password",
                    "password1",
                    "password2",
                    "must_change_password",
                ),
            },
        ),
    )

    def writes(self) -> Writes:
        return USER_WRITES

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not permissions.may_grant_privileges(request.viewer):
            fields += services.PRIVILEGE_FIELDS
        return fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # The system administrator's accounts are out of a school secretary's reach.
            queryset = queryset.filter(permissions.users.filter(request.viewer, "view"))
        return queryset

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.may_administer_account(request.viewer, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not permissions.may_administer_account(request.viewer, obj):
            return False
        return super().has_delete_permission(request, obj)

    def service_create(self, request, obj, form) -> User:
        data = form.cleaned_data
        return services.user_create(
            actor=request.user,
            username=obj.username,
            school=obj.school,
            password=data.get("password1") if data.get("set_usable_password") else None,
            first_name=obj.first_name,
            last_name=obj.last_name,
            email=obj.email,
            must_change_password=obj.must_change_password,
            is_active=obj.is_active,
            is_staff=obj.is_staff,
        )

    def user_change_password(self, request, id, form_url=""):
        """The password form of the admin, saved through ``services.password_set``: only
        for whom the user may set a password (``permissions.may_set_password``)."""
        user = self.get_object(request, unquote(id))
        if user is not None and not permissions.may_set_password(request.viewer, user):
            raise PermissionDenied
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST)
        if not form.is_valid() or not (
            form.cleaned_data["set_usable_password"] or "unset-password" in request.POST
        ):
            # Errors and conflicting choices are shown by the admin's own view.
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data["set_usable_password"]
        services.password_set(
            actor=request.user,
            user=user,
            new_password=form.cleaned_data["password1"] if usable else None,
        )
        self.log_change(request, user, self.construct_change_message(request, form, None))
        if usable:
            messages.success(request, gettext("Password changed successfully."))
        else:
            messages.success(request, gettext("Password-based authentication was disabled."))
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk])
        )


# --- login protection (django-axes) ---------------------------------------------------
# Rights in the register come from school roles, not Django's groups: no admin for them.
admin.site.unregister(Group)
for model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(model)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """Failed logins and lockouts: deleting one unlocks a login early, through
    ``services.login_lockouts_clear`` (recorded in the history)."""

    def delete_model(self, request, obj):
        services.login_lockouts_clear(actor=request.user, attempts=[obj])

    def delete_queryset(self, request, queryset):
        services.login_lockouts_clear(actor=request.user, attempts=queryset)


class _ReadOnlyLog:
    """A security log: read, never changed or deleted (not even by the administrator)."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class LoginLogAdmin(_ReadOnlyLog, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(_ReadOnlyLog, AccessFailureLogAdmin):
    pass
