"""The demo school's OneRoster CSV validates against the 1.2 rules (``csv_rules``):
column sets, required fields, GUIDs, dates, vocabularies and references between files;
a delta carries what changed and what was deleted since a moment."""

import datetime
import io
import uuid
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dziennik.oneroster import csvfiles, selectors
from dziennik.oneroster import roster as roster_module
from dziennik.oneroster.roster import build_roster
from dziennik.schools.models import School
from dziennik.schools.services import people as student_services
from dziennik.schools.tests.factories import StudentFactory

from . import csv_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_school():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    return School.objects.order_by("pk").first()


def _bulk(school) -> bytes:
    return csvfiles.zipped(selectors.school_roster(school=school))


def _broken(contents: dict[str, str]) -> bytes:
    lines = contents["enrollments.csv"].split("\r\n")
    first = lines[1].split(",")
    first[5] = "00000000-0000-0000-0000-000000000000"  # an unknown user
    lines[1] = ",".join(first)
    contents["enrollments.csv"] = "\r\n".join(lines)
    contents["classes.csv"] = contents["classes.csv"].replace("homeroom", "lecture", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in contents.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_demo_schools_bulk_csv_follows_the_1_2_rules(demo_school):
    """One demo school (it takes a while to build) for every check of its export."""
    data = _bulk(demo_school)
    assert csv_rules.problems(data) == []
    tables = csv_rules.tables(data)
    assert [row["type"] for row in tables["orgs"]] == ["school"]
    assert tables["orgs"][0]["name"] == demo_school.name
    assert {row["classType"] for row in tables["classes"]} == {"homeroom", "scheduled"}
    roles = {row["role"] for row in tables["roles"]}
    assert {"student", "teacher", "principal"} <= roles
    assert roles & {"parent", "guardian"}
    students = {r["userSourcedId"] for r in tables["roles"] if r["role"] == "student"}
    enrolled = {r["userSourcedId"] for r in tables["enrollments"] if r["role"] == "student"}
    assert students == enrolled
    # Bulk: no status, no dateLastModified.
    assert {row["status"] for rows in tables.values() for row in rows if "status" in row} == {""}
    # Nothing but the roster leaves the register.
    assert "demographics" not in tables and "userProfiles" not in tables
    for column in ("email", "phone", "sms", "password", "identifier", "username"):
        assert {row[column] for row in tables["users"]} == {""}
    # Stable ids, never a database number.
    assert csv_rules.tables(_bulk(demo_school)) == tables
    ids = {r["sourcedId"] for rows in tables.values() for r in rows if "sourcedId" in r}
    assert not ids & {str(pk) for pk in range(1, 10_000)}
    # The rules fail on what they should (else a green test proves nothing).
    found = csv_rules.problems(_broken(csvfiles.files(selectors.school_roster(school=demo_school))))
    assert any("userSourcedId 00000000-0000-0000-0000-000000000000 unknown" in p for p in found)
    assert any("classType 'lecture'" in p for p in found)


def test_the_worlds_roster_maps_classes_people_and_enrolments(world):
    roster = selectors.school_roster(school=world.school)
    assert csv_rules.problems(csvfiles.zipped(roster)) == []
    titles = sorted((c["title"], c["classType"]) for c in roster.classes)
    assert titles == [
        ("4a", "homeroom"),
        ("4a Historia", "scheduled"),
        ("4a Matematyka", "scheduled"),
        ("4b", "homeroom"),
        ("4b Historia", "scheduled"),
    ]
    names = {
        (u["givenName"], u["familyName"]): [r["role"] for r in u["roles"]] for u in roster.users
    }
    assert names[("Zofia", "Wiśniewska")] == ["student"]
    assert names[("Grażyna", "Wójcik")] == ["teacher"]
    assert names[("Halina", "Zawadzka")] == ["principal"]
    assert ("Jan", "Obcy") not in names  # another school's principal
    zofia = next(u for u in roster.users if u["givenName"] == "Zofia")
    assert zofia["grades"] == ["04"] and zofia["enabledUser"] is True
    parents = {roster.users[[u["sourcedId"] for u in roster.users].index(a[1])]["givenName"]
               for a in zofia["agents"]}  # fmt: skip
    assert parents == {"Anna"}
    maths = next(c for c in roster.classes if c["title"] == "4a Matematyka")
    in_maths = sorted(
        (e["role"], e["user"][1]) for e in roster.enrollments if e["class"][1] == maths["sourcedId"]
    )
    assert [role for role, _ in in_maths] == ["student", "student", "teacher"]


def test_ids_differ_from_school_to_school(world):
    roster = selectors.school_roster(school=world.school)
    settings = world.school.roster_settings
    settings.namespace = uuid.uuid4()
    settings.save()
    other = build_roster(school=world.school, year=world.year)
    assert {u["sourcedId"] for u in roster.users}.isdisjoint({u["sourcedId"] for u in other.users})


def test_a_delta_carries_the_changed_and_the_deleted_rows(world):
    principal = world.user("principal")
    since = timezone.now()
    student_services.student_update(actor=principal, student=world.classmate, first_name="Karol")
    student_services.student_leave(
        actor=principal,
        student=world.student,
        on=world.year.start_date + datetime.timedelta(days=30),
    )
    gone = StudentFactory(school=world.school, first_name="Pomyłka")
    gone_id = gone.pk
    student_services.student_delete(actor=principal, student=gone)
    roster = selectors.school_roster(school=world.school)
    data = csvfiles.zipped(roster, since=since)
    assert csv_rules.problems(data) == []
    tables = csv_rules.tables(data)
    assert {r["propertyName"]: r["value"] for r in tables["manifest"]}["file.users"] == "delta"
    users = {(r["givenName"], r["status"]) for r in tables["users"]}
    assert users == {("Karol", "active"), ("", "tobedeleted")}
    deleted = [r["sourcedId"] for r in tables["users"] if r["status"] == "tobedeleted"]
    assert deleted == [roster_module.sourced_id(roster.namespace, "student", gone_id)]
    ended = [r for r in tables["enrollments"] if r["endDate"]]
    assert len(ended) == 3  # her homeroom, her Matematyka and her Historia
    assert tables["orgs"] == [] and tables["classes"] == []
    # Nothing changed after now: an empty delta.
    later = csv_rules.tables(csvfiles.zipped(roster, since=timezone.now()))
    assert all(rows == [] for name, rows in later.items() if name != "manifest")


def test_the_command_writes_the_zip_and_refuses_bad_input(world, tmp_path):
    out = tmp_path / "roster.zip"
    stdout = io.StringIO()
    call_command(
        "oneroster_export", "--school", str(world.school.pk), "-o", str(out), stdout=stdout
    )
    assert csv_rules.problems(out.read_bytes()) == []
    assert "(bulk)" in stdout.getvalue()
    with pytest.raises(CommandError, match="time zone"):
        call_command(
            "oneroster_export", "--school", str(world.school.pk), "--since", "2026-11-01",
            "-o", str(tmp_path / "delta.zip"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="no platform"):
        call_command(
            "oneroster_export", "--school", str(world.school.pk), "--platform", "999999",
            "-o", str(tmp_path / "x.zip"),
        )  # fmt: skip
    assert not (tmp_path / "delta.zip").exists()
