"""``manage.py demo_logins``: print the demo accounts and their password."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dziennik.accounts.models import User
from dziennik.demo.school import DEMO_PASSWORD, FIXED_USERNAMES
from dziennik.schools.models import SchoolClass, Student

ROLES = {
    "dyrektor": "principal",
    "sekretariat": "secretary",
    "wychowawca": "class teacher",
    "nauczyciel": "teacher",
    "rodzic": "parent",
    "uczen": "student",
}


class Command(BaseCommand):
    help = "Print the demo accounts (made by `manage.py demo`) and their password."

    def handle(self, *args, **options):
        users = {
            u.username: u
            for u in User.objects.filter(username__in=FIXED_USERNAMES).select_related("school")
        }
        if not users:
            self.stdout.write("No demo accounts here. Run `manage.py demo` first.")
            return
        self.stdout.write(f"Demo accounts, all with the password: {DEMO_PASSWORD}")
        for username in FIXED_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            self.stdout.write(
                f"  {username:<12} {ROLES[username]:<14} {user.get_full_name()}{self._detail(user)}"
            )

    def _detail(self, user: User) -> str:
        if user.username in ("dyrektor", "sekretariat") and user.school:
            return f" – {user.school.name}"
        if user.username == "wychowawca":
            led = ", ".join(
                SchoolClass.objects.filter(class_teacher=user).values_list("name", flat=True)
            )
            return f" – class teacher of {led}" if led else ""
        if user.username == "rodzic":
            children = Student.objects.filter(
                guardianships__guardian__user=user, enrolments__end_date__isnull=True
            ).values_list("first_name", "enrolments__school_class__name")
            return " – parent of " + ", ".join(f"{name} ({cls})" for name, cls in children)
        if user.username == "uczen":
            cls = SchoolClass.objects.filter(
                enrolments__student__user=user, enrolments__end_date__isnull=True
            ).values_list("name", flat=True)
            return f" – class {', '.join(cls)}"
        return ""
