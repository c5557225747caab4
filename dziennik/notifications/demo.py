"""Demo SMS: the school has switched *SMS info* on for the fixed parent (``rodzic``) and
for about a third of the other parents with a mobile number, so the office's SMS page
shows a class with both. Written in bulk, no history (demo data is the
system's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dziennik.schools.models import Guardian

from .models import Preferences

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

SHARE = 3  # one parent in SHARE


def populate(ctx: DemoContext) -> None:
    ctx.progress("notifications: SMS switched on for some parents")
    parent = ctx.fixed_users.get("rodzic")
    user_ids = sorted(
        Guardian.objects.filter(school=ctx.school, user__isnull=False)
        .exclude(phone="")
        .values_list("user_id", flat=True)
    )
    # every third, not drawn: the apps after this one keep their random sequence
    chosen = set(user_ids[::SHARE])
    if parent is not None:
        chosen.add(parent.pk)
    Preferences.objects.filter(user_id__in=chosen).update(sms_allowed=True)
    existing = set(Preferences.objects.filter(user_id__in=chosen).values_list("user_id", flat=True))
    Preferences.objects.bulk_create(
        Preferences(user_id=pk, sms_allowed=True) for pk in sorted(chosen - existing)
    )
