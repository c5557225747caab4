"""Every URL of the grading rule tables, requested as every role (and the secretary).

The principal of another school manages their own school: they get the pages (of their
school, without a trace of this one) but none of this school's rows. Refused writes
change nothing.
"""

import pytest

from dziennik.grades import settings_services
from dziennik.grades.models import AverageThreshold, GradeCategory, PointScaleStep, SpecialMark
from testsupport.world import ROLES

SECRET_CATEGORY = "Tajny konkurs kuratoryjny"
SECRET_MARK = "tajemniczy znak"


def expect(default, **overrides):
    result = dict.fromkeys([*ROLES, "secretary"], default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


# The school's own rules: its principal; another school's principal sees their own school.
RULES_PAGE = expect(404, principal=200, other_principal=200)
RULES_POST = expect(404, principal=302, other_principal=302)
# One row of this school: its principal only.
RULES_OBJECT = expect(404, principal=200)
OBJECT_POST = expect(404, principal=302)


def refused(expected):
    return [r for r in expected if expected[r] != 302 or r == "anonymous"]


@pytest.fixture
def rows(world, grading):
    principal = world.user("principal")
    return {
        "category": settings_services.grade_category_create(
            actor=principal, name=SECRET_CATEGORY, weight=5, colour="#5b2a86"
        ),
        "mark": settings_services.special_mark_create(
            actor=principal, symbol="tz", name=SECRET_MARK
        ),
    }


def state():
    return (
        sorted(GradeCategory.objects.values_list("school_id", "name", "weight", "is_active")),
        sorted(SpecialMark.objects.values_list("school_id", "symbol", "name", "rule")),
        sorted(PointScaleStep.objects.values_list("school_id", "min_percent", "symbol")),
        sorted(AverageThreshold.objects.values_list("school_id", "grade", "min_average")),
    )


def test_overview(matrix, rows):
    matrix.check(
        "/oceny/ustawienia/tabele/",
        RULES_PAGE,
        secrets=[SECRET_CATEGORY, SECRET_MARK],
        secrets_for={"other_principal": [SECRET_CATEGORY, SECRET_MARK]},
    )


def test_usual_rules_setup(matrix, world, rows):
    url = "/oceny/ustawienia/tabele/domyslne/"
    # this school has its rules already: nothing changes for anyone here
    matrix.check(url, RULES_POST, method="post", state=state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", state=state, roles=["principal"])
    # the other principal sets up their own school
    matrix.check(url, RULES_POST, method="post", roles=["other_principal"])
    assert GradeCategory.objects.filter(school=world.other_school).count() == 7
    assert GradeCategory.objects.filter(school=world.school).count() == 8


def test_new_category(matrix, world, rows):
    url = "/oceny/ustawienia/kategorie/nowa/"
    matrix.check(url, RULES_PAGE, secrets_for={"other_principal": [SECRET_CATEGORY]})
    data = {"name": "Dyktando", "weight": "2", "colour": "#1e6b35", "is_active": "on"}
    matrix.check(url, RULES_POST, method="post", data=data, state=state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", data=data, roles=["principal"])
    assert GradeCategory.objects.get(school=world.school, name="Dyktando").weight == 2
    # another school's principal adds to their own school only
    matrix.check(url, RULES_POST, method="post", data=data, roles=["other_principal"])
    assert GradeCategory.objects.filter(school=world.other_school, name="Dyktando").count() == 1


def test_edit_category(matrix, rows):
    category = rows["category"]
    url = f"/oceny/ustawienia/kategorie/{category.pk}/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_CATEGORY])
    data = {"name": "Konkurs", "weight": "4", "colour": "#5b2a86", "is_active": "on"}
    matrix.check(
        url, OBJECT_POST, method="post", data=data, state=state, roles=refused(OBJECT_POST)
    )
    matrix.check(url, OBJECT_POST, method="post", data=data, roles=["principal"])
    category.refresh_from_db()
    assert (category.name, category.weight) == ("Konkurs", 4)


def test_delete_category(matrix, rows):
    category = rows["category"]
    url = f"/oceny/ustawienia/kategorie/{category.pk}/usun/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_CATEGORY])
    matrix.check(url, OBJECT_POST, method="post", state=state, roles=refused(OBJECT_POST))
    matrix.check(url, OBJECT_POST, method="post", roles=["principal"])
    assert not GradeCategory.objects.filter(pk=category.pk).exists()


def test_new_mark(matrix, world, rows):
    url = "/oceny/ustawienia/oceny-specjalne/nowa/"
    matrix.check(url, RULES_PAGE, secrets_for={"other_principal": [SECRET_MARK]})
    data = {"symbol": "zw", "name": "zwolniony", "rule": "ignored", "converted_weight": "1"}
    matrix.check(url, RULES_POST, method="post", data=data, state=state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", data=data, roles=["principal"])
    assert SpecialMark.objects.get(school=world.school, symbol="zw").name == "zwolniony"


def test_edit_mark(matrix, rows):
    mark = rows["mark"]
    url = f"/oceny/ustawienia/oceny-specjalne/{mark.pk}/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_MARK])
    data = {
        "symbol": "tz",
        "name": "jawny znak",
        "rule": "value",
        "value": "3",
        "converted_weight": "1",
    }
    matrix.check(
        url, OBJECT_POST, method="post", data=data, state=state, roles=refused(OBJECT_POST)
    )
    matrix.check(url, OBJECT_POST, method="post", data=data, roles=["principal"])
    mark.refresh_from_db()
    assert (mark.name, mark.rule, mark.value) == ("jawny znak", "value", 3)


def test_delete_mark(matrix, rows):
    mark = rows["mark"]
    url = f"/oceny/ustawienia/oceny-specjalne/{mark.pk}/usun/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_MARK])
    matrix.check(url, OBJECT_POST, method="post", state=state, roles=refused(OBJECT_POST))
    matrix.check(url, OBJECT_POST, method="post", roles=["principal"])
    assert not SpecialMark.objects.filter(pk=mark.pk).exists()


def scale_data(steps):
    data = {"step-TOTAL_FORMS": str(len(steps)), "step-INITIAL_FORMS": "0"}
    for n, (percent, symbol) in enumerate(steps):
        data[f"step-{n}-min_percent"] = percent
        data[f"step-{n}-symbol"] = symbol
    return data


def test_point_scale(matrix, world, rows):
    url = "/oceny/ustawienia/skala-punktowa/"
    matrix.check(url, RULES_PAGE)
    data = scale_data([("0", "1"), ("40", "2"), ("60", "3"), ("75", "4"), ("88", "5"), ("97", "6")])
    matrix.check(url, RULES_POST, method="post", data=data, state=state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", data=data, roles=["principal"])
    percents = PointScaleStep.objects.filter(school=world.school).values_list(
        "min_percent", flat=True
    )
    assert sorted(int(p) for p in percents) == [0, 40, 60, 75, 88, 97]


def test_thresholds(matrix, world, rows):
    url = "/oceny/ustawienia/progi-srednich/"
    matrix.check(url, RULES_PAGE)
    data = {
        "grade_2": "1,8",
        "grade_3": "2,6",
        "grade_4": "3,6",
        "grade_5": "4,6",
        "grade_6": "5,5",
    }
    matrix.check(url, RULES_POST, method="post", data=data, state=state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", data=data, roles=["principal"])
    stored = AverageThreshold.objects.filter(school=world.school, grade=3).get().min_average
    assert str(stored) == "2.60"
