"""Run a function in several threads at once, each with its own database connection,
to test what concurrent requests do (docs/rules.md, "Concurrent edits").

Needs ``@pytest.mark.django_db(transaction=True)``: the threads' connections see only
committed data. On PostgreSQL the calls really overlap (a barrier starts them together);
on SQLite they are serialised by its database lock, so a test still asserts the outcome
but proves less (``ON_POSTGRESQL`` tells which).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connection, connections

ON_POSTGRESQL = connection.vendor == "postgresql"


@dataclass
class RaceResult:
    """What each of the ``n`` calls returned or raised, in the order of their index."""

    results: list[Any] = field(default_factory=list)
    errors: list[BaseException | None] = field(default_factory=list)

    @property
    def failures(self) -> list[BaseException]:
        return [error for error in self.errors if error is not None]

    def returned(self) -> list[Any]:
        """The results of the calls that did not raise."""
        return [r for r, e in zip(self.results, self.errors, strict=True) if e is None]


def race(fn: Callable[[int], Any], n: int = 2, *, timeout: float = 30) -> RaceResult:
    """Call ``fn(i)`` for ``i`` in ``range(n)``, each in its own thread and database
    connection, started together; wait for all. Every thread closes its connections,
    whatever happens. On SQLite the calls take turns (one writer at a time)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException | None] = [None] * n
    serial = threading.Lock()

    def run(index: int) -> None:
        try:
            close_old_connections()
            barrier.wait(timeout)
            if ON_POSTGRESQL:
                results[index] = fn(index)
            else:
                with serial:  # SQLite: one writer at a time, or "database is locked"
                    results[index] = fn(index)
        except BaseException as exc:  # reported to the test
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"race: a call did not finish in {timeout} s")
    return RaceResult(results, errors)
