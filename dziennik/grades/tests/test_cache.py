"""The parent's grade page is cached; every change it shows must reach it at once."""

from django.urls import reverse

from dziennik.grades import services
from dziennik.schools import models as sm


def _page(client, world) -> str:
    response = client.get(reverse("grades:student", args=[world.student.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _visit(client, world) -> None:
    """The first visit sets the "last seen" mark; the second is cached under it."""
    _page(client, world)
    _page(client, world)


def _served_from_cache(client, world, assert_warm_queries) -> str:
    with assert_warm_queries(2):  # session and user
        return _page(client, world)


def test_a_changed_grade_shows_on_the_next_load(world, column, assert_warm_queries):
    parent = world.client("own_parent")
    _visit(parent, world)
    assert "4+" in _served_from_cache(parent, world, assert_warm_queries)
    services.grade_set(
        actor=world.user("teacher_in"), assessment=column, student=world.student, raw="6"
    )
    html = _page(parent, world)
    assert 'data-value="6.00"' in html or ">6<" in html
    assert "4+" not in html


def test_a_new_column_and_a_renamed_subject_show_on_the_next_load(
    world, column, assert_warm_queries
):
    parent = world.client("own_parent")
    _visit(parent, world)
    _served_from_cache(parent, world, assert_warm_queries)
    sm.Subject.objects.filter(pk=world.subject.pk).update(name="x")  # no signal: no bump
    assert "Matematyka" in _served_from_cache(parent, world, assert_warm_queries)
    subject = sm.Subject.objects.get(pk=world.subject.pk)
    subject.name = "Matematyka rozszerzona"
    subject.save()  # the admin's way: the configuration version moves
    assert "Matematyka rozszerzona" in _page(parent, world)


def test_switching_comparisons_on_shows_them_on_the_next_load(world, column, assert_warm_queries):
    parent = world.client("own_parent")
    _visit(parent, world)
    assert "class-average" not in _served_from_cache(parent, world, assert_warm_queries)
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    assert 'class="class-average"' in _page(parent, world)


def test_a_cached_page_is_not_served_to_someone_else(world, column):
    _page(world.client("own_parent"), world)
    url = reverse("grades:student", args=[world.student.pk])
    assert world.client("other_parent").get(url).status_code == 404
    assert world.client("teacher_out").get(url).status_code == 404
    assert world.client("other_principal").get(url).status_code == 404


def test_each_language_has_its_own_page(world, column):
    parent = world.client("own_parent")
    polish = _page(parent, world)
    parent.cookies["django_language"] = "en"
    english = _page(parent, world)
    assert "Średnia" in polish and "Średnia" not in english
    assert "Average" in english
