"""Who may register and revoke learning tools, add links to them and close their
columns (the POST matrices: a refused write changes nothing), bad input that saves
nothing, the history, and the pages' pinned query counts."""

from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.grades import services as grades_services
from dziennik.lti import services
from dziennik.lti.models import LineItem, Placement, Tool
from testsupport.url_matrix import Scene, expect

TOOL_DATA = {
    "name": "Quizyn",
    "login_url": "https://quizyn.example/lti/login",
    "launch_url": "https://quizyn.example/lti/launch",
    "redirect_uris": "https://quizyn.example/lti/launch2",
    "deep_link_url": "",
    "jwks_url": "https://quizyn.example/lti/jwks",
    "public_key": "",
}


def _split(expected, allowed):
    return [role for role in expected if role not in allowed], list(allowed)


def _tools():
    return list(Tool.objects.order_by("pk").values_list("pk", "school_id", "name", "active"))


def test_tool_new_matrix(world, matrix):
    url = reverse("lti:tool_new")
    expected = expect(404, principal=302, other_principal=302)
    refused, allowed = _split(expected, ("principal", "other_principal"))
    matrix.check(url, expected, method="post", data=TOOL_DATA, state=_tools, roles=refused)
    assert not Tool.objects.exists()
    matrix.check(url, expected, method="post", data=TOOL_DATA, roles=allowed)
    assert sorted(Tool.objects.values_list("school_id", flat=True)) == sorted(
        [world.school.pk, world.other_school.pk]
    )
    tool = Tool.objects.get(school=world.school)
    assert tool.redirect_uri_list == [
        "https://quizyn.example/lti/launch",
        "https://quizyn.example/lti/launch2",
    ]
    entry = AuditEntry.objects.get(object_id=str(tool.pk), action="create")
    assert entry.actor == world.user("principal")
    assert entry.changes["client_id"] == [None, tool.client_id]
    assert tool.pairwise_key not in str(entry.changes)


def test_bad_tool_input_says_what_and_saves_nothing(world):
    client = world.client("principal")
    data = TOOL_DATA | {"login_url": "ftp://quizyn.example/", "jwks_url": "", "name": " "}
    page = client.post(reverse("lti:tool_new"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "ftp://quizyn.example/" in text
    assert not Tool.objects.exists()
    page = client.post(reverse("lti:tool_new"), TOOL_DATA | {"jwks_url": "", "public_key": "x"})
    assert page.status_code == 400
    assert not Tool.objects.exists()


def test_tool_revoke_matrix(world, matrix):
    tool = Scene(world).lti_tool
    url = reverse("lti:tool_revoke", args=[tool.pk])
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    matrix.check(url, expected, method="post", state=_tools, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    tool.refresh_from_db()
    assert tool.active is False


def _placements():
    return list(
        Placement.objects.order_by("pk").values_list("pk", "school_class_id", "title", "url")
    ), list(LineItem.objects.order_by("pk").values_list("pk", "locked"))


def test_link_new_matrix(world, matrix):
    scene = Scene(world)
    grades_services.grading_setup_defaults(school=world.school)
    data = {
        "tool": scene.lti_tool.pk,
        "teaching": f"{world.school_class.pk}-{world.subject.pk}",
        "title": "Quiz z potęg",
        "url": "",
        "column_maximum": "10",
    }
    url = reverse("lti:link_new")
    # Only a teacher of Matematyka in 4a may add it there (class_teacher teaches Historia
    # there: the form offers them no such choice, 400).
    expected = expect(404, teacher_in=302, teacher_out=400, class_teacher=400)
    refused, allowed = _split(expected, ("teacher_in",))
    matrix.check(url, expected, method="post", data=data, state=_placements, roles=refused)
    assert not Placement.objects.exists()
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    placement = Placement.objects.get()
    assert (placement.title, placement.teacher) == ("Quiz z potęg", world.user("teacher_in"))
    column = placement.line_items.get().assessment
    assert (column.max_points, column.school_class) == (10, world.school_class)


def test_line_item_lock_matrix(world, matrix):
    item = Scene(world).lti_line_item
    url = reverse("lti:line_item_lock", args=[item.pk])
    expected = expect(404, teacher_in=302)
    refused, allowed = _split(expected, ("teacher_in",))
    data = {"locked": "1"}
    matrix.check(url, expected, method="post", data=data, state=_placements, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    item.refresh_from_db()
    assert item.locked is True
    entry = AuditEntry.objects.filter(object_id=str(item.pk), action="update").get()
    assert entry.changes == {"locked": [False, True]}


def test_the_tools_list_costs_the_same_for_one_tool_or_many(world, django_assert_num_queries):
    client = world.client("principal")
    url = reverse("lti:tools")
    Scene(world).lti_tool  # noqa: B018 (one tool)
    client.get(url)
    with django_assert_num_queries(8) as one:
        client.get(url)
    for name in ("Kahoot", "Genially", "Navoica"):
        Tool.objects.create(
            school=world.school,
            name=name,
            login_url="https://x.example/l",
            launch_url="https://x.example/a",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('<tr id="tool-') == 4


def test_the_links_list_costs_the_same_for_one_link_or_many(world, django_assert_num_queries):
    scene = Scene(world)
    client = world.client("teacher_in")
    url = reverse("lti:links")
    scene.lti_placement  # noqa: B018 (one link with a column)
    client.get(url)
    with django_assert_num_queries(12) as one:
        client.get(url)
    for title in ("Quiz 2", "Quiz 3"):
        services.placement_add(
            actor=world.user("teacher_in"),
            tool=scene.lti_tool,
            school_class=world.school_class,
            subject=world.subject,
            title=title,
            column_maximum=5,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('<tr id="link-') == 3


def test_the_principal_finds_the_screen_from_the_platforms_page(world):
    page = world.client("principal").get(reverse("sso:platforms")).content.decode()
    assert f'href="{reverse("lti:tools")}"' in page
