"""Writes to accounts. Each service takes the actor and records the change."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dziennik.core.audit import record_update, snapshot

from .models import User


def family_user_ids(user: User) -> set[int]:
    """Accounts linked to ``user`` through a family: siblings and their guardians."""
    from dziennik.schools.models import Family

    families = Family.objects.filter(Q(students__user=user) | Q(guardians__user=user)).values_list(
        "pk", flat=True
    )
    family_ids = set(families)
    if not family_ids:
        return {user.pk}
    ids = set(
        User.objects.filter(
            Q(student_profile__family_id__in=family_ids)
            | Q(guardian_profile__family_id__in=family_ids)
        ).values_list("pk", flat=True)
    )
    return ids | {user.pk}


@transaction.atomic
def account_record_login(*, user: User) -> None:
    """First successful login activates the account and every account of its family."""
    if user.activated_at is not None:
        return
    now = timezone.now()
    ids = family_user_ids(user)
    for account in User.objects.select_for_update().filter(pk__in=ids, activated_at__isnull=True):
        before = snapshot(account, fields=["activated_at"])
        account.activated_at = now
        account.save(update_fields=["activated_at"])
        record_update(actor=user, instance=account, before=before)


@transaction.atomic
def password_change(*, actor: User, user: User, new_password: str) -> None:
    """Set a new password chosen by its owner; lifts the forced change."""
    validate_password(new_password, user)
    before = snapshot(user, fields=["password", "must_change_password"])
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    entry_before = dict(before, password="***old")
    record_update(actor=actor, instance=user, before=entry_before)


@transaction.atomic
def logout_everywhere(*, actor: User, user: User) -> None:
    """End every session of ``user`` (the session hash includes the generation)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
