"""The principal names the grades of the scale (G-01); pages and printouts follow."""

from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.grades import services
from dziennik.grades.models import ScaleGradeName
from testsupport.url_matrix import expect

NAMES = {
    "name_6": "celujący",
    "abbr_6": "cel",
    "name_5": "bardzo dobry",
    "abbr_5": "bdb",
    "name_4": "dobry",
    "abbr_4": "db",
    "name_3": "dostateczny",
    "abbr_3": "dst",
    "name_2": "dopuszczający",
    "abbr_2": "dps",
    "name_1": "niedostateczny",
    "abbr_1": "ndt",
}


def _state():
    return list(ScaleGradeName.objects.order_by("pk").values_list("pk", "name", "abbreviation"))


def test_scale_names_matrix(world, matrix):
    services.grading_setup_defaults(school=world.school)
    url = reverse("grades:scale_names")
    expected = expect(404, principal=302, other_principal=302)
    refused = [role for role in expected if role not in ("principal", "other_principal")]
    matrix.check(url, expected, method="post", data=NAMES, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=NAMES, roles=["principal"])
    row = ScaleGradeName.objects.get(school=world.school, grade=2)
    assert row.abbreviation == "dps"
    change = AuditEntry.objects.filter(object_id=str(row.pk), action="update").get()
    assert change.changes["abbreviation"] == ["dop", "dps"]


def test_bad_names_are_refused_and_kept(world):
    services.grading_setup_defaults(school=world.school)
    data = {**NAMES, "name_4": "", "abbr_3": "bdb"}
    response = world.client("principal").post(reverse("grades:scale_names"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error_4"' in html and 'id="error_3"' in html
    assert 'value="dps"' in html  # what was typed stays
    assert ScaleGradeName.objects.get(school=world.school, grade=2).abbreviation == "dop"
