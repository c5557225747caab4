"""Checks of a message's attachments before anything is stored (M-04): a name that is
a plain file name, a type the school allows recognised by the file's content (its name
must agree; an office document must be one, not any ZIP), and the school's size limit."""

from __future__ import annotations

import os
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dziennik.core.uploads import office_document

from .models import ATTACHMENT_KIND_CHOICES, ATTACHMENT_KINDS, MessagingSettings

MAX_ATTACHMENTS = 5
MAX_NAME = 150
# Enough of the file's start to recognise every allowed type.
HEAD_BYTES = 16


def kind_labels(kinds) -> str:
    labels = dict(ATTACHMENT_KIND_CHOICES)
    return ", ".join(str(labels[k]) for k in kinds if k in labels)


def _name_refused(name: str) -> bool:
    """A name with a path in it, or one no file system takes as a plain name: separators,
    parent references (also escaped), a leading dot, control characters, a stream or
    drive colon."""
    if not name or len(name) > MAX_NAME or name != name.strip():
        return True
    lowered = name.lower()
    if any(part in lowered for part in ("/", "\\", "..", "%2e", "%2f", "%5c", ":")):
        return True
    if name.startswith(".") or name.startswith("~"):
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)


def _kind_by_content(head: bytes) -> str | None:
    for kind, (_extensions, signatures) in ATTACHMENT_KINDS.items():
        if any(head.startswith(s) for s in signatures):
            return kind
    return None


def checked(uploads, rules: MessagingSettings) -> list[tuple[object, str]]:
    """Each upload with its kind, or ``ValidationError`` on ``attachments`` naming every
    refused file (nothing is stored then)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}}
        )
    allowed = rules.allowed_kinds
    limit = rules.attachment_max_mb * 1024 * 1024
    errors: list[str] = []
    result = []
    for upload in uploads:
        name = upload.name or ""
        if _name_refused(name):
            errors.append(
                _("“%(name)s”: the file name may not contain a path or special characters.")
                % {"name": name[:MAX_NAME]}
            )
            continue
        if upload.size > limit:
            errors.append(
                _("“%(name)s” is larger than %(mb)s MB.")
                % {"name": name, "mb": rules.attachment_max_mb}
            )
            continue
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        kind = _kind_by_content(head)
        extension = os.path.splitext(name)[1].lower()
        if (
            kind not in allowed
            or extension not in ATTACHMENT_KINDS[kind][0]
            or (kind == "office" and not office_document(upload, extension))
        ):
            errors.append(
                _("“%(name)s”: its content is not an allowed type (%(types)s).")
                % {"name": name, "types": kind_labels(allowed)}
            )
            continue
        result.append((upload, kind))
    if errors:
        raise ValidationError({"attachments": errors})
    return result
