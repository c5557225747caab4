"""The timetable import page over HTTP: who may use it, preview, confirm, errors, template."""

import csv
import io

import pytest
from django.urls import reverse

from dziennik.timetable.models import TimetableEntry

from .helpers import build, counts, csv_bytes, next_monday, plan_rows

MANAGERS = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 404,
    "principal": 200,
    "secretary": 200,
    "other_principal": 200,  # their own school's page, never this school's plan
}


@pytest.fixture
def reg(world):
    return build(world)


class RewindingFile(io.BytesIO):
    """An upload the test client can send more than once (the matrix sends it per role)."""

    def __init__(self, data: bytes, name: str = "plan.csv"):
        super().__init__(data)
        self.name = name

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def test_import_page_matrix(world, matrix, reg):
    results = matrix.check(
        reverse("timetable:import"),
        MANAGERS,
        secrets=[world.school.name],
        secrets_for={"other_principal": [world.school.name]},
    )
    assert world.school.name in results["principal"].text


def test_import_post_matrix(world, matrix, reg):
    """Refused roles change nothing; the other school's principal cannot touch this plan."""
    data = {"file": RewindingFile(csv_bytes(plan_rows(next_monday(reg)))), "action": "import"}
    expected = dict(MANAGERS, other_principal=400)  # no class 4a in their school
    refused = [role for role in expected if role not in ("principal", "secretary")]
    matrix.check(
        reverse("timetable:import"),
        expected,
        method="post",
        data=data,
        state=counts,
        roles=refused,
        secrets=[world.school.name, "Kamińska"],  # the file's own names may be echoed
    )
    matrix.check(reverse("timetable:import"), {"secretary": 200}, method="post", data=data)
    assert TimetableEntry.objects.filter(valid_from=next_monday(reg)).count() == 5


def test_confirm_and_template_matrix(world, matrix, reg):
    expected = dict(MANAGERS, principal=400, secretary=400, other_principal=400)  # no preview
    matrix.check(
        reverse("timetable:import_confirm"),
        expected,
        method="post",
        data={"token": "x"},
        state=counts,
    )
    results = matrix.check(reverse("timetable:import_template"), MANAGERS)
    body = results["principal"].content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "klasa",
        "grupa",
        "dzien",
        "lekcja",
        "przedmiot",
        "nauczyciel",
        "sala",
        "obowiazuje_od",
    ]
    assert len(rows) == 5


def test_preview_then_confirm_with_the_date_from_the_page(world, reg):
    client = world.client("principal")
    start = next_monday(reg)
    rows = [r.rsplit(";", 1)[0] + ";" for r in plan_rows(start)]
    before = counts()
    response = client.post(
        reverse("timetable:import"),
        {"file": RewindingFile(csv_bytes(rows, bom=True)), "valid_from": start.isoformat()},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.dry_run and result.created == 5
    assert counts() == before
    content = response.content.decode()
    assert 'id="import-confirm"' in content
    assert '<td data-count="new">5</td>' in content
    assert '<td data-count="ending">4</td>' in content
    assert 'id="new-rooms"' in content

    response = client.post(
        reverse("timetable:import_confirm"), {"token": response.context["token"]}
    )
    assert response.status_code == 200
    assert response.context["result"].ok and not response.context["result"].dry_run
    assert TimetableEntry.objects.filter(valid_from=start).count() == 5
    assert f'href="/plan/klasa/{world.school_class.pk}/edycja/?tydzien={start}"' in (
        response.content.decode()
    )
    # The token is used up.
    again = client.post(reverse("timetable:import_confirm"), {"token": "x"})
    assert again.status_code == 400


def test_bad_rows_and_collisions_are_listed_and_nothing_is_imported(world, reg):
    client = world.client("secretary")
    rows = plan_rows(next_monday(reg))
    rows[1] = rows[1].replace("n-in", "n-out")  # 4b keeps n-out at Monday lesson 2
    rows[3] = rows[3].replace("Historia", "Plastyka")
    before = counts()
    response = client.post(
        reverse("timetable:import"), {"file": RewindingFile(csv_bytes(rows)), "action": "import"}
    )
    assert response.status_code == 400
    assert counts() == before
    content = response.content.decode()
    assert 'data-line="3"' in content and 'data-line="5"' in content
    assert "Kamińska" in content and "Plastyka" in content
    assert 'id="import-confirm"' not in content


# session, user, viewer (5), school; in the transaction: the lock, the school's years,
# classes, groups, subjects, teachers, rooms and bells, its current entries, their
# changes, the teaching assignments; the session keeping the checked file. None per row.
PREVIEW_QUERIES = 24


@pytest.mark.parametrize("weeks", [1, 2])
def test_preview_query_count_does_not_grow_with_the_file(
    world, reg, weeks, django_assert_num_queries
):
    d = next_monday(reg).isoformat()
    rows = []
    for k in range(weeks):  # the same two days again on other weekdays: more rows
        monday, tuesday = 1 + 2 * k, 2 + 2 * k
        rows += [
            f"4a;;{monday};1;Historia;wych;12;{d}",
            f"4a;;{monday};2;Matematyka;n-in;12;{d}",
            f"4a;;{tuesday};1;Matematyka;n-in;12;{d}",
            f"4a;gr. 1;{tuesday};2;Historia;wych;13;{d}",
            f"4a;gr. 2;{tuesday};2;Matematyka;n-in;14;{d}",
        ]
    client = world.client("principal")
    client.get(reverse("timetable:import"))
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = client.post(
            reverse("timetable:import"), {"file": RewindingFile(csv_bytes(rows))}
        )
    assert response.status_code == 200
    assert response.context["result"].created == 5 * weeks
