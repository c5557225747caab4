"""The attendance page's loops written in Python (``attendance_tags``) write what the
template loops they replace wrote, byte for byte: localized numbers (a decimal comma in
Polish), escaped names, the weekday's name as ``|date:"D"``; and the page's own read of
its alerts gives what the family's read gives for one child."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone, translation

from dziennik.attendance.models import AttendanceAlert
from dziennik.attendance.selectors import Tally, alerts_for_students, student_alerts
from dziennik.attendance.selectors.students import GridCell
from dziennik.attendance.templatetags import attendance_tags as tags
from dziennik.schools.tests import factories as sf

# the loops of attendance/student.html before they were written in Python
OLD = {
    "numbers": '{% load i18n %}{% for n in grid.numbers %}<th scope="col" class="num"><span class="visually-hidden">{% translate "lesson" %} </span>{{ n }}</th>{% endfor %}',  # noqa: E501
    "legend": '{% for k in grid.legend %}<div><dt><span class="mark base-{{ k.base }}" data-colour="{{ k.colour }}">{{ k.code }}</span></dt><dd>{{ k.name }}</dd></div>{% endfor %}',  # noqa: E501
    "terms": '{% load i18n %}{% for term, t in stats.terms %}<tr><th scope="row">{% translate "term" %} {{ term.number }}</th><td>{{ t.present }}</td><td>{{ t.absent }}</td><td>{% if t.percent is not None %}{{ t.percent }}%{% else %}–{% endif %}</td></tr>{% endfor %}',  # noqa: E501
    "subjects": """{% load i18n %}{% for name, t in stats.subjects %}<tr><th scope="row">{{ name }}</th><td>{{ t.present }}</td><td>{{ t.absent }}</td><td>{{ t.excluded }}</td><td {% if t.percent is not None and t.percent < 50 %}class="pct-low"{% endif %}>{% if t.percent is not None %}{{ t.percent }}%{% else %}–{% endif %}</td></tr>
    {% empty %}<tr><td colspan="5">{% translate "No attendance yet." %}</td></tr>{% endfor %}""",  # noqa: E501
    "months": '{% for month, t in stats.months %}<tr><th scope="row">{{ month|date:"m.Y" }}</th><td>{{ t.present }}</td><td>{{ t.absent }}</td><td>{% if t.percent is not None %}{{ t.percent }}%{% else %}–{% endif %}</td></tr>{% endfor %}',  # noqa: E501
}


class _Term:
    def __init__(self, number):
        self.number = number


def _tally(present, absent, excluded=0) -> Tally:
    return Tally(present=present, absent=absent, excluded=excluded)


def _old(name: str, **context) -> str:
    return Template(OLD[name]).render(Context(context))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_summary_and_grid_heads_are_the_loops_they_replace(language):
    legend = [
        GridCell("nb", "nieobecność <b>", "absent", "#c00&", "Historia"),
        GridCell("sp", 'spóźnienie "x"', "late", "", "Matematyka"),
    ]
    subjects = [
        ('Język <polski> & "literatura"', _tally(2, 1, 3)),  # 66.7: a decimal comma in pl
        ("Fizyka", _tally(1, 2)),  # 33.3: under 50
        ("Religia", _tally(0, 0, 4)),  # no percent
        ("Wychowanie fizyczne", _tally(1, 1)),  # exactly 50: not low
    ]
    months = [(datetime.date(2026, 9, 1), _tally(10, 3)), (datetime.date(2027, 1, 1), Tally())]
    terms = [(_Term(1), _tally(1234, 5)), (_Term(2), Tally())]
    grid = {"numbers": [0, 1, 2, 10], "legend": legend}
    stats = {"subjects": subjects, "months": months, "terms": terms}
    with translation.override(language):
        assert tags.grid_numbers(grid["numbers"]) == _old("numbers", grid=grid)
        assert tags.grid_legend(legend) == _old("legend", grid=grid)
        assert tags.term_rows(terms) == _old("terms", stats=stats)
        assert tags.subject_rows(subjects) == _old("subjects", stats=stats)
        assert tags.subject_rows([]) == _old("subjects", stats={"subjects": []})
        assert tags.month_rows(months) == _old("months", stats=stats)
        written = tags.subject_rows(subjects)
    assert "&lt;polski&gt; &amp; &quot;literatura&quot;" in written
    assert written.count('class="pct-low"') == 1
    assert ("66,7%" if language == "pl" else "66.7%") in written


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_grid_names_each_weekday_as_the_date_filter_does(language):
    monday = datetime.date(2026, 11, 30)
    cell = GridCell("ob", "obecność", "present", "", "Historia")
    days = [(monday + datetime.timedelta(days=n), [[cell]]) for n in range(7)]
    with translation.override(language):
        written = tags.day_grid_rows(days)
        expected = [dateformat.format(day, "D d.m") for day, _cells in days]
    for day, label in zip(days, expected, strict=True):
        assert f'<tr data-date="{day[0].isoformat()}"><th scope="row">{label}</th>' in written


def test_the_pages_alerts_are_the_familys_alerts_of_that_child(world, django_assert_num_queries):
    other = sf.StudentFactory(school=world.school, first_name="Antoni")
    sf.EnrolmentFactory(student=other, school_class=world.other_class, journal_number=30)
    today = timezone.localdate()
    since = today - datetime.timedelta(days=14)
    Kind = AttendanceAlert.Kind
    for number, (student, school_class, kind, days_ago, active) in enumerate(
        [
            (world.student, world.school_class, Kind.RISK, 40, True),  # old, but a risk
            (world.student, world.school_class, Kind.SELECTIVE, 3, True),
            (world.student, world.school_class, Kind.UNEXCUSED, 3, True),
            (world.student, world.school_class, Kind.UNEXCUSED, 20, True),  # too old
            (world.student, world.school_class, Kind.UNEXCUSED, 1, False),  # inactive
            (other, world.other_class, Kind.UNEXCUSED, 1, True),  # another child's
        ]
    ):
        AttendanceAlert.objects.create(
            school=world.school,
            student=student,
            school_class=school_class,
            kind=kind,
            key=f"k-{number}",
            date=today - datetime.timedelta(days=days_ago),
            is_active=active,
        )
    with django_assert_num_queries(1):
        alerts = student_alerts(world.student.pk, since=since)
        shown = [(a.kind, a.lesson, a.subject) for a in alerts]
    family = alerts_for_students([world.student.pk], since=since)
    assert [a.pk for a in alerts] == [a.pk for a in family]
    assert [kind for kind, _lesson, _subject in shown] == [
        Kind.SELECTIVE,
        Kind.UNEXCUSED,
        Kind.RISK,
    ]
    assert student_alerts(other.pk, since=since)[0].student_id == other.pk


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_percent_is_written_as_the_template_wrote_it(language):
    # the percents of ``statistics.percent`` (one decimal place, 0 to 100) are written
    # with the language's decimal separator looked up once per table: every one of them
    # as ``{{ t.percent }}`` wrote it, the 0.0 and 100.0 among them
    months = [
        (datetime.date(2026, 9, 1), _tally(present, 1000 - present)) for present in range(1001)
    ]
    months += [
        (datetime.date(2026, 10, 1), _tally(2, 1)),
        (datetime.date(2026, 11, 1), _tally(1, 2)),
    ]
    assert {str(t.percent) for _m, t in months} >= {"0.0", "100.0", "66.7", "33.3", "50.0"}
    with translation.override(language):
        assert tags.month_rows(months) == _old("months", stats={"months": months})
