"""The outbox on a distributed engine: Django's tasks on RQ (``django-tasks-rq``) with the
machine's Redis at 127.0.0.1:6379, chosen by configuration only (``TASKS``,
``RQ_QUEUES``). The commit queues the delivery as a job in Redis; an RQ worker takes it
and the e-mails reach the local SMTP server, each once."""

from __future__ import annotations

import pytest
import redis
from django_rq import get_queue, get_worker
from django_tasks_rq import Job
from rq import SimpleWorker

from dziennik.attendance.tests.factories import committed
from dziennik.notifications.models import Delivery
from testsupport.smtp import SMTPServer

from .helpers import column, grade, with_addresses

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def rq_tasks(settings):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 (the CI machine starts it)")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield get_queue("default", job_class=Job)
    connection.flushdb()


def test_the_outbox_runs_on_rq_workers(world, settings, rq_tasks):
    with_addresses(world)
    assessment = column(world)
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        with committed():  # the commit queues the worker's run: a job in Redis
            grade(world, assessment, "5")
        assert rq_tasks.count == 1
        assert list(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == [
            "queued",
            "queued",
        ]
        worker = get_worker("default", job_class=Job, worker_class=SimpleWorker)
        assert worker.work(burst=True)
    assert rq_tasks.count == 0
    assert sorted(r.recipients[0] for r in server.received) == [
        "anna.wisniewska@example.pl",
        "zofia@example.pl",
    ]
    assert set(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == {
        "sent"
    }
