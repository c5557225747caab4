"""The POST matrices of messages: who may send, answer, file, delete, withdraw and set
the school's rules; refused requests change nothing."""

from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.messaging.models import Delivery, Message, MessagingSettings
from testsupport.url_matrix import expect

from .factories import send


def _state():
    return (
        list(Message.objects.order_by("pk").values_list("pk", "body", "withdrawn_at")),
        list(Delivery.objects.order_by("pk").values_list("pk", "folder", "read_at")),
        list(MessagingSettings.objects.order_by("pk").values_list("pk", "sends_per_hour")),
    )


def _message(world):
    return send(world.user("own_parent"), [world.user("class_teacher")], subject="Zwolnienie")


def test_compose_matrix(world, matrix):
    url = reverse("messaging:compose")
    data = {"recipients": [world.user("class_teacher").pk], "subject": "Pytanie", "body": "Treść"}
    expected = expect(302, class_teacher=400, other_principal=400)
    refused = ["anonymous", "class_teacher", "other_principal"]
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert not Message.objects.exists()
    allowed = [r for r in expected if r not in refused]
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    senders = set(Message.objects.values_list("sender__username", flat=True))
    assert senders == {world.user(r).username for r in allowed}
    assert set(Delivery.objects.values_list("recipient_id", flat=True)) == {
        world.user("class_teacher").pk
    }


def test_reply_matrix(world, matrix):
    message = _message(world)
    url = reverse("messaging:reply", args=[message.pk])
    expected = expect(404, own_parent=302, class_teacher=302)
    expected["anonymous"] = 302
    refused = [r for r in expected if r not in ("own_parent", "class_teacher")]
    data = {"body": "Odpowiedź"}
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["class_teacher"])
    answer = Message.objects.latest("pk")
    assert (answer.thread_id, answer.sender, answer.body) == (
        message.thread_id,
        world.user("class_teacher"),
        "Odpowiedź",
    )
    assert list(answer.deliveries.values_list("recipient_id", flat=True)) == [
        world.user("own_parent").pk
    ]


def test_move_matrix(world, matrix):
    message = _message(world)
    url = reverse("messaging:move", args=[message.pk])
    expected = expect(404, class_teacher=302)
    expected["anonymous"] = 302
    refused = [r for r in expected if r != "class_teacher"]
    data = {"folder": "archive"}
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["class_teacher"])
    assert Delivery.objects.get().folder == "archive"


def test_delete_matrix(world, matrix):
    message = _message(world)
    Delivery.objects.update(folder="trash")
    url = reverse("messaging:delete", args=[message.pk])
    expected = expect(404, class_teacher=302)
    expected["anonymous"] = 302
    refused = [r for r in expected if r != "class_teacher"]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=["class_teacher"])
    assert not Delivery.objects.exists()
    assert Message.objects.filter(pk=message.pk).exists()  # the sender's copy stays
    entry = AuditEntry.objects.get(action="delete")
    assert entry.actor == world.user("class_teacher")


def test_withdraw_matrix(world, matrix):
    message = _message(world)
    url = reverse("messaging:withdraw", args=[message.pk])
    expected = expect(404, own_parent=302)
    expected["anonymous"] = 302
    refused = [r for r in expected if r != "own_parent"]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=["own_parent"])
    message.refresh_from_db()
    assert message.withdrawn_at is not None


def test_settings_matrix(world, matrix):
    url = reverse("messaging:settings")
    data = {
        "parents_write_to_parents": "on",
        "attachment_max_mb": "5",
        "attachment_kinds": ["pdf"],
        "sends_per_hour": "12",
        "retention_years": "2",
    }
    expected = expect(404, principal=302, other_principal=302)
    refused = [r for r in expected if r not in ("principal", "other_principal")]
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    rules = MessagingSettings.objects.get()
    assert (rules.school, rules.parents_write_to_parents, rules.attachment_kinds) == (
        world.school,
        True,
        "pdf",
    )
    assert (rules.attachment_max_mb, rules.sends_per_hour, rules.retention_years) == (5, 12, 2)
