"""Writes of the calendar: plan, correct and delete an event (the limits on tests, G-14),
make a gradebook column of a planned test, the school's limits. Every write records its
history with the event's class, which moves the class's cached pages; a school event
without a class moves the school's (it changes every calendar of the school, as a day
off does)."""

from __future__ import annotations

import datetime
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from dziennik.core import audit, cache, concurrency, uploads
from dziennik.core.params import in_bounds
from dziennik.core.text import field_choice, field_text
from dziennik.grades import services as grades_services
from dziennik.grades.models import Assessment, GradeCategory
from dziennik.schools.models import ClassGroup, SchoolClass, Subject
from dziennik.schools.selectors import current_term
from dziennik.schools.viewer import get_viewer

from . import permissions
from .limits import Clash, clashes, limits_for
from .models import SUBJECT_KINDS, Event, PlannerSettings

# Attachments: a document or a picture, checked by its first bytes, not by its name.
ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# The grade category a column made from a planned test or quiz gets (the default names of
# ``grades.services.DEFAULT_CATEGORIES``).
COLUMN_CATEGORY = {Event.Kind.TEST: "Sprawdzian", Event.Kind.QUIZ: "Kartkówka"}
EDITABLE_FIELDS = ("title", "description", "date", "starts_at", "ends_at", "location")


class OverLimits(Exception):
    """A test over the school's limits that its author has not confirmed yet (G-14):
    ``clashes`` name each limit and the tests it clashes with; ``may_override`` says
    whether the school lets the author confirm."""

    def __init__(self, found: list[Clash], *, may_override: bool):
        super().__init__("; ".join(c.message for c in found))
        self.clashes = found
        self.may_override = may_override


def validate_attachment(upload) -> str:
    """The name the attachment is stored under, or ``ValidationError``: a PDF, PNG, JPEG,
    DOCX or ODT up to 5 MB whose content matches its type; the name loses any folders
    and characters a file name should not have."""
    raw = os.path.basename((upload.name or "").replace("\\", "/"))
    name = get_valid_filename(raw)[-100:] if raw.strip(". ") else ""
    ext = os.path.splitext(name)[1].lower()
    magic = ALLOWED_ATTACHMENT_TYPES.get(ext)
    if not name or magic is None:
        raise ValidationError(
            {"attachment": _("The attachment must be a PDF, PNG, JPEG, DOCX or ODT file.")}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("The attachment is larger than 5 MB.")})
    head = upload.read(8)
    upload.seek(0)
    is_office = ext in (".docx", ".odt")
    if not any(head.startswith(m) for m in magic) or (
        is_office and not uploads.office_document(upload, ext)
    ):
        raise ValidationError(
            {
                "attachment": _("The file's content does not match its type (%(type)s).")
                % {"type": ext.lstrip(".").upper()}
            }
        )
    return name


def _text_values(
    *,
    title: str,
    description: str,
    location: str,
    date: datetime.date,
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
    errors: dict,
) -> dict:
    values: dict = {}
    for name, value, multiline in (
        ("title", title, False),
        ("description", description, True),
        ("location", location, False),
    ):
        try:
            values[name] = field_text(Event, name, value, multiline=multiline)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if "title" in values and not values["title"]:
        errors["title"] = [ValidationError(_("Enter a title."))]
    if not in_bounds(date):
        errors["date"] = [ValidationError(_("Choose a date of this or a neighbouring year."))]
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [ValidationError(_("The end is before the start."))]
    if ends_at and not starts_at:
        errors["starts_at"] = [ValidationError(_("Give the start time too."))]
    values.update(date=date, starts_at=starts_at, ends_at=ends_at)
    return values


def _moved(event: Event) -> None:
    """A school event without a class changes every calendar of the school."""
    if event.school_class_id is None:
        cache.bump(cache.config_scope(event.school_id))


def _check_limits(
    event_kind: str,
    *,
    school_class_id: int | None,
    group_id: int | None,
    date: datetime.date,
    school_id: int,
    confirm: bool,
    exclude_pk: int | None = None,
) -> bool:
    """Whether the event goes over the limits, which its author confirmed (G-14);
    ``OverLimits`` when not confirmed, or when the school forbids going over them. The
    class is locked first: two teachers planning at once count each other's test."""
    if school_class_id is None:
        return False
    limits = limits_for(school_id)
    if event_kind not in limits.counted_kinds():
        return False
    concurrency.locked(SchoolClass.objects.filter(pk=school_class_id).only("pk"))
    found = clashes(
        limits=limits,
        kind=event_kind,
        school_class_id=school_class_id,
        group_id=group_id,
        date=date,
        today=timezone.localdate(),
        exclude_pk=exclude_pk,
    )
    if not found:
        return False
    if not confirm or not limits.override_allowed:
        raise OverLimits(found, may_override=limits.override_allowed)
    return True


def _what_is_planned(kind: str, subject, school_class) -> tuple[str, Subject | None, dict]:
    """The event's kind (a valid choice, or ``ValidationError``), its subject (only for the
    kinds that have one) and the errors of a missing subject or class."""
    errors: dict = {}
    try:
        kind = field_choice(Event, "kind", kind)
    except ValidationError as exc:
        raise ValidationError(exc.error_dict) from None
    if kind in SUBJECT_KINDS and subject is None:
        errors["subject"] = [ValidationError(_("Choose the subject."))]
    if kind not in SUBJECT_KINDS:
        subject = None
    if school_class is None and kind != Event.Kind.SCHOOL_EVENT:
        errors["school_class"] = [ValidationError(_("Choose the class."))]
    return kind, subject, errors


def event_plan(
    *,
    actor,
    kind: str,
    school_class: SchoolClass | None,
    group: ClassGroup | None = None,
    subject: Subject | None = None,
    title: str,
    description: str = "",
    date: datetime.date,
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    location: str = "",
    attachment=None,
    confirm_over_limits: bool = False,
) -> Event:
    """Plan an event for a class, its group, or (a school event) the whole school.

    Who may: ``permissions.may_plan`` (``Http404`` otherwise). A test (and a quiz, when
    the school counts them) over the school's limits raises ``OverLimits`` naming the
    clashes, unless ``confirm_over_limits`` and the school allows it (G-14). The
    attachment is stored first and removed again when the event is not written
    (``core.uploads``)."""
    viewer = get_viewer(actor)
    kind, subject, errors = _what_is_planned(kind, subject, school_class)
    if not permissions.may_plan(
        viewer,
        kind=kind,
        school_class=school_class,
        group=group,
        subject_id=subject.pk if subject else None,
    ):
        if errors:
            raise ValidationError(errors)
        raise Http404
    if subject is not None and subject.school_id != viewer.school_id:
        errors["subject"] = [ValidationError(_("Choose a subject of your school."))]
    values = _text_values(
        title=title,
        description=description,
        location=location,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        errors=errors,
    )
    name = ""
    if attachment:
        try:
            name = validate_attachment(attachment)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    arguments = {
        "actor": actor,
        "kind": kind,
        "school_id": viewer.school_id,
        "school_class": school_class,
        "group": group,
        "subject": subject,
        "values": values,
        "confirm": confirm_over_limits,
    }
    if not attachment:
        return _event_plan(**arguments, attachment="")
    field = Event._meta.get_field("attachment")
    place = Event(school_id=viewer.school_id, school_class=school_class)
    stored_name = field.generate_filename(place, name)
    with uploads.stored_file(
        attachment, stored_name, field="attachment", storage=field.storage
    ) as stored:
        return _event_plan(**arguments, attachment=stored)


@transaction.atomic
def _event_plan(
    *,
    actor,
    kind: str,
    school_id: int,
    school_class: SchoolClass | None,
    group: ClassGroup | None,
    subject: Subject | None,
    values: dict,
    confirm: bool,
    attachment: str,
) -> Event:
    overridden = _check_limits(
        kind,
        school_class_id=school_class.pk if school_class else None,
        group_id=group.pk if group else None,
        date=values["date"],
        school_id=school_id,
        confirm=confirm,
    )
    event = Event.objects.create(
        school_id=school_id,
        kind=kind,
        school_class=school_class,
        group=group,
        subject=subject,
        author=actor,
        attachment=attachment,
        limits_overridden=overridden,
        **values,
    )
    audit.record_create(
        actor=actor, instance=event, school_class_id=event.school_class_id, object_repr=event.title
    )
    _moved(event)
    return event


@transaction.atomic
def event_update(
    *,
    actor,
    event: Event,
    title: str,
    description: str = "",
    date: datetime.date,
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    location: str = "",
    confirm_over_limits: bool = False,
) -> Event:
    """Correct an event's text, date, time or place (its author or the principal); the
    kind and the class stay. A new date of a test checks the limits again (G-14). The
    history keeps the old values."""
    permissions.events.require(get_viewer(actor), "change", event)
    event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    errors: dict = {}
    values = _text_values(
        title=title,
        description=description,
        location=location,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    overridden = event.limits_overridden
    if values["date"] != event.date:
        overridden = _check_limits(
            event.kind,
            school_class_id=event.school_class_id,
            group_id=event.group_id,
            date=values["date"],
            school_id=event.school_id,
            confirm=confirm_over_limits,
            exclude_pk=event.pk,
        )
    fields = [*EDITABLE_FIELDS, "limits_overridden"]
    before = audit.snapshot(event, fields=fields)
    for name, value in values.items():
        setattr(event, name, value)
    event.limits_overridden = overridden
    event.save()
    audit.record_update(
        actor=actor, instance=event, before=before, school_class_id=event.school_class_id
    )
    _moved(event)
    return event


@transaction.atomic
def event_delete(*, actor, event: Event) -> None:
    """Delete an event (its author or the principal); the history keeps it. A gradebook
    column made from it stays (it may hold grades). Its attachment goes after the
    commit."""
    permissions.events.require(get_viewer(actor), "change", event)
    audit.record_delete(
        actor=actor, instance=event, school_class_id=event.school_class_id, object_repr=event.title
    )
    attachment = event.attachment
    _moved(event)
    event.delete()
    if attachment:
        storage, name = attachment.storage, attachment.name
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def event_make_column(*, actor, event: Event) -> Assessment:
    """The gradebook column of a planned test or quiz, made with its name, date and
    category (``COLUMN_CATEGORY``) through the grades app's own service – once: a second
    call returns the column made by the first. Homework never becomes a column."""
    viewer = get_viewer(actor)
    permissions.events.require(viewer, "change", event)
    event = (
        Event.objects.select_for_update(of=("self",))
        .select_related("school_class__school", "group", "subject", "assessment")
        .get(pk=event.pk)
    )
    if event.assessment is not None:
        return event.assessment
    if not event.counts_as_test or event.school_class is None or event.subject is None:
        raise ValidationError(_("Only a planned test or quiz becomes a gradebook column."))
    term = current_term(event.school_id, event.date)
    if term is None or term.school_year_id != event.school_class.school_year_id:
        raise ValidationError(_("The test's date falls outside the terms of its school year."))
    category = (
        GradeCategory.objects.filter(
            school_id=event.school_id, is_active=True, name__iexact=COLUMN_CATEGORY[event.kind]
        )
        .order_by("pk")
        .first()
    )
    if category is None:
        raise ValidationError(
            _("The school has no grade category “%(name)s”: add the column in the gradebook.")
            % {"name": COLUMN_CATEGORY[event.kind]}
        )
    assessment = grades_services.assessment_create(
        actor=actor,
        school_class=event.school_class,
        subject=event.subject,
        term=term,
        name=event.title,
        date=event.date,
        category=category,
        group=event.group,
    )
    before = audit.snapshot(event, fields=["assessment"])
    event.assessment = assessment
    event.save(update_fields=["assessment"])
    audit.record_update(
        actor=actor, instance=event, before=before, school_class_id=event.school_class_id
    )
    return assessment


SETTINGS_FIELDS = (
    "tests_per_week",
    "tests_per_day",
    "notice_days",
    "quizzes_count",
    "override_allowed",
)


@transaction.atomic
def planner_settings_update(
    *,
    actor,
    tests_per_week: int,
    tests_per_day: int,
    notice_days: int,
    quizzes_count: bool,
    override_allowed: bool,
) -> PlannerSettings:
    """The school's limits on tests (the principal or deputy, G-14)."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    errors = {}
    for name, value, top in (
        ("tests_per_week", tests_per_week, 20),
        ("tests_per_day", tests_per_day, 10),
        ("notice_days", notice_days, 60),
    ):
        if not 0 <= value <= top:
            errors[name] = [ValidationError(_("Enter a number from 0 to %(top)s.") % {"top": top})]
    if tests_per_day > tests_per_week and "tests_per_day" not in errors:
        errors["tests_per_day"] = [
            ValidationError(_("A day cannot allow more tests than the whole week."))
        ]
    if errors:
        raise ValidationError(errors)
    row, created = PlannerSettings.objects.select_for_update().get_or_create(
        school_id=viewer.school_id
    )
    before = audit.snapshot(row, fields=SETTINGS_FIELDS)
    row.tests_per_week = tests_per_week
    row.tests_per_day = tests_per_day
    row.notice_days = notice_days
    row.quizzes_count = quizzes_count
    row.override_allowed = override_allowed
    row.save()
    if created:
        audit.record_create(actor=actor, instance=row)
    else:
        audit.record_update(actor=actor, instance=row, before=before)
    return row
