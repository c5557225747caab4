"""The import page over HTTP: who may use it, preview, import, errors, the template."""

import csv
import io

from django.test import Client
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.schools.models import Student

from .test_import import ROWS, counts, csv_bytes

ONLY_SCHOOL_WIDE = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 404,
    "principal": 200,
    "other_principal": 200,  # their own school's page, never this school's data
}


class RewindingFile(io.BytesIO):
    """An upload the test client can send more than once (the matrix sends it per role)."""

    def __init__(self, data: bytes, name: str = "uczniowie.csv"):
        super().__init__(data)
        self.name = name

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def secretary(world) -> Client:
    client = Client()
    client.force_login(world.user("secretary"))
    return client


def test_import_page_matrix(world, matrix):
    url = reverse("schools:import")
    results = matrix.check(
        url,
        ONLY_SCHOOL_WIDE,
        secrets=[world.school.name],
        secrets_for={"other_principal": [world.school.name]},
    )
    assert world.school.name in results["principal"].content.decode()
    assert secretary(world).get(url).status_code == 200


def test_import_post_matrix(world, matrix):
    """Refused roles change nothing; the principal's import lands in their own school."""
    url = reverse("schools:import")
    expected = dict(ONLY_SCHOOL_WIDE, principal=200, other_principal=200)

    def state():
        return sorted(
            Student.objects.filter(school=world.school).values_list("external_id", flat=True)
        )

    matrix.check(
        url,
        {role: status for role, status in expected.items() if role != "principal"},
        method="post",
        data={"file": RewindingFile(csv_bytes()), "action": "import"},
        secrets=["Żółkiewski"],
        state=state,
    )
    # The other school's principal imported into the other school only.
    assert not Student.objects.filter(school=world.school, external_id="S-1").exists()
    assert Student.objects.filter(school=world.other_school, external_id="S-1").exists()


def test_template_download_matrix(world, matrix):
    url = reverse("schools:import_template")
    results = matrix.check(url, ONLY_SCHOOL_WIDE)
    body = results["principal"].content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    assert rows[0][:3] == ["klasa", "poziom", "nr_w_dzienniku"]
    assert "Wiśniewska" in rows[1]
    assert "Jędrzej" in rows[2]


def test_confirm_matrix(world, matrix):
    url = reverse("schools:import_confirm")
    expected = dict(ONLY_SCHOOL_WIDE, principal=400, other_principal=400)  # nothing previewed
    matrix.check(url, expected, method="post", data={"token": "x"}, state=counts)


def test_preview_then_confirm(world):
    client = secretary(world)
    before = counts()
    response = client.post(reverse("schools:import"), {"file": RewindingFile(csv_bytes(bom=True))})
    assert response.status_code == 200
    assert response.context["result"].dry_run
    assert response.context["result"].counts["students"].created == 3
    assert counts() == before
    token = response.context["token"]
    assert b'id="import-confirm"' in response.content

    response = client.post(reverse("schools:import_confirm"), {"token": token})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and not result.dry_run
    assert result.counts["students"].created == 3
    assert Student.objects.filter(school=world.school, external_id="S-1").exists()
    assert (
        AuditEntry.objects.filter(
            actor=world.user("secretary"), content_type__model="student", action="create"
        ).count()
        == 3
    )
    # The token is used up: confirming again imports nothing more.
    again = client.post(reverse("schools:import_confirm"), {"token": token})
    assert again.status_code == 400


def test_import_twice_over_http_reports_no_changes(world):
    client = secretary(world)
    url = reverse("schools:import")
    first = client.post(url, {"file": RewindingFile(csv_bytes()), "action": "import"})
    assert first.context["result"].changes > 0
    before = counts()
    second = client.post(url, {"file": RewindingFile(csv_bytes()), "action": "import"})
    assert second.status_code == 200
    assert second.context["result"].changes == 0
    assert second.context["result"].counts["students"].unchanged == 3
    assert b'data-count="unchanged">3<' in second.content
    assert counts() == before


def test_bad_rows_are_listed_and_nothing_is_imported(world):
    client = secretary(world)
    rows = [*ROWS, "1c;1;4;S-9;Jan;;Nowak;31.02.2018;;;;;;;;;;;;;", ";1;5;S-10;Ola;;Nowak;;;;;"]
    before = counts()
    response = client.post(
        reverse("schools:import"), {"file": RewindingFile(csv_bytes(rows)), "action": "import"}
    )
    assert response.status_code == 400
    assert counts() == before
    content = response.content.decode()
    assert 'data-line="5"' in content
    assert 'data-line="6"' in content
    assert "31.02.2018" in content
    assert 'data-line="2"' not in content


def test_binary_upload_gives_a_clear_error(world):
    client = secretary(world)
    before = counts()
    png = RewindingFile(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "zdjecie.png")
    response = client.post(reverse("schools:import"), {"file": png, "action": "import"})
    assert response.status_code == 400
    assert 'id="file-errors"' in response.content.decode()
    assert len(response.context["result"].file_errors) == 1
    assert counts() == before


def test_missing_file_is_a_form_error(world):
    response = secretary(world).post(reverse("schools:import"), {"action": "import"})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_confirm_refuses_get(world, matrix):
    url = reverse("schools:import_confirm")
    expected = {role: 405 for role in ONLY_SCHOOL_WIDE}
    matrix.check(url, dict(expected, anonymous=302), state=counts)
