"""The archive's own documents: the register of each class (PDF), the close protocol
(PDF) and its XML summary, valid against ``schema/year-close-1.xsd``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from dziennik.core.printing import render_pdf
from dziennik.schools.models import SchoolClass, SchoolYear

from .selectors import Check, class_journal

SCHEMA = Path(__file__).resolve().parent / "schema" / "year-close-1.xsd"
NAMESPACE = "urn:dziennik:year-close:1"


@dataclass(frozen=True)
class FileEntry:
    """A file of the archive as the manifest and the protocol list it."""

    name: str
    content_type: str
    size: int
    sha256: str
    signature: str
    signed_at: str


def class_journal_pdf(school_class: SchoolClass) -> bytes:
    """The class's register of the year (annual grades, behaviour, attendance, lessons
    with topics), in the school's language."""
    return render_pdf(
        "archive/print/class_journal.html",
        {"journal": class_journal(school_class), "school_name": school_class.school.name},
        language=settings.LANGUAGE_CODE,
    )


def protocol_pdf(
    *,
    school_year: SchoolYear,
    closed_by: str,
    closed_at: datetime.datetime,
    signer: str,
    checks: list[Check],
    override_reason: str,
    files: list[FileEntry],
) -> bytes:
    return render_pdf(
        "archive/print/protocol.html",
        {
            "school_year": school_year,
            "school_name": school_year.school.name,
            "closed_by": closed_by,
            "closed_at": closed_at,
            "signer": signer,
            "checks": checks,
            "override_reason": override_reason,
            "files": files,
        },
        language=settings.LANGUAGE_CODE,
    )


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


class InvalidDocument(ValueError):
    """The XML does not validate against its schema (a bug of ours, never the user's)."""


def validate(document: bytes) -> None:
    root = etree.fromstring(document)
    if not schema().validate(root):
        raise InvalidDocument(str(schema().error_log))


def summary_xml(
    *,
    school_year: SchoolYear,
    closed_by: str,
    closed_at: datetime.datetime,
    checks: list[Check],
    override_reason: str,
    files: list[FileEntry],
) -> bytes:
    """The close protocol as XML, validated against the schema (before it is signed)."""

    def sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
        element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    school = school_year.school
    root = etree.Element(f"{{{NAMESPACE}}}yearClose", {"version": "1"}, nsmap={None: NAMESPACE})
    school_element = sub(root, "school")
    sub(school_element, "name", school.name)
    sub(school_element, "rspo", school.rspo)
    sub(school_element, "city", school.city)
    sub(
        root,
        "schoolYear",
        name=school_year.name,
        start=school_year.start_date.isoformat(),
        end=school_year.end_date.isoformat(),
    )
    sub(root, "closedBy", closed_by)
    sub(root, "closedAt", closed_at.isoformat())
    checks_element = sub(root, "checks", missing=str(sum(c.count for c in checks)))
    for check in checks:
        sub(checks_element, "check", str(check.title), key=check.key, missing=str(check.count))
    if override_reason:
        sub(root, "overrideReason", override_reason)
    files_element = sub(root, "files")
    for file in files:
        sub(
            files_element,
            "file",
            name=file.name,
            contentType=file.content_type,
            size=str(file.size),
            sha256=file.sha256,
        )
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    validate(document)
    return document
