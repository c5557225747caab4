"""A real PostgreSQL streaming replica for the replica routing tests
(``dziennik/core/tests/test_replica.py``): a throw-away primary cluster
(``testsupport.faults.PostgresCluster``) and a second cluster made from it with
``pg_basebackup -R``, streaming from it on another loopback port. Never the machine's own
server on 5432."""

from __future__ import annotations

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
        """Until the replica has replayed everything the primary has flushed."""
        wanted = _lsn(self.primary.sql("SELECT pg_current_wal_flush_lsn()::text")[0][0])
        wait_for(lambda: self.replayed() >= wanted, timeout, "replica catching up")

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
