"""A real task worker killed with SIGKILL in the middle of sending: nothing is lost and
nothing is sent twice.

The worker (``manage.py task_worker``, database queue, a throw-away PostgreSQL cluster)
sends e-mail to a local SMTP server that stalls before it accepts the eleventh message.
The worker is killed while it waits for that answer; the next worker puts the task back
in the queue (``core.task_orphans``), and every message reaches the server exactly once:
the ten accepted ones were recorded as sent in their own transactions, the stalled one
was never accepted and goes again with the rest.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from testsupport.faults import PostgresCluster, TaskWorker, app_env, manage, wait_for
from testsupport.faults import django_code as run_code
from testsupport.smtp import SMTPServer, _Handler

pytestmark = [pytest.mark.faults]

PEOPLE = 30
STALL_AT = 10

PREPARE = """
from django.db import transaction
from dziennik.accounts.tests.factories import UserFactory
from dziennik.notifications import events, services
from dziennik.schools.tests.factories import SchoolFactory
school = SchoolFactory(name="Szkoła Podstawowa nr 3 w Łodzi")
users = [UserFactory(username=f"rodzic{i}", school=school, first_name="Łucja", email=f"rodzic{i}@example.pl") for i in range(PEOPLE)]
with transaction.atomic():
    services.notify(event=events.MESSAGE, school_id=school.pk, recipient_ids=[u.pk for u in users], key="sigkill:1", params={"sender": "Dyrektor Żaneta Gęś"}, urgent=True)
print("ok")
""".replace("PEOPLE", str(PEOPLE))  # noqa: E501


class Gate:
    def __init__(self):
        self.stalled = threading.Event()
        self.release = threading.Event()


def _stalling_handler(gate: Gate):
    class Stalling(_Handler):
        def _data(self):
            message = super()._data()
            if len(self.server.received) == STALL_AT and not gate.release.is_set():
                gate.stalled.set()
                gate.release.wait(60)
                # the client died waiting: the message was never accepted
                raise ConnectionAbortedError
            return message

    return Stalling


@pytest.fixture
def database(tmp_path):
    cluster = PostgresCluster().init()
    cluster.start()
    try:
        cluster.sql('CREATE DATABASE "dziennik_sigkill"')
        yield cluster.url("dziennik_sigkill")
    finally:
        cluster.destroy()


def _statuses(database: str) -> list[tuple]:
    with psycopg.connect(database, autocommit=True) as conn:
        return conn.execute(
            "SELECT status, count(*) FROM notifications_delivery WHERE channel = 'email' "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(database, tmp_path):
    gate = Gate()
    with SMTPServer() as server:
        server._server.RequestHandlerClass = _stalling_handler(gate)
        env = app_env(database) | {"EMAIL_URL": f"smtp://127.0.0.1:{server.port}"}
        manage(env, "migrate", "--noinput", "-v0")
        assert run_code(env, PREPARE) == "ok"
        log = tmp_path / "worker.log"
        worker = TaskWorker(env, log=log).start()
        try:
            assert gate.stalled.wait(90), log.read_text()
        finally:
            worker.kill()
        gate.release.set()
        assert len(server.received) == STALL_AT
        assert _statuses(database) == [("queued", PEOPLE - STALL_AT), ("sent", STALL_AT)]

        again = TaskWorker(env, log=log).start()
        try:
            wait_for(lambda: _statuses(database) == [("sent", PEOPLE)], 90, "every e-mail sent")
        finally:
            again.stop()
        addresses = [r.recipients[0] for r in server.received]
        assert sorted(addresses) == sorted(f"rodzic{i}@example.pl" for i in range(PEOPLE))
        assert "put back in the queue" in log.read_text()
        text = server.received[0].message.get_body().get_content()
        assert "Nowa wiadomość od: Dyrektor Żaneta Gęś" in text
        assert "Dzień dobry, Łucja" in text
