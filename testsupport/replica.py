"""A real PostgreSQL streaming replica for the replica routing tests
(``dziennik/core/tests/test_replica.py``): a throw-away primary cluster
(``testsupport.faults.PostgresCluster``) and a second cluster made from it with
``pg_basebackup -R``, streaming from it on another loopback port. Never the machine's own
server on 5432."""

from __future__ import annotations

import time

from testsupport.faults import PostgresCluster, wait_for


def _lsn(text: str | None) -> int:
    high, _sep, low = (text or "0/0").partition("/")
    return (int(high, 16) << 32) + int(low, 16)


class StreamingReplica(PostgresCluster):
    """A hot standby of ``primary`` (which must be running)."""

    def __init__(self, primary: PostgresCluster):
        super().__init__()
        self.primary = primary

    def init(self) -> StreamingReplica:
        # -R: standby.signal and primary_conninfo; -X stream: the WAL of the copy itself.
        self._run(
            str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port),
            "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast",
            "--no-sync",
        )  # fmt: skip
        return self

    def replayed(self) -> int:
        return _lsn(self.sql("SELECT pg_last_wal_replay_lsn()::text")[0][0])

    def wait_caught_up(self, timeout: float = 20) -> None:
        """Until the replica has replayed everything the primary has written so far (its
        insert position, which the router's cookie holds too)."""
        wanted = _lsn(self.primary.sql("SELECT pg_current_wal_insert_lsn()::text")[0][0])
        deadline = time.monotonic() + timeout
        nudged = False
        while self.replayed() < wanted:
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica catching up: not within {timeout} s")
            if not nudged and time.monotonic() > deadline - timeout + 1:
                # The insert position may stand just past the header of a new WAL page
                # that no record fills yet: one more commit carries the replay past it.
                self.primary.sql("SELECT txid_current()")
                nudged = True
            time.sleep(0.05)

    def pause(self) -> None:
        """Stop replaying (the WAL still arrives): a replica lagging for as long as we like."""
        self.sql("SELECT pg_wal_replay_pause()")
        wait_for(
            lambda: self.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
            10,
            "replay pausing",
        )

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")
