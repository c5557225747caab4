"""The year close in the navigation, the deadline on the principal's home page, and the
archive's own files (the register of every class)."""

from __future__ import annotations

from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.cache import config_scope
from dziennik.core.extensions import ArchivePart, HomePanel, NavItem
from dziennik.schools.models import SchoolClass, SchoolYear
from dziennik.schools.viewer import Viewer

from . import documents, permissions, selectors


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not permissions.may_close(viewer, viewer.school_id):
        return []
    return [
        NavItem(_("Year close"), reverse("archive:index"), order=95, key="archive", group="school")
    ]


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """From 1 August until the year's archive exists: the deadline (10 September, L-10)."""
    due = selectors.due_archive(viewer, timezone.localdate())
    if due is None:
        return []
    school_year, deadline = due
    return [
        HomePanel(
            "archive/_home_panel.html",
            {
                "school_year": school_year,
                "deadline": deadline,
                "overdue": timezone.localdate() > deadline,
            },
            order=5,
        )
    ]


def archive_parts(school_year: SchoolYear) -> list[ArchivePart]:
    """The register of each class of the year, as a PDF."""
    classes = (
        SchoolClass.objects.filter(school_year=school_year)
        .select_related("school", "school_year", "class_teacher")
        .order_by("level", "name")
    )
    return [
        ArchivePart(
            name=f"journals/class-{school_class.name}.pdf",
            content_type="application/pdf",
            build=partial(documents.class_journal_pdf, school_class),
            description=_("Register of class %(name)s") % {"name": school_class.name},
        )
        for school_class in classes
    ]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """Only the principal sees the panel: no family's panel shows anything."""
    return [config_scope(viewer.school_id)]
