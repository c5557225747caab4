import datetime
import re
from decimal import Decimal

import pytest

from dziennik.attendance import selectors
from dziennik.attendance.models import AttendanceAlert, AttendanceSettings
from dziennik.attendance.tasks import attendance_alerts_sweep
from dziennik.schools.viewer import get_viewer

from .factories import build_register, save_lesson


@pytest.fixture
def reg(world):
    return build_register(world)


def week_ago(reg):
    return reg.day - datetime.timedelta(days=7)


def test_statistics_match_hand_computed_figures_for_every_kind(world, reg):
    s = world.student
    # a week ago: lesson 1 present, 2 absent, 3 absent for school reasons, 4 released
    save_lesson(world, reg, reg.history1, {s: "ob"}, day=week_ago(reg))
    save_lesson(world, reg, reg.math2, {s: "nb"}, day=week_ago(reg))
    save_lesson(world, reg, reg.math3, {s: "ns"}, day=week_ago(reg))
    save_lesson(world, reg, reg.history4, {s: "zw"}, day=week_ago(reg))
    # today: late, late excused, absent excused, present
    save_lesson(world, reg, reg.history1, {s: "sp"})
    save_lesson(world, reg, reg.math2, {s: "su"})
    save_lesson(world, reg, reg.math3, {s: "u"})
    save_lesson(world, reg, reg.history4, {s: "ob"})

    stats = selectors.student_statistics(s, week_ago(reg), reg.day, [world.term1, world.term2])
    overall = stats["overall"]
    # present = ob, ob, ns (school reasons), sp, su; absent = nb, u; zw left out
    assert (overall.present, overall.absent, overall.excluded) == (5, 2, 1)
    assert overall.percent == Decimal("71.4")  # 5 / 7
    kinds = reg.kinds
    assert overall.by_kind == {
        kinds["ob"].pk: 2,
        kinds["nb"].pk: 1,
        kinds["ns"].pk: 1,
        kinds["zw"].pk: 1,
        kinds["sp"].pk: 1,
        kinds["su"].pk: 1,
        kinds["u"].pk: 1,
    }
    subjects = {name: t for name, t in stats["subjects"]}
    assert (subjects["Historia"].present, subjects["Historia"].excluded) == (3, 1)
    assert subjects["Historia"].percent == Decimal("100.0")
    assert (subjects["Matematyka"].present, subjects["Matematyka"].absent) == (2, 2)
    assert subjects["Matematyka"].percent == Decimal("50.0")
    months = dict(stats["months"])
    assert sum(t.present for t in months.values()) == 5
    assert sum(t.absent for t in months.values()) == 2
    assert {m.month for m in months} == {week_ago(reg).month, reg.day.month}
    terms = {term.number: t for term, t in stats["terms"]}
    assert terms[1].present + terms[2].present == 5
    assert terms[1].absent + terms[2].absent == 2

    # the classmate was present everywhere: class = 13 present, 2 absent → 86.7%
    klass = selectors.class_statistics(
        get_viewer(world.user("principal")), world.school_class, week_ago(reg), reg.day
    )
    rows = {e.student_id: t for e, t in klass["rows"]}
    assert rows[world.classmate.pk].percent == Decimal("100.0")
    assert rows[s.pk].percent == Decimal("71.4")
    assert (klass["overall"].present, klass["overall"].absent) == (13, 2)
    assert klass["overall"].percent == Decimal("86.7")
    school = dict(
        selectors.school_statistics(get_viewer(world.user("principal")), week_ago(reg), reg.day)
    )
    assert school[world.school_class].percent == Decimal("86.7")
    assert school[world.other_class].percent is None
    assert (
        selectors.school_statistics(get_viewer(world.user("teacher_in")), week_ago(reg), reg.day)
        == []
    )


def alerts(**filters):
    return set(
        AttendanceAlert.objects.filter(is_active=True, **filters).values_list(
            "kind", "student_id", "lesson__slot__number"
        )
    )


def test_selective_absence_is_flagged_when_present_before_and_after(world, reg):
    s, c = world.student, world.classmate
    # student: 1 present, 2 absent, 3 present, 4 absent; classmate: 1 absent, 2-4 present
    save_lesson(world, reg, reg.history1, {c: "nb"})
    save_lesson(world, reg, reg.math2, {s: "nb"})
    assert alerts(kind="selective") == set()  # nothing after lesson 2 yet
    save_lesson(world, reg, reg.math3, {})
    assert alerts(kind="selective") == {("selective", s.pk, 2)}
    save_lesson(world, reg, reg.history4, {s: "nb"})
    # lesson 4 has no lesson after it; the classmate's absence has none before it
    assert alerts(kind="selective") == {("selective", s.pk, 2)}
    alert = AttendanceAlert.objects.get(kind="selective")
    assert alert.school_class_id == world.school_class.pk and alert.date == reg.day


def test_late_and_released_are_not_selective_absences(world, reg):
    s = world.student
    save_lesson(world, reg, reg.history1, {})
    save_lesson(world, reg, reg.math2, {s: "sp"})
    save_lesson(world, reg, reg.math3, {s: "zw"})
    save_lesson(world, reg, reg.history4, {})
    assert alerts(kind="selective") == set()
    assert alerts(kind="unexcused") == set()


def test_same_day_warning_is_idempotent_and_follows_corrections(world, reg):
    s = world.student
    save_lesson(world, reg, reg.history1, {})
    lesson = save_lesson(world, reg, reg.math2, {s: "nb"})
    save_lesson(world, reg, reg.math3, {})
    assert alerts(kind="unexcused") == {("unexcused", s.pk, 2)}
    # saving again creates nothing new
    save_lesson(world, reg, reg.math2, {s: "nb"})
    save_lesson(world, reg, reg.math3, {})
    assert AttendanceAlert.objects.filter(student=s).count() == 2  # unexcused + selective
    # the teacher corrects the mark: both warnings go away
    save_lesson(world, reg, reg.math2, {s: "ob"})
    assert alerts() == set()
    # and come back (the same rows) when the absence is entered again
    save_lesson(world, reg, reg.math2, {s: "nb"})
    assert alerts() == {("unexcused", s.pk, 2), ("selective", s.pk, 2)}
    assert AttendanceAlert.objects.count() == 2
    assert lesson.pk == AttendanceAlert.objects.get(kind="unexcused").lesson_id


def test_parent_sees_the_same_day_warning_on_the_home_page(world, reg):
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    own = world.client("own_parent").get("/").content.decode()
    assert f'data-alert-kind="unexcused" data-student="{world.student.pk}"' in own
    other = world.client("other_parent").get("/").content.decode()
    assert 'data-alert-kind="unexcused"' not in other


def test_non_classification_risk_is_flagged_below_half(world, reg):
    s = world.student
    save_lesson(world, reg, reg.math2, {s: "nb"}, day=week_ago(reg))
    save_lesson(world, reg, reg.math3, {s: "u"}, day=week_ago(reg))
    save_lesson(world, reg, reg.math2, {s: "nb"})
    assert alerts(kind="risk") == set()  # only 3 lessons so far: too early to judge
    save_lesson(world, reg, reg.math3, {})
    risk = AttendanceAlert.objects.get(kind="risk", is_active=True)
    assert (risk.student_id, risk.subject_id, risk.percent) == (
        s.pk,
        world.subject.pk,
        Decimal("25.0"),
    )
    assert risk.term_id in (world.term1.pk, world.term2.pk)
    home = world.client("class_teacher").get("/").content.decode()
    assert f'data-alert-kind="risk" data-student="{s.pk}"' in home
    # with the school's threshold lowered to 20% the risk is gone at the next sweep
    AttendanceSettings.objects.create(school=world.school, risk_threshold_percent=20)
    attendance_alerts_sweep.enqueue(world.school.pk, reg.day.isoformat())
    assert alerts(kind="risk") == set()


def test_nightly_sweep_task_is_idempotent(world, reg):
    save_lesson(world, reg, reg.history1, {})
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    save_lesson(world, reg, reg.math3, {})
    AttendanceAlert.objects.all().delete()
    for _ in range(2):
        result = attendance_alerts_sweep.enqueue(world.school.pk, reg.day.isoformat())
        assert result.return_value == 2
    assert alerts() == {("unexcused", world.student.pk, 2), ("selective", world.student.pk, 2)}
    assert AttendanceAlert.objects.count() == 2


def test_class_summary_highlights_attendance_below_the_schools_threshold(world, reg):
    # the student: 1 of 2 lessons today (50%); the classmate: 2 of 2
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    save_lesson(world, reg, reg.math3, {})
    client = world.client("class_teacher")
    url = f"/frekwencja/klasa/{world.school_class.pk}/"

    def low_rows():
        page = client.get(url).content.decode()
        return {
            int(pk)
            for pk, cells in re.findall(r'<tr data-student="(\d+)">(.*?)</tr>', page)
            if "pct-low" in cells
        }

    assert low_rows() == set()  # 50% is not below the default threshold of 50%
    AttendanceSettings.objects.create(school=world.school, risk_threshold_percent=60)
    assert low_rows() == {world.student.pk}
