"""Writes to accounts. Each service takes the actor and records the change."""

from __future__ import annotations

from collections.abc import Iterable

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.audit import build_entry, record_create, record_many, record_update, snapshot
from dziennik.core.text import field_text
from dziennik.schools.models import (
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    School,
    SchoolClass,
    SchoolRole,
    Student,
)
from dziennik.schools.permissions import ROLE_RANK, grantable_roles
from dziennik.schools.services import recording, school_role_grant
from dziennik.schools.viewer import Viewer, get_viewer

from .credentials import generate_password, taken_checker, unique_username, username_base
from .hashers import one_time_password_hasher
from .letters import KIND_GUARDIAN, KIND_STAFF, KIND_STUDENT, IssuedCredential
from .models import User
from .permissions import (
    can_manage_class_accounts,
    can_manage_staff_accounts,
    may_administer_account,
    may_grant_privileges,
    may_open_account,
    may_set_password,
    users,
)
from .selectors import resettable_users


def family_user_ids(user: User) -> set[int]:
    """Accounts linked to ``user`` through a family: siblings and their guardians."""

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
def password_forgotten_reset(*, user: User, new_password: str) -> None:
    """The owner sets a new password through the link e-mailed to them ("forgot your
    password?"): the forced change is lifted, a login lock too, every other session ends
    (whoever knew the old password is logged out), and the history says how it happened.
    The link's token dies with the old password, so it works once."""
    validate_password(new_password, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before_forced = user.must_change_password
    user.set_password(new_password)
    user.must_change_password = False
    user.session_generation = F("session_generation") + 1
    user.save(update_fields=["password", "must_change_password", "session_generation"])
    user.refresh_from_db(fields=["session_generation"])
    axes_reset(username=user.username)
    changes = {
        "password": ["***", "*** (set through the e-mailed link)"],
        "must_change_password": [before_forced, False],
    }
    build_entry(
        actor=user, instance=user, action="update", changes=changes, school_id=user.school_id
    ).save()


@transaction.atomic
def logout_everywhere(*, actor: User, user: User) -> None:
    """End every session of ``user`` (the session hash includes the generation), with an
    entry in the history (who ended them, and when)."""
    generation = (
        User.objects.select_for_update()
        .values_list("session_generation", flat=True)
        .get(pk=user.pk)
    )
    User.objects.filter(pk=user.pk).update(session_generation=generation + 1)
    user.refresh_from_db(fields=["session_generation"])
    record_update(actor=actor, instance=user, before={"session_generation": generation})


# --- credential letters and password resets ------------------------------------------


def _new_username(first_name: str, last_name: str, *, guardian: bool) -> str:
    base = username_base(first_name, last_name, guardian=guardian)
    existing = User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    return unique_username(base, taken_checker(existing))


def _create_account(
    *, actor: User, person, school_id: int, guardian: bool, links: dict
) -> tuple[User, str]:
    """A new account for a student or guardian, linked to them; returns (user, password)."""
    password = generate_password()
    user = User(
        username=_new_username(person.first_name, person.last_name, guardian=guardian),
        first_name=person.first_name[:150],
        last_name=person.last_name[:150],
        school_id=school_id,
        must_change_password=True,
        is_active=True,
    )
    user.password = make_password(password, hasher=one_time_password_hasher())
    user.save()
    record_create(actor=actor, instance=user, **links)
    before = snapshot(person, fields=["user"])
    person.user = user
    person.save(update_fields=["user"])
    record_update(actor=actor, instance=person, before=before, **links)
    return user, password


def _issue_new_password(*, actor: User, user: User, links: dict) -> str:
    """A new one-time password: forced change, lock lifted, every session ended."""

    password = generate_password()
    before_forced = user.must_change_password
    user.password = make_password(password, hasher=one_time_password_hasher())
    user.must_change_password = True
    user.session_generation = F("session_generation") + 1
    user.save(update_fields=["password", "must_change_password", "session_generation"])
    user.refresh_from_db(fields=["session_generation"])
    axes_reset(username=user.username)
    changes = {
        "password": ["***", "*** (new one-time password)"],
        "must_change_password": [before_forced, True],
    }
    build_entry(actor=actor, instance=user, action="update", changes=changes, **links).save()
    return password


def _guardian_children(guardian_ids) -> dict[int, list[str]]:
    """Each guardian's children with access, as "Zofia Wiśniewska (4a)"."""

    links = list(
        Guardianship.objects.filter(
            guardian_id__in=guardian_ids,
            access=Guardianship.Access.FULL,
            student__restricts_parent_view=False,
        )
        .select_related("student")
        .order_by("student__first_name", "student_id")
    )
    classes = dict(
        Enrolment.objects.filter(
            student_id__in={link.student_id for link in links}, end_date__isnull=True
        ).values_list("student_id", "school_class__name")
    )
    result: dict[int, list[str]] = {}
    for link in links:
        label = link.student.full_name
        if link.student_id in classes:
            label = f"{label} ({classes[link.student_id]})"
        result.setdefault(link.guardian_id, []).append(label)
    return result


@transaction.atomic
def credentials_generate_for_class(
    *, actor: User, school_class: SchoolClass, regenerate: bool = False
) -> list[IssuedCredential]:
    """Logins and first passwords for a class's students and their guardians.

    Students and guardians without an account get one (``must_change_password``, the
    school set, linked to the Student/Guardian). Existing accounts keep their login and
    are included only with ``regenerate``, which gives them a new one-time password
    (only accounts the actor may reset: never the actor's own, nor a principal's or
    secretary's who happens to be a guardian in the class).
    Guardians whose access a court limited, and guardians of an adult student who
    restricts parents' view, are skipped; a guardian of several children in the class
    gets one account and one letter. The plain passwords exist only in the returned
    list, for the letters; only their Argon2 hashes are stored.
    """

    viewer = get_viewer(actor)
    if not can_manage_class_accounts(viewer, school_class):
        raise PermissionDenied
    school = school_class.school
    class_link = {"school_class_id": school_class.pk, "school_id": school.pk}
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student__user")
        .select_for_update(of=("self", "student"))
        .order_by("journal_number")
    )
    guardians = _class_guardians(school.pk, {e.student_id: e.journal_number for e in enrolments})
    resettable: set[int] = set()
    if regenerate:
        existing = [e.student.user_id for e in enrolments] + [g.user_id for g in guardians]
        resettable = set(
            resettable_users(viewer)
            .filter(pk__in=[pk for pk in existing if pk is not None])
            .values_list("pk", flat=True)
        )
    issued: list[IssuedCredential] = []
    for enrolment in enrolments:
        student = enrolment.student
        links = dict(class_link, student_id=student.pk)
        account = _account_for(actor, student, school.pk, resettable, links, guardian=False)
        if account is not None:
            issued.append(
                IssuedCredential(
                    user_id=account[0].pk,
                    full_name=student.full_name,
                    username=account[0].username,
                    password=account[1],
                    kind=KIND_STUDENT,
                    about=(school_class.name,),
                    school_name=school.name,
                )
            )
    children = _guardian_children([g.pk for g in guardians])
    for guardian in guardians:
        account = _account_for(actor, guardian, school.pk, resettable, class_link, guardian=True)
        if account is not None:
            issued.append(
                IssuedCredential(
                    user_id=account[0].pk,
                    full_name=guardian.full_name,
                    username=account[0].username,
                    password=account[1],
                    kind=KIND_GUARDIAN,
                    about=tuple(children.get(guardian.pk, ())),
                    school_name=school.name,
                )
            )
    return issued


def _class_guardians(school_id: int, order: dict[int, int]) -> list[Guardian]:
    """The guardians with access of the students ``order`` lists (student id → journal
    number), locked, in the order of their first child in the journal."""
    guardian_first_child: dict[int, int] = {}
    for guardian_id, student_id in Guardianship.objects.filter(
        student_id__in=order,
        access=Guardianship.Access.FULL,
        student__restricts_parent_view=False,
    ).values_list("guardian_id", "student_id"):
        guardian_first_child[guardian_id] = min(
            guardian_first_child.get(guardian_id, order[student_id]), order[student_id]
        )
    return sorted(
        Guardian.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=guardian_first_child, school_id=school_id),
        key=lambda g: (guardian_first_child[g.pk], g.last_name, g.first_name, g.pk),
    )


def _account_for(
    actor: User, person, school_id: int, resettable: set[int], links: dict, *, guardian: bool
) -> tuple[User, str] | None:
    """A new account for a student or guardian without one, or a new one-time password
    for an account being regenerated: ``(user, password)``; ``None`` leaves them out."""
    if person.user is None:
        return _create_account(
            actor=actor, person=person, school_id=school_id, guardian=guardian, links=links
        )
    if person.user_id in resettable:
        return person.user, _issue_new_password(actor=actor, user=person.user, links=links)
    return None


@transaction.atomic
def password_reset(*, actor: User, user: User) -> IssuedCredential:
    """A new one-time password for ``user``, set by the class teacher or the secretary.

    The account must change it at the next login, its login lock is lifted and all its
    sessions end. The plain password is returned for the letter and not stored.
    """

    if not users.allows(get_viewer(actor), "reset_password", user):
        raise PermissionDenied
    user = User.objects.select_for_update(of=("self",)).select_related("school").get(pk=user.pk)
    links: dict = {"school_id": user.school_id}
    kind, about, full_name = KIND_STAFF, (), user.get_full_name() or user.username
    student = Student.objects.filter(user=user).first()
    guardian = Guardian.objects.filter(user=user).first()
    if student is not None:
        enrolment = (
            Enrolment.objects.filter(student=student, end_date__isnull=True)
            .select_related("school_class")
            .first()
        )
        links["student_id"] = student.pk
        kind, full_name = KIND_STUDENT, student.full_name
        if enrolment is not None:
            links["school_class_id"] = enrolment.school_class_id
            about = (enrolment.school_class.name,)
    elif guardian is not None:
        kind, full_name = KIND_GUARDIAN, guardian.full_name
        about = tuple(_guardian_children([guardian.pk]).get(guardian.pk, ()))
    password = _issue_new_password(actor=actor, user=user, links=links)
    return IssuedCredential(
        user_id=user.pk,
        full_name=full_name,
        username=user.username,
        password=password,
        kind=kind,
        about=about,
        school_name=user.school.name if user.school else "",
    )


# --- staff accounts opened by the school's office -------------------------------------


def staff_roles_offered(viewer: Viewer, school_id: int) -> list[tuple[str, str]]:
    """The roles the viewer may give a new member of staff, highest first, with their
    names: those below the viewer's own (``grantable_roles``; a secretary never makes a
    principal or a secretary)."""
    allowed = grantable_roles(viewer, school_id)
    return [
        (role, label)
        for role, label in sorted(
            SchoolRole.Role.choices, key=lambda choice: -ROLE_RANK.get(choice[0], -1)
        )
        if role in allowed
    ]


@transaction.atomic
def staff_account_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    email: str = "",
) -> IssuedCredential:
    """An account for a new member of staff, opened by the school's office with their
    roles, as a parent's is: a login made from the name, a one-time password to change
    at the first login, returned for the credential letter and never stored. Each role
    is granted through ``school_role_grant`` (only roles below the actor's own), and the
    account and every role are in the history. The account belongs to the actor's
    school."""
    viewer = get_viewer(actor)
    if viewer.school_id is None or not (
        can_manage_staff_accounts(viewer) and may_open_account(viewer, viewer.school_id)
    ):
        raise PermissionDenied
    school = School.objects.get(pk=viewer.school_id)
    roles = list(dict.fromkeys(roles))
    if not set(roles) <= grantable_roles(viewer, school.pk):
        raise PermissionDenied
    first_name = field_text(User, "first_name", first_name)
    last_name = field_text(User, "last_name", last_name)
    email = field_text(User, "email", email)
    errors = {}
    if not first_name:
        errors["first_name"] = _("Give the first name.")
    if not last_name:
        errors["last_name"] = _("Give the last name.")
    if not roles:
        errors["roles"] = _("Choose at least one role.")
    if errors:
        raise ValidationError(errors)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.error_list}) from None
    password = generate_password()
    user = User(
        username=_new_username(first_name, last_name, guardian=False),
        first_name=first_name,
        last_name=last_name,
        email=email,
        school=school,
        must_change_password=True,
        is_active=True,
    )
    user.set_password(password)
    user.save()
    record_create(actor=actor, instance=user, school_id=school.pk)
    for role in roles:
        school_role_grant(actor=actor, school=school, user=user, role=role)
    names = dict(SchoolRole.Role.choices)
    return IssuedCredential(
        user_id=user.pk,
        full_name=user.get_full_name(),
        username=user.username,
        password=password,
        kind=KIND_STAFF,
        about=tuple(str(names[role]) for role in roles),
        school_name=school.name,
    )


# --- accounts in the administration panel ----------------------------------------------

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "school",
    "must_change_password",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
)
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


def _require_privileges(actor: User, changes: dict) -> None:
    if set(changes) & set(PRIVILEGE_FIELDS) and not may_grant_privileges(get_viewer(actor)):
        raise PermissionDenied


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    school: School | None,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    must_change_password: bool = False,
    is_active: bool = True,
    is_staff: bool = False,
) -> User:
    """A login account, in ``school`` (only the system administrator creates accounts
    without a school). ``password`` is the plain password chosen (checked against the
    password rules and stored hashed); ``None`` leaves the account without one."""
    if not may_open_account(get_viewer(actor), school.pk if school is not None else None):
        raise PermissionDenied
    user = User(
        username=username,
        school=school,
        first_name=first_name,
        last_name=last_name,
        email=email,
        must_change_password=must_change_password,
        is_active=is_active,
        is_staff=is_staff,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    return recording.create(actor, user)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    groups: Iterable[Group] | None = None,
    user_permissions: Iterable[Permission] | None = None,
    **changes,
) -> User:
    """Change an account (``USER_FIELDS``). Superuser rights, Django groups and
    permissions (``PRIVILEGE_FIELDS``) are the system administrator's to give."""
    viewer = get_viewer(actor)
    if not may_administer_account(viewer, user):
        raise PermissionDenied
    many = {"groups": groups, "user_permissions": user_permissions}
    many = {name: value for name, value in many.items() if value is not None}
    _require_privileges(actor, {**changes, **many})
    if "school" in changes and not may_open_account(viewer, getattr(changes["school"], "pk", None)):
        raise PermissionDenied
    recording.update(actor, user, changes, editable=USER_FIELDS)
    for name, related in many.items():
        recording.set_many(actor, user, name, related)
    return user


@transaction.atomic
def user_delete(*, actor: User, user: User) -> None:
    """Remove an account (one that wrote register history cannot be removed: the history
    keeps its author)."""
    if not may_administer_account(get_viewer(actor), user):
        raise PermissionDenied
    recording.delete(actor, user)


@transaction.atomic
def password_set(*, actor: User, user: User, new_password: str | None) -> None:
    """Set an account's password for its owner (the administration panel), or disable
    password login (``None``): the system administrator, or whoever may reset the
    account's password (``permissions.may_set_password``). The history records that it
    changed, never the value."""
    if not may_set_password(get_viewer(actor), user):
        raise PermissionDenied
    if new_password is None:
        user.set_unusable_password()
    else:
        validate_password(new_password, user)
        user.set_password(new_password)
    user.save(update_fields=["password"])
    record_many(
        [
            build_entry(
                actor=actor, instance=user, action="update", changes={"password": ["***", "***"]}
            )
        ]
    )


@transaction.atomic
def login_lockouts_clear(*, actor: User, attempts: Iterable[AccessAttempt]) -> int:
    """Delete login lockout records (*odblokowanie logowania*): the login or address they
    locked may try again at once. Only the system administrator does it (the Django
    admin, a superuser); each record's deletion is in the history."""
    if not actor.is_superuser:
        raise PermissionDenied
    attempts = list(attempts)
    record_many(
        [
            build_entry(
                actor=actor,
                instance=attempt,
                action="delete",
                changes={name: [value, None] for name, value in snapshot(attempt).items()},
            )
            for attempt in attempts
        ]
    )
    AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return len(attempts)
