"""The rooms screen: add, rename, deactivate and delete a room through the services (with
history) and over HTTP, who may do it, and what an inactive room means for the editor."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from dziennik.core.models import AuditEntry
from dziennik.timetable import services, settings_selectors
from dziennik.timetable import settings_services as rooms
from dziennik.timetable.models import Room

from .helpers import build, next_monday

# session, user, the viewer (5), the rooms with their lessons
ROOMS_PAGE = 8

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
    "other_principal": 404,
}
REFUSED = [role for role, status in MANAGERS.items() if status != 200]
# The list is the other school's too: its principal sees their own (empty) list.
LIST = dict(MANAGERS, other_principal=200)


@pytest.fixture
def reg(world):
    return build(world)  # room "12" holds 4a's Monday lessons


def room_history(room_id):
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Room), object_id=str(room_id)
        ).order_by("pk")
    )


def room_select(html: str) -> str:
    return re.search(r'<select name="room".*?</select>', html, re.S).group(0)


def state():
    return sorted(Room.objects.values_list("school_id", "name", "is_active"))


def test_add_rename_and_deactivate_are_recorded(world, reg):
    secretary = world.user("secretary")
    made = rooms.room_create(actor=secretary, name="  sala   gimnastyczna ")
    assert (made.name, made.is_active, made.school_id) == (
        "sala gimnastyczna",
        True,
        world.school.pk,
    )
    rooms.room_update(actor=secretary, room=made, name="Sala gimnastyczna")
    rooms.room_update(actor=world.user("principal"), room=made, is_active=False)
    entries = room_history(made.pk)
    assert [(e.action, e.changes) for e in entries] == [
        (
            "create",
            {
                "name": [None, "sala gimnastyczna"],
                "is_active": [None, True],
                "school": [None, world.school.pk],
            },
        ),
        ("update", {"name": ["sala gimnastyczna", "Sala gimnastyczna"]}),
        ("update", {"is_active": [True, False]}),
    ]
    assert [e.actor for e in entries] == [secretary, secretary, world.user("principal")]


def test_names_are_checked(world, reg):
    principal = world.user("principal")
    with pytest.raises(ValidationError) as exc:
        rooms.room_create(actor=principal, name=" 12 ")
    assert exc.value.message_dict == {"name": ["Szkoła ma już salę o nazwie „12”."]}
    with pytest.raises(ValidationError) as exc:
        rooms.room_create(actor=principal, name="  ")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        rooms.room_create(actor=principal, name="x" * 51)
    assert state() == [(world.school.pk, "12", True)]


def test_only_an_unused_room_is_deleted(world, reg):
    principal = world.user("principal")
    with pytest.raises(ValidationError) as exc:
        rooms.room_delete(actor=principal, room=reg.room)
    assert "nie można jej usunąć" in exc.value.messages[0]
    typo = rooms.room_create(actor=principal, name="1Z")
    rooms.room_delete(actor=principal, room=typo)
    assert not Room.objects.filter(pk=typo.pk).exists()
    assert [e.action for e in room_history(typo.pk)] == ["create", "delete"]


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "own_parent", "other_principal"])
def test_only_those_who_manage_the_timetable_change_rooms(world, reg, role):
    actor = world.user(role)
    with pytest.raises(PermissionDenied):
        rooms.room_update(actor=actor, room=reg.room, name="13")
    with pytest.raises(PermissionDenied):
        rooms.room_delete(actor=actor, room=reg.room)
    if role != "other_principal":
        with pytest.raises(PermissionDenied):
            rooms.room_create(actor=actor, name="13")
    assert state() == [(world.school.pk, "12", True)]
    assert room_history(reg.room.pk) == []


def test_a_stale_form_is_refused(world, reg):
    seen = settings_selectors.room_version(reg.room)
    rooms.room_update(actor=world.user("principal"), room=reg.room, name="12a")
    with pytest.raises(rooms.StaleRoom):
        rooms.room_update(
            actor=world.user("secretary"), room=reg.room, is_active=False, version=seen
        )
    assert state() == [(world.school.pk, "12a", True)]


def test_an_inactive_room_is_not_offered_for_new_lessons(world, reg):
    principal = world.user("principal")
    rooms.room_update(actor=principal, room=reg.room, is_active=False)
    reg.room.refresh_from_db()
    client = world.client("principal")
    form = client.get(f"/plan/klasa/{world.school_class.pk}/edycja/dodaj/").content.decode()
    assert f'<option value="{reg.room.pk}"' not in room_select(form)
    with pytest.raises(ValidationError) as exc:
        services.timetable_entry_create(
            actor=principal,
            school_class=world.school_class,
            weekday=2,
            slot=reg.slots[6],
            subject=world.subject,
            teacher=world.user("teacher_in"),
            room=reg.room,
            valid_from=next_monday(reg),
        )
    assert exc.value.messages == ["Sala 12 nie jest już używana: wybierz inną."]
    # a lesson already in it keeps it when changed, and its form still shows it
    form = client.get(f"/plan/wpis/{reg.math2.pk}/zmien/").content.decode()
    assert f'<option value="{reg.room.pk}" selected>' in room_select(form)
    changed = services.timetable_entry_change(
        actor=principal,
        entry=reg.math2,
        from_date=next_monday(reg),
        weekday=reg.math2.weekday,
        slot=reg.slots[7],
        subject=reg.math2.subject,
        teacher=reg.math2.teacher,
        room=reg.room,
    )
    assert changed.room_id == reg.room.pk


def test_rooms_pages_matrix(world, matrix, reg):
    secret = "Pracownia chemiczna"
    room = rooms.room_create(actor=world.user("principal"), name=secret)
    matrix.check("/plan/sale/", LIST, secrets=[secret], secrets_for={"other_principal": [secret]})
    for url in (f"/plan/sale/{room.pk}/", f"/plan/sale/{room.pk}/usun/"):
        matrix.check(url, MANAGERS, secrets=[secret])


def test_rooms_writes_matrix(world, matrix, reg):
    posted = dict(MANAGERS, principal=302, secretary=302)
    add = {"name": "13"}
    # another school's principal adds to their own school: checked after the others
    others = [role for role in REFUSED if role != "other_principal"]
    matrix.check("/plan/sale/", posted, method="post", data=add, state=state, roles=others)
    matrix.check("/plan/sale/", posted, method="post", data=add, roles=["secretary"])
    assert (world.school.pk, "13", True) in state()
    matrix.check("/plan/sale/", {"other_principal": 302}, method="post", data=add)
    assert (world.other_school.pk, "13", True) in state()

    edit_url = f"/plan/sale/{reg.room.pk}/"
    data = {"name": "12 (biologia)", "is_active": ""}
    matrix.check(edit_url, posted, method="post", data=data, state=state, roles=REFUSED)
    matrix.check(edit_url, posted, method="post", data=data, roles=["principal"])
    reg.room.refresh_from_db()
    assert (reg.room.name, reg.room.is_active) == ("12 (biologia)", False)

    unused = Room.objects.get(school=world.school, name="13")
    delete_url = f"/plan/sale/{unused.pk}/usun/"
    matrix.check(delete_url, posted, method="post", state=state, roles=REFUSED)
    matrix.check(delete_url, posted, method="post", roles=["principal"])
    assert not Room.objects.filter(pk=unused.pk).exists()
    # a used room: the page says so, and the POST is refused
    response = world.client("principal").post(f"/plan/sale/{reg.room.pk}/usun/")
    assert response.status_code == 400
    assert Room.objects.filter(pk=reg.room.pk).exists()


def test_rooms_page_shows_use_and_keeps_a_mistake(world, reg, django_assert_num_queries):
    client = world.client("secretary")
    client.get("/plan/sale/")
    with django_assert_num_queries(ROOMS_PAGE):
        html = client.get("/plan/sale/").content.decode()
    assert f'data-room="{reg.room.pk}"' in html
    for n in range(5):
        rooms.room_create(actor=world.user("secretary"), name=f"{20 + n}")
    with django_assert_num_queries(ROOMS_PAGE):
        html = client.get("/plan/sale/").content.decode()
    lessons = html.split(f'data-room="{reg.room.pk}"')[1].split("</tr>")[0]
    assert '<td class="num">4</td>' in lessons  # 4a's four Monday lessons
    response = client.post("/plan/sale/", {"name": "12"})
    assert response.status_code == 400
    assert "Szkoła ma już salę o nazwie „12”." in response.content.decode()
    assert 'value="12"' in response.content.decode()
