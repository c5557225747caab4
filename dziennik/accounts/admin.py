"""The admin for login accounts: a UserAdmin for ``accounts.User`` with its school.

A secretary sees and edits the accounts of their own school only and cannot grant
superuser rights, groups or permissions; every change is in the history.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from dziennik.core import audit
from dziennik.schools.admin import AuditedModelAdmin

from .models import User

PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


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

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS
        return fields

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                audit.build_entry(
                    actor=request.user,
                    instance=user,
                    action="update",
                    changes={"password": ["***", "***"]},
                ).save()
        return response

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # The system administrator's accounts are out of a school secretary's reach.
            queryset = queryset.filter(is_superuser=False)
        return queryset
