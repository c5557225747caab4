"""Contract tests of the OneRoster 1.2 REST API: a platform's client gets a token from the
real token endpoint (client credentials) and reads every standard endpoint with the
specification's shapes; pagination, filter, sort and fields; the specification's error
payloads; nothing of another school; expired and revoked tokens refused; the lists'
cost does not grow with the school."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken

from dziennik.grades import services as grades_services
from dziennik.grades.models import GradeCategory
from dziennik.oneroster import apis, services
from dziennik.schools import services as people_services
from dziennik.schools.tests import factories as sf

from .factories import GRADEBOOK, ROSTERING, access_token, api_get, roster_client, token_for

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# The required fields of each object (OneRoster 1.2 REST binding).
REQUIRED = {
    "org": {"sourcedId", "status", "dateLastModified", "name", "type"},
    "academicSession": {
        "sourcedId", "status", "dateLastModified", "title", "startDate", "endDate", "type",
        "schoolYear",
    },
    "course": {"sourcedId", "status", "dateLastModified", "title", "org"},
    "class": {
        "sourcedId", "status", "dateLastModified", "title", "classType", "course", "school",
        "terms",
    },
    "user": {
        "sourcedId", "status", "dateLastModified", "enabledUser", "givenName", "familyName",
        "roles",
    },
    "enrollment": {"sourcedId", "status", "dateLastModified", "user", "class", "school", "role"},
    "category": {"sourcedId", "status", "dateLastModified", "title"},
    "lineItem": {
        "sourcedId", "status", "dateLastModified", "title", "assignDate", "dueDate", "class",
        "school", "category",
    },
    "result": {
        "sourcedId", "status", "dateLastModified", "lineItem", "student", "scoreStatus",
        "scoreDate",
    },
}  # fmt: skip


def _check_object(kind: str, obj: dict) -> None:
    assert REQUIRED[kind] <= set(obj), (kind, REQUIRED[kind] - set(obj))
    assert GUID.match(obj["sourcedId"]) and obj["status"] == "active"
    assert MOMENT.match(obj["dateLastModified"])
    for value in obj.values():
        refs = value if isinstance(value, list) else [value]
        for ref in refs:
            if isinstance(ref, dict) and "href" in ref:
                assert set(ref) == {"href", "sourcedId", "type"}
                assert ref["href"].startswith("http://testserver/ims/oneroster/")
                assert ref["href"].endswith("/" + ref["sourcedId"])


def _graded(world):
    """A gradebook column of 4a's Matematyka with Zofia's 5 in it."""
    teacher = world.user("teacher_in")
    category, _ = GradeCategory.objects.get_or_create(
        school=world.school, name="Sprawdzian", defaults={"weight": 3}
    )
    assessment = grades_services.assessment_create(
        actor=teacher,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        category=category,
        name="Ułamki",
        date=world.term1.start_date + datetime.timedelta(days=20),
    )
    grades_services.grade_set(actor=teacher, assessment=assessment, student=world.student, raw="5")
    return assessment


@pytest.fixture
def reader(world):
    client, secret = roster_client(world)
    return client, access_token(client, secret)


def test_every_collection_and_object_has_the_specifications_shape(world, reader):
    _graded(world)
    _client, token = reader
    for service, table in (("rostering", apis.ROSTERING), ("gradebook", apis.GRADEBOOK)):
        base = ROSTERING if service == "rostering" else GRADEBOOK
        for collection, (_kind, key, one) in table.items():
            answer = api_get(base + collection, token)
            assert answer.status_code == 200, collection
            assert answer["Cache-Control"] == "no-store"
            objects = answer.json()[key]
            assert answer["X-Total-Count"] == str(len(objects))
            if collection == "gradingPeriods":
                assert objects == []  # the register's terms are terms
                continue
            assert objects, collection
            for obj in objects:
                _check_object(one, obj)
            first = objects[0]["sourcedId"]
            single = api_get(f"{base}{collection}/{first}", token)
            assert single.status_code == 200 and single.json() == {one: objects[0]}


def test_the_roster_is_the_schools(world, reader):
    _client, token = reader
    users = api_get(ROSTERING + "users", token, sort="familyName").json()["users"]
    names = [(u["givenName"], u["familyName"]) for u in users]
    assert ("Zofia", "Wiśniewska") in names and ("Jan", "Obcy") not in names
    zofia = next(u for u in users if u["givenName"] == "Zofia")
    assert zofia["roles"] == [
        {"roleType": "primary", "role": "student", "org": zofia["primaryOrg"]}
    ]
    assert zofia["enabledUser"] is True and zofia["grades"] == ["04"]
    assert zofia["userIds"][0]["type"] == "sso"
    for private in ("email", "phone", "sms", "birthDate", "identifier", "password"):
        assert private not in zofia
    classes = api_get(ROSTERING + "classes", token, filter="title='4a Matematyka'").json()
    maths = classes["classes"][0]
    students = api_get(f"{ROSTERING}classes/{maths['sourcedId']}/students", token).json()
    assert sorted(u["givenName"] for u in students["users"]) == ["Kacper", "Zofia"]
    teachers = api_get(f"{ROSTERING}classes/{maths['sourcedId']}/teachers", token).json()
    assert [u["givenName"] for u in teachers["users"]] == ["Tomasz"]
    own = api_get(f"{ROSTERING}students/{zofia['sourcedId']}/classes", token).json()
    assert sorted(c["title"] for c in own["classes"]) == ["4a", "4a Historia", "4a Matematyka"]
    school = api_get(ROSTERING + "schools", token).json()["orgs"][0]
    assert school["name"] == world.school.name
    terms = api_get(f"{ROSTERING}schools/{school['sourcedId']}/terms", token).json()
    assert [t["title"] for t in terms["academicSessions"]] == [
        f"{world.year.name} semestr 1",
        f"{world.year.name} semestr 2",
    ]


def test_the_gradebook_reads_columns_and_results(world, reader):
    _graded(world)
    _client, token = reader
    items = api_get(GRADEBOOK + "lineItems", token).json()["lineItems"]
    assert [(i["title"], i["resultValueMin"], i["resultValueMax"]) for i in items] == [
        ("Ułamki", 1.0, 6.0)
    ]
    results = api_get(GRADEBOOK + "results", token).json()["results"]
    assert [(r["textScore"], r["score"], r["scoreStatus"]) for r in results] == [
        ("5", 5.0, "fully graded")
    ]
    class_ref = items[0]["class"]["sourcedId"]
    by_class = api_get(f"{GRADEBOOK}classes/{class_ref}/results", token).json()["results"]
    assert by_class == results


def test_pagination_filter_sort_and_fields(world, reader):
    _client, token = reader
    total = len(api_get(ROSTERING + "users", token).json()["users"])
    first = api_get(ROSTERING + "users", token, limit=2, offset=0, sort="sourcedId")
    assert first["X-Total-Count"] == str(total) and len(first.json()["users"]) == 2
    assert 'rel="next"' in first["Link"] and 'rel="last"' in first["Link"]
    assert "offset=2" in first["Link"].split('; rel="next"')[0]
    second = api_get(ROSTERING + "users", token, limit=2, offset=2, sort="sourcedId")
    ids = [u["sourcedId"] for u in first.json()["users"] + second.json()["users"]]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert 'rel="prev"' in second["Link"]
    backwards = api_get(ROSTERING + "users", token, sort="sourcedId", orderBy="desc")
    assert [u["sourcedId"] for u in backwards.json()["users"]][-2:] == ids[:2][::-1]
    found = api_get(ROSTERING + "users", token, filter="givenName='Zofia'").json()["users"]
    assert [u["familyName"] for u in found] == ["Wiśniewska"]
    either = api_get(
        ROSTERING + "users", token, filter="givenName='Zofia' OR givenName='Kacper'"
    ).json()["users"]
    assert sorted(u["givenName"] for u in either) == ["Kacper", "Zofia"]
    teachers = api_get(ROSTERING + "enrollments", token, filter="role='teacher'").json()
    assert {e["role"] for e in teachers["enrollments"]} == {"teacher"}
    slim = api_get(ROSTERING + "users", token, fields="sourcedId,givenName").json()["users"]
    assert all(set(u) == {"sourcedId", "givenName"} for u in slim)
    for params, minor in (
        ({"filter": "shoeSize='42'"}, "invalid_filter_field"),
        ({"filter": "givenName=Zofia"}, "invalid_filter_field"),
        ({"fields": "sourcedId,shoeSize"}, "invalid_selection_field"),
        ({"sort": "shoeSize"}, "invalid_sort_field"),
        ({"limit": "many"}, "invaliddata"),
    ):
        answer = api_get(ROSTERING + "users", token, **params)
        assert answer.status_code == 400
        payload = answer.json()
        assert payload["imsx_codeMajor"] == "failure" and payload["imsx_severity"] == "error"
        field = payload["imsx_CodeMinor"]["imsx_codeMinorField"][0]
        assert field == {
            "imsx_codeMinorFieldName": "TargetEndSystem",
            "imsx_codeMinorFieldValue": minor,
        }


def test_an_unknown_id_is_a_404_with_the_status_payload(world, reader):
    _client, token = reader
    for path in (
        "users/00000000-0000-5000-8000-000000000000",
        "classes/00000000-0000-5000-8000-000000000000/students",
        "nonsense",
    ):
        answer = api_get(ROSTERING + path, token)
        assert answer.status_code == 404, path
        minor = answer.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]
        assert minor["imsx_codeMinorFieldValue"] == "unknownobject"


def test_another_schools_client_sees_nothing_of_this_school(world, reader):
    _client, token = reader
    ours = api_get(ROSTERING + "users", token).json()["users"]
    zofia = next(u for u in ours if u["givenName"] == "Zofia")
    other, secret = roster_client(world, role="other_principal", name="Moodle LO")
    other_token = access_token(other, secret)
    theirs = api_get(ROSTERING + "users", other_token).json()["users"]
    assert {u["sourcedId"] for u in theirs}.isdisjoint({u["sourcedId"] for u in ours})
    assert [u["givenName"] for u in theirs] == ["Jan"]  # their principal
    assert api_get(f"{ROSTERING}users/{zofia['sourcedId']}", other_token).status_code == 404
    assert "Zofia" not in api_get(ROSTERING + "enrollments", other_token).content.decode()


def test_expired_revoked_and_foreign_tokens_are_refused(world, reader):
    _client, token = reader
    assert api_get(ROSTERING + "orgs", token).status_code == 200
    AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    expired = api_get(ROSTERING + "orgs", token)
    assert expired.status_code == 401 and 'error="invalid_token"' in expired["WWW-Authenticate"]
    assert expired.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0][
        "imsx_codeMinorFieldValue"
    ] == ("unauthorisedrequest")
    assert api_get(ROSTERING + "orgs", "not-a-token").status_code == 401
    # A client without the gradebook asks for it: refused at the token endpoint; its
    # roster token does not open the gradebook.
    plain, plain_secret = roster_client(world, gradebook=False, name="Teams")
    asked = token_for(plain, plain_secret, settings.ONEROSTER_GRADEBOOK_SCOPE)
    assert asked["status"] == 400 and asked["error"] == "invalid_scope"
    plain_token = access_token(plain, plain_secret)
    assert api_get(GRADEBOOK + "lineItems", plain_token).status_code == 403
    # The school revokes it: its tokens end at once, and it gets no new one.
    revoked = services.roster_client_revoke(actor=world.user("principal"), client=plain)
    assert revoked == 1
    assert api_get(ROSTERING + "orgs", plain_token).status_code == 401
    assert token_for(plain, plain_secret, settings.ONEROSTER_ROSTER_SCOPE)["status"] == 401


def test_a_page_costs_the_same_whatever_the_schools_size_cold_and_warm(world, reader):
    """Cold (the cache emptied: the first request after a change, or no shared cache) the
    school's year is built with a fixed number of queries; warm (nothing changed since
    the previous request) only the token, the client and the versions' year are read."""
    client, token = reader

    def cost(path, *, cold):
        if cold:
            cache.clear()
        else:
            assert api_get(path, token, limit=2).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert api_get(path, token, limit=2).status_code == 200
        return len(queries)

    paths = [ROSTERING + "users", ROSTERING + "enrollments", GRADEBOOK + "results"]
    _graded(world)
    for path in paths:  # the first call notes the call and the school's settings
        cost(path, cold=True)
    before = [cost(p, cold=True) for p in paths], [cost(p, cold=False) for p in paths]
    for number in range(3, 9):
        student = sf.StudentFactory(school=world.school)
        sf.EnrolmentFactory(student=student, school_class=world.school_class, journal_number=number)
        guardian = sf.GuardianFactory(school=world.school)
        sf.GuardianshipFactory(guardian=guardian, student=student)
    _graded(world)  # one more column and grade
    after = [cost(p, cold=True) for p in paths], [cost(p, cold=False) for p in paths]
    assert before == after
    cold, warm = after
    assert max(cold) <= 30
    # Warm, a page reads no register table: the same few queries as the orgs' page.
    assert warm[0] == warm[1] == cost(ROSTERING + "orgs", cold=False)
    # The results: the year's classes (whose grades they follow), a COUNT and the page.
    assert warm[2] == warm[0] + 3
    assert all(w < c for w, c in zip(warm, cold, strict=True))
    client.refresh_from_db()
    assert client.last_call_at is not None


def _ids(token, collection, key, **params):
    answer = api_get(collection, token, **params)
    assert answer.status_code == 200
    return {o["sourcedId"]: o for o in answer.json()[key]}


def test_a_change_is_in_the_next_answer(world, reader):
    """The cached year is never served after the school changed: a new enrolment, a
    removed student (privacy: gone at once), a renamed one, a new grade."""
    _client, token = reader
    principal = world.user("principal")
    assessment = _graded(world)
    users = _ids(token, ROSTERING + "users", "users")
    enrolments = _ids(token, ROSTERING + "enrollments", "enrollments")
    results = _ids(token, GRADEBOOK + "results", "results")
    assert len(results) == 1
    kacper = next(i for i, u in users.items() if u["givenName"] == "Kacper")
    assert api_get(f"{ROSTERING}users/{kacper}", token).status_code == 200

    newcomer = sf.StudentFactory(school=world.school, first_name="Witold", last_name="Nowy")
    people_services.student_enrol(
        actor=principal,
        student=newcomer,
        school_class=world.school_class,
        journal_number=3,
        start_date=world.year.start_date,
    )
    now = _ids(token, ROSTERING + "users", "users")
    assert set(now) - set(users) == {
        i for i, u in now.items() if (u["givenName"], u["familyName"]) == ("Witold", "Nowy")
    }
    assert len(now) == len(users) + 1
    enrolled = _ids(token, ROSTERING + "enrollments", "enrollments")
    assert len(enrolled) > len(enrolments)  # the homeroom and each subject's class

    people_services.student_delete(actor=principal, student=world.classmate)
    after = _ids(token, ROSTERING + "users", "users")
    assert kacper not in after
    assert "Kacper" not in api_get(ROSTERING + "enrollments", token).content.decode()
    assert kacper not in api_get(ROSTERING + "enrollments", token).content.decode()
    gone = api_get(f"{ROSTERING}users/{kacper}", token)
    assert gone.status_code == 404

    people_services.student_update(actor=principal, student=world.student, first_name="Zosia")
    names = {u["givenName"] for u in _ids(token, ROSTERING + "students", "users").values()}
    assert names == {"Zosia", "Witold"}

    teacher = world.user("teacher_in")
    grades_services.grade_set(actor=teacher, assessment=assessment, student=newcomer, raw="3+")
    scores = _ids(token, GRADEBOOK + "results", "results")
    assert sorted(r["textScore"] for r in scores.values()) == ["3+", "5"]


def test_a_page_of_results_from_the_database_is_the_lists(world, reader):
    """Results without a filter or a sort are paged in the database: the same objects
    in the same order as the whole list, the same total and links; a filter still works."""
    _client, token = reader
    teacher = world.user("teacher_in")
    first = _graded(world)
    second = _graded(world)
    for assessment, raw in ((first, "2"), (second, "4-")):
        grades_services.grade_set(
            actor=teacher, assessment=assessment, student=world.classmate, raw=raw
        )
    whole = api_get(GRADEBOOK + "results", token, limit=1000)
    assert whole["X-Total-Count"] == "4"
    results = whole.json()["results"]
    assert sorted(r["textScore"] for r in results) == ["2", "4-", "5", "5"]
    paged = []
    for offset in range(4):
        page = api_get(GRADEBOOK + "results", token, limit=1, offset=offset)
        assert page["X-Total-Count"] == "4"
        assert ('rel="next"' in page["Link"]) == (offset < 3)
        assert ('rel="prev"' in page["Link"]) == (offset > 0)
        paged += page.json()["results"]
    assert paged == results
    slim = api_get(GRADEBOOK + "results", token, fields="sourcedId,textScore").json()
    assert slim["results"] == [
        {"sourcedId": r["sourcedId"], "textScore": r["textScore"]} for r in results
    ]
    sorted_by_score = api_get(GRADEBOOK + "results", token, sort="textScore").json()
    assert [r["textScore"] for r in sorted_by_score["results"]] == ["2", "4-", "5", "5"]
    twos = api_get(GRADEBOOK + "results", token, filter="textScore='2'").json()["results"]
    assert [r["sourcedId"] for r in twos] == [
        r["sourcedId"] for r in results if r["textScore"] == "2"
    ]
    bad = api_get(GRADEBOOK + "results", token, fields="sourcedId,shoeSize")
    assert bad.status_code == 400
