"""The POST matrices of behaviour notes: who writes, corrects and withdraws a note, who
sets the school's points; refused requests change nothing."""

from django.urls import reverse
from django.utils import timezone

from dziennik.behaviour.models import BehaviourCategory, BehaviourNote, BehaviourSettings
from testsupport.url_matrix import PRINCIPAL_PAGE, expect

from .factories import category, write_note


def _state():
    return list(
        BehaviourNote.objects.order_by("pk").values_list(
            "pk", "text", "category_id", "points", "withdrawn_at"
        )
    )


def _data(world, text):
    return {
        "category": category(world.school, "pomoc innym").pk,
        "text": text,
        "date": timezone.localdate().isoformat(),
    }


def test_note_new_matrix(world, matrix):
    url = reverse("behaviour:note_new", args=[world.student.pk])
    expected = expect(404, teacher_in=302, class_teacher=302, principal=302)
    allowed = ["teacher_in", "class_teacher", "principal"]
    refused = [r for r in expected if r not in allowed]
    data = _data(world, "Pomogła w bibliotece.")
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert not BehaviourNote.objects.exists()
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    notes = BehaviourNote.objects.filter(student=world.student)
    assert sorted(n.author.username for n in notes) == ["dyrektor-test", "n-in", "wych"]
    assert {n.kind for n in notes} == {"positive"}


def test_note_edit_matrix(world, matrix):
    note = write_note(world.user("teacher_in"), world.student)
    url = reverse("behaviour:note_edit", args=[note.pk])
    expected = expect(404, teacher_in=302)
    refused = [r for r in expected if r != "teacher_in"]
    data = _data(world, "Poprawiona treść.")
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["teacher_in"])
    note.refresh_from_db()
    assert (note.text, note.category.name) == ("Poprawiona treść.", "pomoc innym")


def test_note_withdraw_matrix(world, matrix):
    note = write_note(world.user("class_teacher"), world.student)
    url = reverse("behaviour:note_withdraw", args=[note.pk])
    expected = expect(404, class_teacher=302)
    refused = [r for r in expected if r != "class_teacher"]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=["class_teacher"])
    note.refresh_from_db()
    assert note.withdrawn_at is not None


def test_settings_matrix(world, matrix):
    url = reverse("behaviour:settings")
    expected = dict(PRINCIPAL_PAGE, principal=302, other_principal=302)

    def state():
        return list(BehaviourSettings.objects.values_list("school_id", "uses_points"))

    refused = [r for r in expected if r not in ("principal", "other_principal")]
    data = {"uses_points": "on"}
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["principal", "other_principal"])
    assert sorted(state()) == sorted([(world.school.pk, True), (world.other_school.pk, True)])


def test_settings_category_matrix(world, matrix):
    url = reverse("behaviour:settings")
    expected = dict(PRINCIPAL_PAGE, principal=302, other_principal=302)

    def state():
        return sorted(BehaviourCategory.objects.values_list("school_id", "name"))

    refused = [r for r in expected if r not in ("principal", "other_principal")]
    data = {
        "action": "category",
        "category-name": "udział w zawodach sportowych",
        "category-kind": "positive",
        "category-default_points": "10",
    }
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == []
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    added = BehaviourCategory.objects.get(name="udział w zawodach sportowych")
    assert (added.school_id, added.kind, added.default_points) == (world.school.pk, "positive", 10)
    # the usual list came first; the new one is last
    assert BehaviourCategory.objects.filter(school=world.school).count() == 12
    # the same name again: 400, the form says why, nothing added
    again = world.client("principal").post(url, dict(data, **{"category-name": "Pomoc innym"}))
    assert again.status_code == 400
    assert "Szkoła ma już taką kategorię." in again.content.decode()
    assert BehaviourCategory.objects.filter(school=world.school).count() == 12
