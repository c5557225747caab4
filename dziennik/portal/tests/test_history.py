"""The principal's history browser: who may see it, filters, paging, cost, read-only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.core import audit
from dziennik.core.models import AuditEntry
from dziennik.portal import history_text, selectors
from dziennik.schools.viewer import get_viewer

ONLY_SCHOOL_WIDE = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 404,
    "principal": 200,
    "other_principal": 200,  # their own school's history, never this school's
}
URL = "/historia/"


def change_student(world, actor, **values):
    student = world.student
    before = audit.snapshot(student, fields=values.keys())
    for name, value in values.items():
        setattr(student, name, value)
    student.save()
    return audit.record_update(
        actor=actor,
        instance=student,
        before=before,
        student_id=student.pk,
        school_class_id=world.school_class.pk,
    )


def make_entries(world, n: int, actor=None):
    actor = actor or world.user("class_teacher")
    for i in range(n):
        change_student(world, actor, birth_place=f"Miejscowość {i}")


def client_for(world, role) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


def test_url():
    assert reverse("portal:history") == URL


def test_history_matrix(world, matrix):
    change_student(world, world.user("class_teacher"), birth_place="Zakopane")
    results = matrix.check(
        URL,
        ONLY_SCHOOL_WIDE,
        secrets=["Zakopane", "Wiśniewska"],
        secrets_for={"other_principal": ["Zakopane", "Wiśniewska"]},
    )
    page = results["principal"].content.decode()
    assert "Zakopane" in page
    assert "Wójcik" in page  # the author, Grażyna Wójcik
    assert client_for(world, "secretary").get(URL).status_code == 200


def test_filters_of_another_school_show_nothing(world, matrix):
    change_student(world, world.user("class_teacher"), birth_place="Zakopane")
    query = (
        f"?student={world.student.pk}&school_class={world.school_class.pk}"
        f"&actor={world.user('class_teacher').pk}"
    )
    results = matrix.check(
        URL + query,
        ONLY_SCHOOL_WIDE,
        secrets=["Zakopane"],
        secrets_for={"other_principal": ["Zakopane", "Wiśniewska", "Wójcik"]},
    )
    assert "Zakopane" in results["principal"].content.decode()


def test_deputy_principal_may_browse(world):
    from dziennik.accounts.tests.factories import UserFactory
    from dziennik.schools.models import SchoolRole

    deputy = UserFactory(school=world.school)
    SchoolRole.objects.create(school=world.school, user=deputy, role="deputy_principal")
    client = Client()
    client.force_login(deputy)
    assert client.get(URL).status_code == 200


def test_entries_show_who_when_what_and_old_new(world):
    entry = change_student(world, world.user("class_teacher"), birth_place="Zakopane")
    response = client_for(world, "principal").get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.entry.pk for r in rows] == [entry.pk]
    changes = rows[0].changes
    assert [(c.old, c.new) for c in changes] == [("–", "Zakopane")]
    assert changes[0].label == str(world.student._meta.get_field("birth_place").verbose_name)
    content = response.content.decode()
    assert f'data-entry="{entry.pk}"' in content
    assert "<ins>Zakopane</ins>" in content


def test_filter_per_student_class_and_author(world):
    teacher = world.user("teacher_in")
    principal = world.user("principal")
    on_student = change_student(world, teacher, birth_place="A")
    # An entry about the classmate, naming only the student (no class).
    before = audit.snapshot(world.classmate, fields=["birth_place"])
    world.classmate.birth_place = "B"
    world.classmate.save()
    on_classmate = audit.record_update(
        actor=principal, instance=world.classmate, before=before, student_id=world.classmate.pk
    )
    # An entry about another class.
    before = audit.snapshot(world.other_class, fields=["level"])
    world.other_class.level = 5
    world.other_class.save()
    on_other_class = audit.record_update(
        actor=principal,
        instance=world.other_class,
        before=before,
        school_class_id=world.other_class.pk,
    )
    client = client_for(world, "principal")

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200
        return [row.entry.pk for row in response.context["rows"]]

    assert ids(f"?student={world.student.pk}") == [on_student.pk]
    assert ids(f"?school_class={world.school_class.pk}") == [on_classmate.pk, on_student.pk]
    assert ids(f"?school_class={world.other_class.pk}") == [on_other_class.pk]
    assert ids(f"?actor={teacher.pk}") == [on_student.pk]
    assert ids(f"?actor={principal.pk}") == [on_other_class.pk, on_classmate.pk]
    assert ids(f"?actor={principal.pk}&student={world.classmate.pk}") == [on_classmate.pk]
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assert len(ids(f"?date_from={today}&date_to={today}")) == 3
    assert ids(f"?date_to={today - day}") == []
    assert ids(f"?date_from={today + day}") == []


def test_selector_is_school_bound(world):
    entry = change_student(world, world.user("class_teacher"), birth_place="X")
    assert list(selectors.audit_entries_for(get_viewer(world.user("principal")))) == [entry]
    assert list(selectors.audit_entries_for(get_viewer(world.user("secretary")))) == [entry]
    assert list(selectors.audit_entries_for(get_viewer(world.user("other_principal")))) == []
    assert (
        list(
            selectors.audit_entries_for(
                get_viewer(world.user("other_principal")), student_id=world.student.pk
            )
        )
        == []
    )
    for role in ("teacher_in", "class_teacher", "own_parent", "student"):
        assert list(selectors.audit_entries_for(get_viewer(world.user(role)))) == []


@pytest.mark.parametrize(
    "query",
    [
        "?student=abc",
        "?actor=-1",
        "?date_from=31.02.2026",
        "?date_from=2026-05-02&date_to=2026-05-01",
        # values no column holds, and dates the calendar cannot count past
        "?actor=99999999999999999999",
        "?student=9223372036854775808",
        "?school_class=²",
        "?date_to=9999-12-31",
        "?date_from=0001-01-01",
    ],
)
def test_bad_filters_give_a_clear_error(world, query):
    make_entries(world, 1)
    response = client_for(world, "principal").get(URL + query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["rows"] == []


def test_pagination(world):
    make_entries(world, 53)
    client = client_for(world, "principal")
    first = client.get(URL + f"?student={world.student.pk}")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 53
    assert f"student={world.student.pk}&amp;page=2" in first.content.decode()
    second = client.get(URL + f"?student={world.student.pk}&page=2")
    assert len(second.context["rows"]) == 3
    newest_first = [row.entry.pk for row in first.context["rows"]]
    assert newest_first == sorted(newest_first, reverse=True)


# session 2, viewer 5, count + page, 3 filter lists (+ the students' classes), the classes of
# the students on the page
HISTORY_PAGE_QUERIES = 14


def test_query_count_does_not_grow_with_entries(world, django_assert_num_queries):
    client = client_for(world, "principal")
    client.get(URL)  # warm caches (content types)
    make_entries(world, 3)
    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    make_entries(world, 27, actor=world.user("teacher_in"))
    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        response = client.get(URL)
    assert len(response.context["rows"]) == 30
    with django_assert_num_queries(HISTORY_PAGE_QUERIES):
        assert client.get(URL + f"?school_class={world.school_class.pk}").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_history_cannot_be_changed_over_http(world, method):
    entry = change_student(world, world.user("class_teacher"), birth_place="Zakopane")
    before = list(AuditEntry.objects.values_list("pk", "object_repr", "changes", "actor_id"))
    client = client_for(world, "principal")
    response = getattr(client, method)(URL, data={"id": entry.pk, "object_repr": "forged"})
    assert response.status_code == 405
    response = getattr(client, method)(f"{URL}{entry.pk}/", data={"object_repr": "forged"})
    assert response.status_code == 404
    assert list(AuditEntry.objects.values_list("pk", "object_repr", "changes", "actor_id")) == (
        before
    )


def test_nav_item_for_school_wide_viewers_only(world):
    assert 'href="/historia/"' in client_for(world, "principal").get("/").content.decode()
    assert 'href="/historia/"' in client_for(world, "secretary").get("/").content.decode()
    for role in ("class_teacher", "teacher_in", "own_parent", "student"):
        assert 'href="/historia/"' not in client_for(world, role).get("/").content.decode()


def test_history_write_methods_matrix(world, matrix):
    change_student(world, world.user("class_teacher"), birth_place="Zakopane")

    def state():
        return list(AuditEntry.objects.values_list("pk", "object_repr", "changes", "actor_id"))

    expected = {role: 405 for role in ONLY_SCHOOL_WIDE}
    expected["anonymous"] = 302
    for method in ("post", "delete"):
        matrix.check(
            URL,
            expected,
            method=method,
            data={"object_repr": "forged"},
            state=state,
            secrets=["Zakopane"],
        )


def test_linked_records_are_named_not_numbered(world, django_assert_num_queries):
    from dziennik.attendance.tests.factories import build_register, save_lesson

    reg = build_register(world)
    lessons = [
        save_lesson(world, reg, entry, {world.student: "nb"})
        for entry in (reg.history1, reg.math2, reg.math3)
    ]
    client = client_for(world, "principal")
    client.get(URL)
    page = client.get(URL + f"?student={world.student.pk}").content.decode()
    # a mark's lesson by its date, number, subject and class, not its id
    for lesson in lessons:
        assert history_text.lesson_text(lesson) in page
        assert f"{lesson.date:%d.%m.%Y}, lekcja {lesson.slot.number}, {lesson.subject.name}" in page
    # one query per kind of linked record (the marks, their lessons, the kinds by code),
    # however many entries: the same with 3 lessons as with 6
    with django_assert_num_queries(HISTORY_PAGE_QUERIES + 3):
        client.get(URL + f"?student={world.student.pk}")
    for entry in (reg.history4,):
        save_lesson(world, reg, entry, {world.student: "nb"})
    save_lesson(world, reg, reg.math2, {world.student: "u"}, day=reg.day - datetime.timedelta(7))
    save_lesson(world, reg, reg.math3, {world.student: "u"}, day=reg.day - datetime.timedelta(7))
    with django_assert_num_queries(HISTORY_PAGE_QUERIES + 3):
        client.get(URL + f"?student={world.student.pk}")
