"""The principal's screen of e-learning platforms: who may register, edit and revoke
them (the POST matrices), what the history keeps, bad input that saves nothing, and the
list's cost."""

from django.urls import reverse
from oauth2_provider.models import Application

from dziennik.core.models import AuditEntry
from dziennik.sso.models import Platform
from testsupport.url_matrix import Scene, expect

from .factories import register_platform

NEW_DATA = {
    "name": "Moodle szkolny",
    "redirect_uris": "https://moodle.example/auth/oidc/\nhttps://moodle.example/admin/oauth2callback.php",
    "client_type": "confidential",
    "scopes": ["openid", "profile"],
    "roles": ["student", "teacher"],
}


def _state():
    return (
        list(
            Platform.objects.order_by("pk").values_list(
                "pk", "school_id", "name", "active", "roles"
            )
        ),
        list(Application.objects.order_by("pk").values_list("pk", "redirect_uris")),
    )


def _split(expected, allowed):
    return [role for role in expected if role not in allowed], list(allowed)


def test_platform_new_matrix(world, matrix):
    url = reverse("sso:platform_new")
    expected = expect(404, principal=200, other_principal=200)
    refused, allowed = _split(expected, ("principal", "other_principal"))
    matrix.check(url, expected, method="post", data=NEW_DATA, state=_state, roles=refused)
    assert not Platform.objects.exists()
    results = matrix.check(url, expected, method="post", data=NEW_DATA, roles=allowed)
    # Each principal registered one for their own school; the secret is on that answer.
    assert sorted(Platform.objects.values_list("school_id", flat=True)) == sorted(
        [world.school.pk, world.other_school.pk]
    )
    page = results["principal"].text
    platform = Platform.objects.get(school=world.school)
    assert platform.application.client_id in page
    assert 'id="client-secret"' in page
    assert platform.application.client_secret not in page  # the stored hash, never shown


def test_platform_edit_matrix(world, matrix):
    platform = Scene(world).platform
    url = reverse("sso:platform_edit", args=[platform.pk])
    data = NEW_DATA | {"name": "Moodle po zmianie"}
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    platform.refresh_from_db()
    platform.application.refresh_from_db()
    assert (platform.name, platform.roles, platform.scopes) == (
        "Moodle po zmianie",
        ["student", "teacher"],
        "openid profile",
    )
    assert platform.application.redirect_uris == (
        "https://moodle.example/auth/oidc/ https://moodle.example/admin/oauth2callback.php"
    )
    # The client stays what it was registered as.
    assert platform.application.client_type == Application.CLIENT_CONFIDENTIAL


def test_platform_revoke_matrix(world, matrix):
    platform = Scene(world).platform
    url = reverse("sso:platform_revoke", args=[platform.pk])
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    platform.refresh_from_db()
    assert platform.active is False


def test_every_change_is_in_the_history_without_secrets(world):
    principal = world.user("principal")
    platform, secret = register_platform(world, public=False)
    created = AuditEntry.objects.get(object_id=str(platform.pk), action="create")
    assert created.actor == principal
    assert created.school_id == world.school.pk
    assert created.changes["name"] == [None, "Moodle"]
    assert created.changes["client_id"] == [None, platform.application.client_id]
    assert created.changes["roles"][1] == ["parent", "principal", "secretary", "student", "teacher"]
    text = str(created.changes)
    assert secret not in text and platform.pairwise_key not in text
    assert "pairwise_key" not in created.changes and "client_secret" not in created.changes

    client = world.client("principal")
    client.post(reverse("sso:platform_edit", args=[platform.pk]), NEW_DATA)
    updated = AuditEntry.objects.get(object_id=str(platform.pk), action="update")
    assert updated.changes["name"] == ["Moodle", "Moodle szkolny"]
    assert updated.changes["roles"] == [
        ["parent", "principal", "secretary", "student", "teacher"],
        ["student", "teacher"],
    ]
    assert "active" not in updated.changes

    client.post(reverse("sso:platform_revoke", args=[platform.pk]))
    revoked = AuditEntry.objects.filter(object_id=str(platform.pk), action="update").latest("pk")
    assert revoked.changes == {"active": [True, False], "tokens_revoked": [None, 0]}
    # The school office reads it in its own words.
    history = client.get(reverse("portal:history")).content.decode()
    for words in ("Adresy przekierowania", "Identyfikator klienta", "Unieważnione tokeny"):
        assert words in history


def test_bad_input_is_named_and_saves_nothing(world):
    client = world.client("principal")
    answer = client.post(
        reverse("sso:platform_new"),
        NEW_DATA
        | {
            "redirect_uris": "ftp://moodle.example/cb\nhttps://moodle.example/cb#frag",
            "roles": [],
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "ftp://moodle.example/cb nie jest dozwolonym adresem" in page
    assert "https://moodle.example/cb#frag nie jest dozwolonym adresem" in page
    assert "Wybierz, kto może się logować." in page  # every problem at once
    assert not Platform.objects.exists() and not Application.objects.exists()

    register_platform(world, name="Moodle szkolny")
    again = client.post(reverse("sso:platform_new"), NEW_DATA)
    assert again.status_code == 400
    assert "Szkoła ma już platformę o tej nazwie." in again.content.decode()
    assert Platform.objects.count() == 1


def test_a_scope_without_openid_is_refused(world):
    answer = world.client("principal").post(
        reverse("sso:platform_new"), NEW_DATA | {"scopes": ["register"]}
    )
    assert answer.status_code == 400
    assert "Wybierz zakresy, w tym openid." in answer.content.decode()
    assert not Platform.objects.exists()


def test_the_list_costs_the_same_for_one_platform_or_many(world, django_assert_num_queries):
    client = world.client("principal")
    register_platform(world, name="Moodle")
    url = reverse("sso:platforms")
    client.get(url)  # the session and the viewer settle
    with django_assert_num_queries(8) as one:
        client.get(url)
    for name in ("Teams", "Classroom", "Navoica"):
        register_platform(world, name=name)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('<tr id="platform-') == 4


def test_the_principal_finds_the_screen_in_the_menu(world):
    url = reverse("sso:platforms")
    assert f'href="{url}"' in world.client("principal").get("/").content.decode()
    assert f'href="{url}"' not in world.client("teacher_in").get("/").content.decode()
