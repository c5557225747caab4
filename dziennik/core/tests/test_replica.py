"""The database router against a real PostgreSQL streaming replica (``core.db_router``).

The module starts its own primary cluster with a small demo school and a hot standby made
from it with ``pg_basebackup -R`` (``testsupport.replica``), and the application under
gunicorn with ``DATABASE_REPLICA_URL``. Where a read went is seen by making the two
differ: the replica's replay is paused (``pg_wal_replay_pause()``) and a row is changed
on the primary; a page that shows the old value was read from the replica."""

from __future__ import annotations

import json
import re
import time

import pytest

from testsupport.faults import (
    AppServer,
    PostgresCluster,
    RedisServer,
    app_env,
    build_demo,
    wait_for,
)
from testsupport.faults import django_code as run_code
from testsupport.replica import StreamingReplica

pytestmark = [pytest.mark.faults]

DATABASE = "dziennik_replica_test"
COOKIE = "dziennik_wal"
OLD_TOPIC = "Temat sprzed zmian"


@pytest.fixture(scope="module")
def clusters():
    """The primary with a migrated demo school, and its streaming replica."""
    primary = PostgresCluster().init()
    primary.start()
    replica = None
    try:
        primary.sql(f'CREATE DATABASE "{DATABASE}"')
        build_demo(app_env(primary.url(DATABASE)))
        replica = StreamingReplica(primary).init()
        replica.start()
        yield primary, replica
    finally:
        if replica is not None:
            replica.destroy()
        primary.destroy()


def _env(primary, replica, cache_url: str | None = None) -> dict:
    env = app_env(primary.url(DATABASE), cache_url=cache_url)
    env.update(DATABASE_REPLICA_URL=replica.url(DATABASE), REPLICA_RETRY_AFTER="1")
    return env


def _value(env, code: str):
    return json.loads(run_code(env, code + "\nimport json as _j; print(_j.dumps(result))"))


LESSON = """
from dziennik.attendance.models import Lesson
lesson = Lesson.objects.filter(teacher__username='nauczyciel', group__isnull=True).order_by('-date', 'pk').first()
result = lesson.pk
"""  # noqa: E501


@pytest.fixture
def lesson(clusters) -> int:
    """The teacher's lesson, with a topic of its own on both clusters."""
    primary, replica = clusters
    lesson_id = _value(app_env(primary.url(DATABASE)), LESSON)
    _topic_on_primary(primary, lesson_id, OLD_TOPIC)
    replica.wait_caught_up()
    return lesson_id


def _topic_on_primary(primary, lesson_id: int, topic: str) -> None:
    primary.sql(f"UPDATE attendance_lesson SET topic = '{topic}' WHERE id = {lesson_id}", DATABASE)


def _topic(cluster, lesson_id: int) -> str:
    found = cluster.sql(f"SELECT topic FROM attendance_lesson WHERE id = {lesson_id}", DATABASE)
    return found[0][0]


def _shown_topic(session, lesson_id: int) -> str:
    page = session.get(f"/frekwencja/lekcje/{lesson_id}/")
    assert page.status == 200, page.status
    found = re.search(r'name="topic"[^>]*value="([^"]*)"', page.text) or re.search(
        r'value="([^"]*)"[^>]*name="topic"', page.text
    )
    assert found, "no topic field on the lesson page"
    return found.group(1)


def _save_lesson(session, lesson_id: int, topic: str):
    path = f"/frekwencja/lekcje/{lesson_id}/"
    html = session.get(path).text
    students = sorted({int(s) for s in re.findall(r'name="mark-(\d+)"', html)})
    kind = re.findall(r'name="mark-\d+" value="(\d+)"', html)[0]
    fields = [("csrfmiddlewaretoken", session.csrf_token(html)), ("topic", topic)]
    fields += [(f"mark-{s}", kind) for s in students]
    return session.post(path, fields)


def _pending(session) -> bool:
    """Whether the browser carries a position its next reads wait for."""
    return session.cookies.get(COOKIE, "").strip('"') != ""  # a deleted cookie: ""


def test_reads_go_to_the_replica_and_own_writes_are_read_from_the_primary(
    clusters, lesson, tmp_path
):
    primary, replica = clusters
    server = AppServer(_env(primary, replica), workers=1, log=tmp_path / "gunicorn.log").start()
    try:
        teacher = server.session()
        teacher.login("nauczyciel")
        assert _pending(teacher)  # the login wrote (the last login)
        other = server.session()  # the same teacher in another browser
        other.login("nauczyciel")
        replica.wait_caught_up()
        assert _shown_topic(teacher, lesson) == OLD_TOPIC
        assert not _pending(teacher)  # the replica has passed the login: cookie gone
        assert _shown_topic(other, lesson) == OLD_TOPIC

        replica.pause()
        try:
            _topic_on_primary(primary, lesson, "Zmienione na primary")
            # Read-only pages are read from the (now lagging) replica.
            assert _shown_topic(teacher, lesson) == OLD_TOPIC
            assert _shown_topic(other, lesson) == OLD_TOPIC

            # The save is written to the primary (the replica refuses writes anyway)...
            answer = _save_lesson(teacher, lesson, "Temat nauczyciela")
            assert answer.status == 302, (tmp_path / "gunicorn.log").read_text()
            assert _topic(primary, lesson) == "Temat nauczyciela"
            assert _topic(replica, lesson) == OLD_TOPIC
            assert _pending(teacher)
            # ...and the one who saved reads it from the primary while the replica lags,
            for _ in range(3):
                assert _shown_topic(teacher, lesson) == "Temat nauczyciela"
                assert _pending(teacher)
            # while a browser that wrote nothing still reads the replica.
            assert _shown_topic(other, lesson) == OLD_TOPIC
        finally:
            replica.resume()

        replica.wait_caught_up()
        assert _shown_topic(other, lesson) == "Temat nauczyciela"
        # Once the replica has passed the teacher's save, the cookie goes.
        wait_for(
            lambda: _shown_topic(teacher, lesson) == "Temat nauczyciela" and not _pending(teacher),
            10,
            "the teacher back on the replica",
        )
    finally:
        server.stop()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()


def test_a_stopped_replica_falls_back_to_the_primary_and_comes_back(clusters, lesson, tmp_path):
    primary, replica = clusters
    server = AppServer(_env(primary, replica), workers=1, log=tmp_path / "gunicorn.log").start()
    try:
        teacher = server.session()
        teacher.login("nauczyciel")
        replica.wait_caught_up()
        assert _shown_topic(teacher, lesson) == OLD_TOPIC  # a kept replica connection

        ready = json.loads(teacher.get("/readyz").text)
        assert ready["status"] == "ready" and ready["replica"] == "ok"

        replica.stop("fast")
        try:
            ready = teacher.get("/readyz")
            assert ready.status == 200  # ready without it: the primary serves the reads
            assert json.loads(ready.text)["replica"] == "unavailable"
            _topic_on_primary(primary, lesson, "Widać bez repliki")
            for _ in range(3):
                assert _shown_topic(teacher, lesson) == "Widać bez repliki"
            assert _save_lesson(teacher, lesson, "Zapisane bez repliki").status == 302
            assert _shown_topic(teacher, lesson) == "Zapisane bez repliki"
        finally:
            replica.start()

        # Back: after REPLICA_RETRY_AFTER (1 s here) the replica serves the reads again.
        replica.wait_caught_up()
        time.sleep(1.2)
        wait_for(lambda: _shown_topic(teacher, lesson) and not _pending(teacher), 10, "cookie gone")
        replica.pause()
        try:
            _topic_on_primary(primary, lesson, "Tylko na primary")
            assert _shown_topic(teacher, lesson) == "Zapisane bez repliki"
        finally:
            replica.resume()
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Replica unavailable" in log
    assert "Traceback" not in log


CHILD = """
from dziennik.schools.models import Guardianship
student = Guardianship.objects.filter(guardian__user__username='rodzic').order_by('student_id').first().student
result = [student.pk, student.first_name]
"""  # noqa: E501

RENAME = """
from dziennik.schools.models import Student
student = Student.objects.get(pk={pk})
student.first_name = {name!r}
student.save()
result = student.pk
"""


def test_a_cached_page_is_never_built_from_a_replica_behind_its_versions(clusters, tmp_path):
    """The family home is kept in Redis under the versions of the data it shows. A change
    bumps them at once; a page built then from the lagging replica would keep the old
    child's name under the new versions. It is built from the primary instead."""
    primary, replica = clusters
    redis = RedisServer().start()
    try:
        env = _env(primary, replica, cache_url=redis.url)
        writer = app_env(primary.url(DATABASE), cache_url=redis.url)  # no request: primary
        child_id, name = _value(writer, CHILD)
        server = AppServer(env, workers=1, log=tmp_path / "gunicorn.log").start()
        try:
            parent = server.session()
            parent.login("rodzic")
            replica.wait_caught_up()
            first = parent.get("/")
            assert first.status == 200 and name in first.text
            assert parent.get("/").text == first.text  # kept, served again

            replica.pause()
            try:
                _value(writer, RENAME.format(pk=child_id, name="Replikant"))
                lagging = replica.sql(
                    f"SELECT first_name FROM schools_student WHERE id = {child_id}", DATABASE
                )
                assert lagging == [(name,)]
                page = parent.get("/")
                assert page.status == 200
                assert "Replikant" in page.text
            finally:
                replica.resume()
            replica.wait_caught_up()
            again = parent.get("/")
            assert "Replikant" in again.text and name not in again.text
        finally:
            server.stop()
            _value(writer, RENAME.format(pk=child_id, name=name))
    finally:
        redis.stop()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
