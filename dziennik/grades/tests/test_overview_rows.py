"""The overview's subject rows are written in Python (``grades_tags.overview_rows``) for
the speed of a freshly built page: they must be what the template loop they replaced
wrote, for every state a row can be in."""

import re
from pathlib import Path

from django.template import engines
from django.urls import reverse
from django.utils import translation

from dziennik.core import cache
from dziennik.grades import services
from dziennik.grades.models import GradeVisit
from dziennik.grades.templatetags.grades_tags import overview_rows

from .conftest import add_column
from .test_pages import propose

# The loop of grades/overview.html before the rows were written in Python.
TEMPLATE_LOOP = (Path(__file__).parent / "overview_loop.html").read_text()


def _words(html: str) -> list[str]:
    return re.sub(r">\s+<", "><", html).split()


def _report(world, role):
    """The page's report, every row built afresh (a kept row keeps its html, no rows)."""
    cache.bump(cache.config_scope(world.school.pk))
    url = reverse("grades:student_overview", args=[world.student.pk])
    response = world.client(role).get(url, {"okres": world.term1.pk})
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


def _same_as_the_loop(report, descriptive=False):
    expected = (
        engines["django"]
        .from_string(TEMPLATE_LOOP)
        .render({"report": report, "descriptive": descriptive})
    )
    for s in report.subjects:
        s.html = ""  # written afresh, not the page's (or the cache's) copy
    written = overview_rows(report, descriptive)
    assert _words(written) == _words(expected)
    return written


def test_rows_are_what_the_template_loop_wrote(world, column, grading):
    teacher = world.user("teacher_in")
    quiz = add_column(world, name="Kartkówka <ułamki> & „cudzysłów”", cat="Kartkówka")
    services.grade_set(
        actor=teacher, assessment=quiz, student=world.student, raw="3", comment='"Popraw" <b>'
    )
    propose(world, world.student, 4)
    propose(world, world.student, 3, kind="final")
    for language in ("pl", "en"):
        with translation.override(language):
            GradeVisit.objects.all().delete()
            report, html = _report(world, "teacher_in")  # staff see the proposals
            assert any(s.new_count for s in report.subjects)  # the "new" badge
            assert any(s.proposed_final for s in report.subjects)  # the final columns
            assert any(not s.rows for s in report.subjects)  # a subject without grades
            written = _same_as_the_loop(report)
            assert written.strip() in html
            assert "&lt;ułamki&gt; &amp;" in written and "&lt;b&gt;" in written
            _same_as_the_loop(report, descriptive=True)  # no empty averages


def test_rows_of_a_parent_without_new_grades(world, column):
    _report(world, "own_parent")  # the first visit marks everything seen
    report, _html = _report(world, "own_parent")
    assert not any(s.new_count for s in report.subjects)
    _same_as_the_loop(report)
