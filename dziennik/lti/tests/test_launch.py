"""LTI 1.3 end to end: a real tool (pylti1p3, in tool.py) launched from the register,
deep linking, the roster through NRPS and a score through AGS arriving as a grade."""

import datetime
from decimal import Decimal

from pylti1p3.grade import Grade as ToolGrade

from dziennik.core.models import AuditEntry
from dziennik.grades.models import Assessment, Grade
from dziennik.lti import messages
from dziennik.lti.models import LineItem, Tool

from .conftest import TOOL_NAME, browser_of, place
from .tool import new_key_pair

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _launch(live_server, world, role, placement, path="uruchom"):
    """The person opens the link: the register → the tool's login → the register's
    authorization step → the id_token posted to the tool."""
    browser = browser_of(world, role)
    page = browser.get(f"{live_server.url}/lti/{placement.pk}/{path}/")
    assert page.status_code == 200, page.text[:500]
    assert 'id="lti-form-post"' in page.text
    return browser, page


def test_a_student_launches_the_tool_and_the_tool_verifies_the_id_token(
    world, registered, live_server
):
    record, tool = registered
    placement = place(world, record)
    browser, page = _launch(live_server, world, "student", placement)

    answer = browser.submit_form(page)

    assert answer.text == "launched", tool.errors
    claims = tool.launches[-1].get_launch_data()
    student = world.user("student")
    assert claims["iss"] == live_server.url
    assert claims["aud"] == record.client_id
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == record.deployment_id
    assert claims[LTI + "target_link_uri"] == tool.url + "/launch"
    assert claims[LTI + "resource_link"]["id"] == str(placement.resource_link_id)
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert claims[LTI + "context"]["id"] == f"{world.school_class.pk}-{world.subject.pk}"
    assert claims[LTI + "context"]["title"] == "4a – Matematyka"
    assert claims["sub"] == messages.subject(record, student.pk)
    assert claims["sub"] != str(student.pk)
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims[messages.NRPS_CLAIM]["context_memberships_url"].startswith(live_server.url)
    assert claims[messages.AGS_CLAIM]["lineitems"].startswith(live_server.url)
    # Data minimisation: the school did not allow the name or the e-mail address.
    for absent in ("name", "given_name", "family_name", "email"):
        assert absent not in claims
    assert "Zofia" not in str(claims)
    record.refresh_from_db()
    assert record.last_launch_at is not None


def test_the_name_goes_only_where_the_school_allowed_it(world, registered, live_server):
    record, tool = registered
    Tool.objects.filter(pk=record.pk).update(share_name=True)
    placement = place(world, record)
    browser, page = _launch(live_server, world, "teacher_in", placement)
    assert browser.submit_form(page).text == "launched", tool.errors
    claims = tool.launches[-1].get_launch_data()
    assert claims["name"] == "Tomasz Lewandowski"
    assert "email" not in claims
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


def test_a_tampered_id_token_is_refused_by_the_tool(world, registered, live_server):
    record, tool = registered
    placement = place(world, record)
    browser, page = _launch(live_server, world, "student", placement)
    token = page.text.split('name="id_token" value="', 1)[1].split('"', 1)[0]
    header, payload, signature = token.split(".")
    forged = page.text.replace(token, f"{header}.{payload}.{signature[::-1]}")

    answer = browser.submit_form(_Page(forged))

    assert answer.status_code == 400
    assert tool.launches == []
    assert any("id_token" in error or "signature" in error.lower() for error in tool.errors)


class _Page:
    def __init__(self, text):
        self.text = text


def test_deep_linking_stores_the_chosen_content_and_its_column(world, registered, live_server):
    record, tool = registered
    placement = place(world, record)
    browser, page = _launch(live_server, world, "teacher_in", placement, path="wybierz")
    tool_answer = browser.submit_form(page)
    assert 'name="JWT"' in tool_answer.text, tool.errors
    claims = tool.launches[-1].get_launch_data()
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"

    done = browser.submit_form(tool_answer)

    assert done.status_code == 200, done.text[:500]
    assert 'id="lti-chosen"' in done.text
    placement.refresh_from_db()
    assert placement.title == tool.CONTENT_TITLE
    assert placement.url == tool.url + "/quiz/3"
    line_item = LineItem.objects.get(placement=placement)
    assert line_item.score_maximum == Decimal("20.00")
    assert (line_item.resource_id, line_item.tag) == ("quiz-3", "quiz")
    column = line_item.assessment
    assert (column.kind, column.max_points, column.name) == (
        Assessment.Kind.POINTS,
        Decimal("20.00"),
        tool.CONTENT_TITLE,
    )
    assert (column.school_class, column.subject) == (world.school_class, world.subject)

    # The same answer a second time (a replay) is refused and changes nothing.
    again = browser.submit_form(tool_answer)
    assert again.status_code == 400
    assert LineItem.objects.filter(placement=placement).count() == 1


def test_a_deep_linking_answer_signed_by_another_key_is_refused(world, registered, live_server):
    record, tool = registered
    placement = place(world, record)
    browser, page = _launch(live_server, world, "teacher_in", placement, path="wybierz")
    tool.launches.clear()
    answer_page = browser.submit_form(page)
    # The tool's key changes after it signed: the register fetches the new key set.
    tool.private_pem, tool.public_pem = new_key_pair()
    tool.configure(
        issuer=live_server.url, client_id=record.client_id, deployment_id=record.deployment_id
    )
    refused = browser.submit_form(answer_page)
    assert refused.status_code == 400
    placement.refresh_from_db()
    assert placement.title == "Quiz z ułamków"
    assert not LineItem.objects.filter(placement=placement).exists()


def test_the_roster_through_nrps_and_a_score_through_ags_become_a_grade(
    world, registered, live_server
):
    record, tool = registered
    placement = place(world, record, column_maximum=Decimal(20))
    browser, page = _launch(live_server, world, "student", placement)
    assert browser.submit_form(page).text == "launched", tool.errors
    launch = tool.launches[-1]
    student_sub = launch.get_launch_data()["sub"]

    members = launch.get_nrps().get_members()

    assert sorted((m["user_id"], m["roles"][0].rsplit("#", 1)[1]) for m in members) == sorted(
        [
            (messages.subject(record, world.user("teacher_in").pk), "Instructor"),
            (student_sub, "Learner"),
        ]
    )
    assert all("name" not in m and "email" not in m for m in members)

    ags = launch.get_ags()
    line_items = ags.get_lineitems()
    assert [(i["label"], i["scoreMaximum"]) for i in line_items] == [("Quiz z ułamków", 20.0)]
    history_before = AuditEntry.objects.count()
    score = (
        ToolGrade()
        .set_score_given(17)
        .set_score_maximum(20)
        .set_user_id(student_sub)
        .set_timestamp(datetime.datetime.now(datetime.UTC).isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
    )
    ags.put_grade(score)

    grade = Grade.objects.get(
        student=world.student, assessment=placement.line_items.get().assessment
    )
    # 17 of 20 = 85 %: a 4 by the school's percentage table (75 % → 4, 90 % → 5).
    assert (grade.points, grade.value) == (Decimal("17.00"), Decimal("4.00"))
    entry = AuditEntry.objects.filter(object_id=str(grade.pk)).get()
    assert entry.actor is None
    assert entry.changes["source"] == [None, f"LTI: {TOOL_NAME}"]
    assert entry.changes["points"] == [None, "17.00"]
    assert AuditEntry.objects.count() == history_before + 1

    # A score of another maximum is scaled to the column's: 9 of 10 = 18 of 20 = 90 % → 5.
    ags.put_grade(score.set_score_given(9).set_score_maximum(10))
    grade.refresh_from_db()
    assert (grade.points, grade.value) == (Decimal("18.00"), Decimal("5.00"))
    assert AuditEntry.objects.filter(object_id=str(grade.pk)).count() == 2

    results = ags.get_grades(ags.find_lineitem_by_id(line_items[0]["id"]))
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
        (student_sub, 18.0, 20.0)
    ]
    record.refresh_from_db()
    assert record.last_score_at is not None
