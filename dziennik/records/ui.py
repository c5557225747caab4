"""The records page in the school menu of the principal and the school's administrator."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import ArchivePart, NavItem
from dziennik.schools.models import SchoolYear
from dziennik.schools.viewer import Viewer

from .permissions import may_export
from .xml_export import SCHEMA_FILE, Scope, schema_document, write_register


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not may_export(viewer):
        return []
    return [
        NavItem(
            _("Register export (XML)"),
            reverse("records:index"),
            order=85,
            key="records",
            group="school",
        )
    ]


def _register_xml(school_year: SchoolYear) -> bytes:
    out = io.BytesIO()
    write_register(out, Scope(school_year.school, school_year))
    return out.getvalue()


def archive_parts(school_year: SchoolYear) -> list[ArchivePart]:
    """The whole school's register of the year as XML (L-10–L-12: signed with XAdES in
    the year-end archive), and the schema it validates against (signed too, so the
    archive can be checked without this installation)."""
    return [
        ArchivePart(
            name="xml/register.xml",
            content_type="application/xml",
            build=lambda: _register_xml(school_year),
            description=_("The register of the school year as XML"),
        ),
        ArchivePart(
            name=f"xml/{SCHEMA_FILE}",
            content_type="application/xml",
            build=schema_document,
            description=_("The XML schema of the register"),
        ),
    ]
