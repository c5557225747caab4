"""The grading rule screens: what they show, how they answer mistakes (nothing typed is
lost), stale saves, the averages that follow, and their pinned query counts."""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from dziennik.core.models import AuditEntry
from dziennik.grades import services, settings_selectors
from dziennik.grades import settings_services as rules
from dziennik.grades.models import GradeCategory, PointScaleStep, SpecialMark, StudentAverage
from dziennik.schools.viewer import get_viewer

from .conftest import add_column, category

# Pinned query counts (cold path: the cache emptied first), the same for more rows.
OVERVIEW = 11  # session, user, the viewer (5), categories, marks, point scale, thresholds
CATEGORY_PAGE = 8  # session, user, the viewer (5), the category with its column counts


def row(html: str, attribute: str, value) -> str:
    match = re.search(rf'<tr data-{attribute}="{value}".*?</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(0)


def average_of(world) -> Decimal | None:
    found = StudentAverage.objects.filter(
        student=world.student, subject=world.subject, term=world.term1
    ).first()
    return found.average if found else None


def test_the_overview_shows_every_table(world, column):
    html = world.client("principal").get("/oceny/ustawienia/tabele/").content.decode()
    sprawdzian = category(world.school)
    test_row = row(html, "category", sprawdzian.pk)
    assert "Sprawdzian" in test_row
    assert 'data-weight="3.00"' in test_row
    assert re.search(r'class="num">1</td>', test_row)  # one column
    mock = row(html, "category", category(world.school, "Próbny egzamin").pk)
    assert "<td>nie</td>" in mock  # does not count towards the average
    assert "liczona jako" not in row(html, "mark", "np")
    assert "niewliczane" in row(html, "mark", "np")
    assert "każde 3 dają ocenę 5 (waga 1)" in row(html, "mark", r"\+")
    assert re.search(r'<tr data-percent="75.00">.*?<td>4</td>', html, re.S)
    assert re.search(r'<tr data-grade="5">.*?4,75', html, re.S)
    assert 'id="no-rules"' not in html


def test_a_school_without_rules_is_offered_the_usual_ones(world):
    client = world.client("other_principal")
    html = client.get("/oceny/ustawienia/tabele/").content.decode()
    assert 'id="rules-setup"' in html
    response = client.post("/oceny/ustawienia/tabele/domyslne/", follow=True)
    html = response.content.decode()
    assert "Utworzono typowe zasady oceniania." in html
    assert 'id="no-rules"' not in html
    assert GradeCategory.objects.filter(school=world.other_school).count() == 7


def test_overview_query_count_does_not_grow(world, grading, django_assert_num_queries):
    client = world.client("principal")
    client.get("/oceny/ustawienia/tabele/")  # the session is warm, as on every later page
    with django_assert_num_queries(OVERVIEW):
        assert client.get("/oceny/ustawienia/tabele/").status_code == 200
    principal = world.user("principal")
    for n in range(5):
        rules.grade_category_create(actor=principal, name=f"Kategoria {n}", weight=1, colour="#000")
        rules.special_mark_create(actor=principal, symbol=f"x{n}", name=f"znak {n}")
    add_column(world)
    with django_assert_num_queries(OVERVIEW):
        assert client.get("/oceny/ustawienia/tabele/").status_code == 200


def test_category_page_query_count(world, column, django_assert_num_queries):
    client = world.client("principal")
    url = f"/oceny/ustawienia/kategorie/{category(world.school).pk}/"
    client.get(url)
    with django_assert_num_queries(CATEGORY_PAGE):
        assert client.get(url).status_code == 200


def test_a_mistake_keeps_what_was_typed(world, grading):
    client = world.client("principal")
    response = client.post(
        "/oceny/ustawienia/kategorie/nowa/",
        {"name": "Kartkówka", "weight": "2,5", "colour": "#ffdd00", "counts_towards_average": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Szkoła ma już kategorię o nazwie „Kartkówka”." in html
    assert "4,5:1" in html
    assert 'value="2,5"' in html and 'value="#ffdd00"' in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_colour"', html)
    assert GradeCategory.objects.filter(school=world.school).count() == 7


def test_the_principal_changes_a_weight_and_the_stored_average_follows(
    world, column, django_capture_on_commit_callbacks
):
    add_column(world)  # a quiz, weight 2
    services.grade_set(
        actor=world.user("teacher_in"),
        assessment=add_column(world, name="Kartkówka 2"),
        student=world.student,
        raw="2",
    )
    assert average_of(world) == Decimal("3.50")  # (4.5 × 3 + 2 × 2) / 5
    sprawdzian = category(world.school)
    url = f"/oceny/ustawienia/kategorie/{sprawdzian.pk}/"
    client = world.client("principal")
    html = client.get(url).content.decode()
    assert "1 kolumna ma tę kategorię; z wagą kategorii: 1." in html
    version = re.search(r'name="version" value="(\w+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Sprawdzian",
                "weight": "1",
                "colour": "#b00020",
                "counts_towards_average": "on",
                "is_active": "on",
                "weight_to_columns": "on",
                "version": version,
            },
        )
    assert response.status_code == 302
    assert average_of(world) == Decimal("2.83")  # (4.5 × 1 + 2 × 2) / 3
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(GradeCategory), action="update"
    )
    assert entry.changes == {"weight": ["3.00", "1.00"]}
    # the same form sent again is stale: refused, the saved values shown
    response = client.post(
        url,
        {"name": "Sprawdzian", "weight": "5", "colour": "#b00020", "version": version},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Ktoś inny zmienił te zasady" in html
    assert 'id="saved-now"' in html
    assert 'value="5"' in html  # what was typed is kept
    assert category(world.school).weight == Decimal("1.00")


def test_a_used_marks_symbol_is_shown_fixed(world, column):
    services.grade_set(
        actor=world.user("teacher_in"),
        assessment=add_column(world),
        student=world.student,
        raw="np",
    )
    np = SpecialMark.objects.get(school=world.school, symbol="np")
    client = world.client("principal")
    url = f"/oceny/ustawienia/oceny-specjalne/{np.pk}/"
    html = client.get(url).content.decode()
    assert 'id="symbol-fixed"' in html
    assert re.search(r'name="symbol"[^>]*disabled', html)
    assert 'id="mark-delete"' not in html
    version = settings_selectors.mark_version(np)
    response = client.post(
        url,
        {
            "symbol": "xx",  # ignored: the field is disabled
            "name": "nieprzygotowany do lekcji",
            "rule": "ignored",
            "converted_weight": "1",
            "version": version,
        },
    )
    assert response.status_code == 302
    np.refresh_from_db()
    assert (np.symbol, np.name) == ("np", "nieprzygotowany do lekcji")
    response = client.post(f"{url}usun/")
    assert response.status_code == 400
    assert SpecialMark.objects.filter(pk=np.pk).exists()


def test_the_point_scale_form_adds_changes_and_removes_rows(world, grading):
    client = world.client("principal")
    url = "/oceny/ustawienia/skala-punktowa/"
    html = client.get(url).content.decode()
    assert html.count('name="step-') >= 3 * 9  # six rows and three blank ones
    version = re.search(r'name="version" value="(\w+)"', html).group(1)
    data = {
        "version": version,
        "step-TOTAL_FORMS": "9",
        "step-INITIAL_FORMS": "6",
    }
    rows_sent = [
        ("0", "1"),
        ("30", "2"),
        ("50", "3"),
        ("75", "4"),
        ("90", "5"),
        ("", ""),  # the 100% row cleared
        ("95", "5+"),
        ("99,5", "6"),
        ("", ""),
    ]
    for n, (percent, symbol) in enumerate(rows_sent):
        data[f"step-{n}-min_percent"] = percent
        data[f"step-{n}-symbol"] = symbol
    data["step-4-DELETE"] = "on"  # 90% → 5 removed by its box
    assert client.post(url, data).status_code == 302
    steps = PointScaleStep.objects.filter(school=world.school).order_by("min_percent")
    assert [(str(s.min_percent), s.symbol) for s in steps] == [
        ("0.00", "1"),
        ("30.00", "2"),
        ("50.00", "3"),
        ("75.00", "4"),
        ("95.00", "5+"),
        ("99.50", "6"),
    ]
    # a mistake: the whole table is refused, the rows typed are shown again
    data["version"] = settings_selectors.point_scale(get_viewer(world.user("principal"))).version
    data["step-1-symbol"] = "bdb"
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "„bdb” (od 30%) nie jest oceną" in html
    assert 'value="bdb"' in html
    assert PointScaleStep.objects.filter(school=world.school).count() == 6


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"grade_2": "1,75", "grade_3": "1,5"},
            "Próg dla 3 musi być wyższy niż próg dla 2 (1,75).",
        ),
        ({"grade_6": "abc"}, "Wpisz liczbę."),
    ],
)
def test_thresholds_form_answers_mistakes(world, grading, data, message):
    full = {"grade_2": "1,75", "grade_3": "2,75", "grade_4": "3,75", "grade_5": "4,75"}
    full["grade_6"] = "5,75"
    full.update(data)
    response = world.client("principal").post("/oceny/ustawienia/progi-srednich/", full)
    assert response.status_code == 400
    assert message in response.content.decode()
