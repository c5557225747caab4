"""The promotion lists: in the school menu of the principal and the office; for a class
teacher, a link on their class's grade summary (the top bar stays one row), beside the
class's grade sheets (*arkusze ocen*). Both go into the year-end archive."""

from __future__ import annotations

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import ArchivePart, NavItem
from dziennik.schools.models import Enrolment, SchoolClass, SchoolYear
from dziennik.schools.viewer import Viewer

from . import grade_sheets, permissions, selectors
from .models import PromotionList
from .pdf import grade_sheets_pdf, promotion_list_pdf


def nav_items(viewer: Viewer) -> list[NavItem]:
    if not (viewer.is_authenticated and viewer.is_school_wide):
        return []
    return [
        NavItem(
            _("Promotion"), reverse("promotion:index"), order=78, key="promotion", group="school"
        )
    ]


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """The class's grade summary links its promotion list and its grade sheets."""
    if place != "class_grade_summary" or not permissions.promotion_classes.check(
        viewer, "view", obj
    ):
        return []
    return [
        NavItem(_("Promotion list"), reverse("promotion:class", args=[obj.pk]), key="promotion"),
        NavItem(
            _("Grade sheets (arkusze ocen)"),
            reverse("promotion:sheets", args=[obj.pk]),
            order=51,
            key="grade_sheets",
        ),
    ]


def _list_pdf(school_class: SchoolClass) -> bytes:
    return promotion_list_pdf(selectors.archive_page(school_class))


def _sheets_pdf(school_class: SchoolClass) -> bytes:
    return grade_sheets_pdf(grade_sheets.class_sheets(school_class))


def archive_parts(school_year: SchoolYear) -> list[ArchivePart]:
    """The year-end archive's PDFs: the promotion list of each class that has one, and
    the grade sheets of every class with students (one file a class, as the paper
    sheets are bound by class: one signature a class, not one a student)."""
    return _list_parts(school_year) + _sheet_parts(school_year)


def _sheet_parts(school_year: SchoolYear) -> list[ArchivePart]:
    classes = (
        SchoolClass.objects.filter(
            school_year=school_year,
            pk__in=Enrolment.objects.filter(end_date__isnull=True).values("school_class_id"),
        )
        .select_related("school", "school_year", "class_teacher")
        .order_by("level", "name")
    )
    return [
        ArchivePart(
            name=f"grade-sheets/class-{school_class.name}.pdf",
            content_type="application/pdf",
            build=partial(_sheets_pdf, school_class),
            description=_("Grade sheets (arkusze ocen) of class %(name)s")
            % {"name": school_class.name},
        )
        for school_class in classes
    ]


def _list_parts(school_year: SchoolYear) -> list[ArchivePart]:
    classes = (
        SchoolClass.objects.filter(
            school_year=school_year,
            pk__in=PromotionList.objects.values("school_class_id"),
        )
        .select_related("school", "school_year", "class_teacher")
        .order_by("level", "name")
    )
    return [
        ArchivePart(
            name=f"promotion/class-{school_class.name}.pdf",
            content_type="application/pdf",
            build=partial(_list_pdf, school_class),
            description=_("Promotion list of class %(name)s") % {"name": school_class.name},
        )
        for school_class in classes
    ]
