"""Writes of learning tools: the principal registers and revokes tools; a teacher
places one in a class's subject (with a gradebook column if they want), chooses its
content (deep linking) and closes the column to scores; a tool's scores become grades.
Each write is one transaction with its entry in the history (never a key)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.grades import permissions as grade_permissions
from dziennik.grades import services as grades
from dziennik.grades.models import Assessment, Grade, GradeCategory
from dziennik.schools.models import SchoolClass, Student, Subject
from dziennik.schools.selectors import current_term
from dziennik.schools.viewer import get_viewer

from . import permissions
from .models import LineItem, Placement, ServiceToken, Tool

TOOL_FIELDS = (
    "name",
    "client_id",
    "deployment_id",
    "login_url",
    "launch_url",
    "redirect_uris",
    "deep_link_url",
    "jwks_url",
    "share_name",
    "share_email",
    "active",
)
MAX_SCORE = Decimal("9999")


def _url_errors(field: str, value: str, errors: dict, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            errors.setdefault(field, []).append(_("Give the address."))
        return ""
    parts = urlsplit(value)
    schemes = settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
    if parts.scheme not in schemes or not parts.netloc or parts.fragment:
        errors.setdefault(field, []).append(
            _("%(uri)s is not an allowed address (%(schemes)s, no #fragment).")
            % {"uri": value, "schemes": ", ".join(schemes)}
        )
    return value


def _clean_tool(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Give the tool a name."))
    cleaned = {"name": name[:100]}
    for field, required in (
        ("login_url", True),
        ("launch_url", True),
        ("deep_link_url", False),
        ("jwks_url", False),
    ):
        cleaned[field] = _url_errors(field, data.get(field, ""), errors, required=required)
    uris = [
        _url_errors("redirect_uris", u, errors, required=False)
        for u in data.get("redirect_uris", [])
    ]
    cleaned["redirect_uris"] = " ".join(dict.fromkeys(u for u in uris if u))
    public_key = (data.get("public_key") or "").strip()
    if public_key:
        try:
            serialization.load_pem_public_key(public_key.encode())
        except ValueError:
            errors.setdefault("public_key", []).append(_("This is not a public key in PEM."))
    if not public_key and not cleaned["jwks_url"]:
        errors.setdefault("jwks_url", []).append(
            _("Give the tool's JWKS address or its public key.")
        )
    cleaned["public_key"] = public_key
    cleaned["share_name"] = bool(data.get("share_name"))
    cleaned["share_email"] = bool(data.get("share_email"))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _record(*, actor, instance, action: str, before: dict | None, fields, **extra) -> None:
    after = audit.snapshot(instance, fields=fields) | extra
    before = before or {}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        audit.record_many(
            [audit.build_entry(actor=actor, instance=instance, action=action, changes=changes)]
        )


def tool_register(*, actor, **data) -> Tool:
    """Register a learning tool of the actor's school (its principal). The register
    gives it a client id and a deployment id (shown on the list)."""
    viewer = get_viewer(actor)
    if not permissions.manages_tools(viewer):
        raise Http404
    cleaned = _clean_tool(data)
    if Tool.objects.filter(school_id=viewer.school_id, name=cleaned["name"]).exists():
        raise ValidationError({"name": [_("The school has a tool of this name already.")]})
    with transaction.atomic():
        tool = Tool.objects.create(school_id=viewer.school_id, **cleaned)
        _record(actor=actor, instance=tool, action="create", before=None, fields=TOOL_FIELDS)
    return tool


def tool_revoke(*, actor, tool: Tool) -> int:
    """Switch a tool off: its launches, service tokens and scores stop at once (its links
    and the grades it gave stay). Returns how many tokens were revoked."""
    permissions.tools.require(get_viewer(actor), "manage", tool)
    with transaction.atomic():
        tool = Tool.objects.select_for_update().get(pk=tool.pk)
        before = audit.snapshot(tool, fields=TOOL_FIELDS)
        revoked, _detail = ServiceToken.objects.filter(tool=tool).delete()
        tool.active = False
        tool.save(update_fields=["active"])
        _record(
            actor=actor,
            instance=tool,
            action="update",
            before=before,
            fields=TOOL_FIELDS,
            tokens_revoked=revoked,
        )
    return revoked


def _new_column(*, actor, placement: Placement, label: str, maximum: Decimal) -> Assessment:
    term = current_term(placement.school_id)
    if term is None:
        raise ValidationError({"with_column": [_("The school has no current term.")]})
    category = placement.category or (
        GradeCategory.objects.filter(school_id=placement.school_id, is_active=True)
        .order_by("weight", "name")
        .first()
    )
    return grades.assessment_create(
        actor=actor,
        school_class=placement.school_class,
        subject=placement.subject,
        term=term,
        name=label[:120],
        date=timezone.localdate(),
        category=category,
        kind=Assessment.Kind.POINTS,
        max_points=maximum,
    )


def score_maximum(raw) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("The maximum score must be a number.")) from exc
    if not value.is_finite() or value <= 0 or value > MAX_SCORE:
        raise ValidationError(
            _("The maximum score must be above 0 and at most %(max)s.") % {"max": MAX_SCORE}
        )
    return value.quantize(Decimal("0.01"))


def line_item_create(
    *, actor, placement: Placement, label: str, maximum, resource_id: str = "", tag: str = ""
) -> LineItem:
    """A gradebook column (points, up to ``maximum``) for the link's tool's scores, made
    in the name of the teacher who placed the link (``actor``)."""
    maximum = score_maximum(maximum)
    label = (label or "").strip() or placement.title
    with transaction.atomic():
        assessment = _new_column(actor=actor, placement=placement, label=label, maximum=maximum)
        line_item = LineItem.objects.create(
            school_id=placement.school_id,
            tool_id=placement.tool_id,
            placement=placement,
            assessment=assessment,
            label=label[:120],
            score_maximum=maximum,
            resource_id=(resource_id or "")[:200],
            tag=(tag or "")[:200],
        )
        audit.record_create(
            actor=actor, instance=line_item, school_class_id=placement.school_class_id
        )
    return line_item


def placement_add(
    *,
    actor,
    tool: Tool,
    school_class: SchoolClass,
    subject: Subject,
    title: str,
    url: str = "",
    category: GradeCategory | None = None,
    column_maximum: Decimal | None = None,
) -> Placement:
    """A teacher of the subject in the class places the school's tool there (and, with
    ``column_maximum``, a points column for its scores)."""
    viewer = get_viewer(actor)
    if (
        not viewer.is_teacher
        or tool.school_id != viewer.school_id
        or not tool.active
        or school_class.school_id != viewer.school_id
        or not grades_can_place(viewer, school_class, subject)
    ):
        raise Http404
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the link a title."))
    url = _url_errors("url", url, errors, required=False)
    if category is not None and category.school_id != viewer.school_id:
        errors.setdefault("category", []).append(_("Choose a category of this school."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        placement = Placement.objects.create(
            school_id=viewer.school_id,
            tool=tool,
            school_class=school_class,
            subject=subject,
            teacher_id=actor.pk,
            title=title[:200],
            url=url,
            category=category,
        )
        audit.record_create(actor=actor, instance=placement, school_class_id=school_class.pk)
        if column_maximum is not None:
            line_item_create(actor=actor, placement=placement, label=title, maximum=column_maximum)
    return placement


def grades_can_place(viewer, school_class: SchoolClass, subject: Subject) -> bool:
    return grade_permissions.can_grade(
        viewer, school_class=school_class, subject_id=subject.pk, group_id=None
    )


def deep_link_apply(*, actor, placement: Placement, item: dict) -> Placement:
    """Store the content the teacher chose in the tool (an ``ltiResourceLink`` content
    item) as the link's address and title, and its ``lineItem`` as a gradebook column."""
    permissions.placements.require(get_viewer(actor), "manage", placement)
    errors: dict[str, list[str]] = {}
    if item.get("type") != "ltiResourceLink":
        raise ValidationError(_("The tool sent content of a kind the register does not take."))
    url = _url_errors("url", str(item.get("url") or ""), errors, required=False)
    if errors:
        raise ValidationError(errors)
    line_item = item.get("lineItem") if isinstance(item.get("lineItem"), dict) else None
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        before = audit.snapshot(placement, fields=("title", "url"))
        placement.title = (str(item.get("title") or "").strip() or placement.title)[:200]
        placement.url = url or placement.url
        placement.save(update_fields=["title", "url"])
        audit.record_update(
            actor=actor,
            instance=placement,
            before=before,
            school_class_id=placement.school_class_id,
        )
        if line_item is not None:
            line_item_create(
                actor=actor,
                placement=placement,
                label=str(line_item.get("label") or placement.title),
                maximum=line_item.get("scoreMaximum"),
                resource_id=str(line_item.get("resourceId") or ""),
                tag=str(line_item.get("tag") or ""),
            )
    return placement


def line_item_lock(*, actor, line_item: LineItem, locked: bool) -> LineItem:
    """Close (or reopen) the column to the tool's scores: a teacher of the link."""
    permissions.placements.require(get_viewer(actor), "manage", line_item.placement)
    with transaction.atomic():
        line_item = LineItem.objects.select_for_update().get(pk=line_item.pk)
        before = audit.snapshot(line_item, fields=("locked",))
        line_item.locked = locked
        line_item.save(update_fields=["locked"])
        audit.record_update(
            actor=actor,
            instance=line_item,
            before=before,
            school_class_id=line_item.assessment.school_class_id,
        )
    return line_item


class ScoreRefused(Exception):
    """A score the register does not take (the message says why); nothing is written."""


def score_post(*, tool: Tool, line_item: LineItem, student: Student, given, maximum) -> Grade:
    """A tool's score (``scoreGiven`` of ``scoreMaximum``) as the student's points in the
    column, scaled to its maximum; the grade follows from the school's percentage table
    (G-09). Out of range, a closed column or a closed year: ``ScoreRefused``."""
    if line_item.locked:
        raise ScoreRefused(_("The teacher has closed this column to the tool's scores."))
    try:
        given = Decimal(str(given))
        maximum = Decimal(str(maximum))
    except (InvalidOperation, ValueError) as exc:
        raise ScoreRefused(_("scoreGiven and scoreMaximum must be numbers.")) from exc
    if not (given.is_finite() and maximum.is_finite()) or maximum <= 0:
        raise ScoreRefused(_("scoreMaximum must be above 0."))
    if given < 0 or given > maximum:
        raise ScoreRefused(_("scoreGiven must be between 0 and scoreMaximum."))
    column_maximum = line_item.assessment.max_points
    points = (given * column_maximum / maximum).quantize(Decimal("0.01"))
    try:
        grade = grades.grade_set_by_system(
            source=f"LTI: {tool.name}",
            assessment=line_item.assessment,
            student=student,
            points=points,
        )
    except ValidationError as exc:
        raise ScoreRefused(" ".join(exc.messages)) from exc
    Tool.objects.filter(pk=tool.pk).update(last_score_at=timezone.now())
    return grade


def launch_noted(*, tool_id: int) -> None:
    """Remember when the tool was last launched (the school's list shows it). A
    timestamp, like a last login: not in the history."""
    Tool.objects.filter(pk=tool_id).update(last_launch_at=timezone.now())
