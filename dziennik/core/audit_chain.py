"""The hash chain over the history of changes, and its verification (``audit_verify``).

Each history entry stores its place in its chain (``chain_seq``: 1, 2, 3, … per school,
one more chain for entries without a school), the previous entry's hash (``prev_hash``;
the first entry links to ``GENESIS``) and its own hash (``entry_hash``): the SHA-256 of a
canonical JSON text of everything the entry says, that link and its place included. The
database computes them while it inserts the row, so every way of inserting is chained
and the application cannot choose the values (migration 0003):

* PostgreSQL: a ``BEFORE INSERT`` trigger takes a transaction-level advisory lock on the
  chain, reads its head through the chain's index and hashes ``canonical_sql`` of the new
  row. The lock serialises the appends of one school until the appending transaction
  ends (another school's chain is not held up); the unique ``(school, chain_seq)`` index
  makes a fork impossible even without it.
* SQLite (development and the demo only): an ``AFTER INSERT`` trigger fills the three
  columns, hashing with ``entry_hash`` below, registered on every connection. SQLite has
  one writer at a time, which orders the appends.

A chain does not stop someone who controls the database from rewriting an entry and
every hash after it. It makes that visible once the head of the chain has been written
down outside the system: ``audit_verify`` prints each chain's head; an anchor (school,
number, hash) kept by the principal proves later that the chain still contains it.

The canonical texts are part of the stored data: never change them. PostgreSQL's is
built by the server itself (``jsonb`` prints keys in a fixed order) and only the hashing
is done here, so the verification does not depend on any function stored in the
database. Migration 0003 holds its own frozen copy of ``canonical_sql``; the tests check
that both agree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

GENESIS = "0" * 64
# pg_advisory_xact_lock(CHAIN_LOCK_CLASS, chain): "AUDT", so no other lock shares its keys.
CHAIN_LOCK_CLASS = 0x41554454
SQLITE_HASH_FUNCTION = "dziennik_audit_entry_hash"
TABLE = "core_auditentry"
# The columns the SQLite hash reads, in the order of ``entry_hash``'s parameters.
HASHED_COLUMNS = (
    "id",
    "chain_seq",
    "prev_hash",
    "at",
    "school_id",
    "actor_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "changes",
    "student_id",
    "school_class_id",
)


def canonical_sql(row: str, seq: str | None = None, prev: str | None = None) -> str:
    """PostgreSQL: the canonical text of the entry ``row`` (``NEW`` in the trigger, a
    table alias when verifying); ``seq`` and ``prev`` default to the row's columns."""
    seq = seq or f"{row}.chain_seq"
    prev = prev or f"{row}.prev_hash"
    return (
        f"jsonb_build_object('id', {row}.id, 'seq', {seq}, 'prev', {prev}, "
        f"'at', to_char({row}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
        f"'school', {row}.school_id, 'actor', {row}.actor_id, 'action', {row}.action, "
        f"'content_type', {row}.content_type_id, 'object_id', {row}.object_id, "
        f"'object_repr', {row}.object_repr, 'changes', {row}.changes, "
        f"'student', {row}.student_id, 'school_class', {row}.school_class_id)::text"
    )


def digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_hash(
    entry_id,
    seq,
    prev,
    at,
    school_id,
    actor_id,
    action,
    content_type_id,
    object_id,
    object_repr,
    changes,
    student_id,
    school_class_id,
) -> str:
    """SQLite: the hash of an entry from its stored columns (``changes`` as JSON text)."""
    canonical = json.dumps(
        {
            "id": entry_id,
            "seq": seq,
            "prev": prev,
            "at": at,
            "school": school_id,
            "actor": actor_id,
            "action": action,
            "content_type": content_type_id,
            "object_id": object_id,
            "object_repr": object_repr,
            "changes": json.loads(changes) if changes is not None else None,
            "student": student_id,
            "school_class": school_class_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return digest(canonical)


def sqlite_columns(row: str) -> str:
    """SQLite: the columns ``entry_hash`` takes, as stored (Django's connection would
    turn a ``datetime`` column into a Python value; the trigger sees the text)."""
    return ", ".join(
        f"CAST({row}.{column} AS TEXT)" if column == "at" else f"{row}.{column}"
        for column in HASHED_COLUMNS
    )


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created``: SQLite's chain trigger calls ``entry_hash``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_HASH_FUNCTION, len(HASHED_COLUMNS), entry_hash, deterministic=True
        )


@dataclass
class ChainHead:
    """The last entry of one chain: what the principal writes down as an anchor."""

    chain: int  # the school's id, 0 for entries without a school
    entries: int
    seq: int
    entry_hash: str

    @property
    def anchor(self) -> str:
        return f"{self.chain}:{self.seq}:{self.entry_hash}"


@dataclass
class Break:
    """The first place where a chain is not what was written."""

    chain: int
    seq: int
    entry_id: int | None
    problem: str


@dataclass(frozen=True)
class Anchor:
    chain: int
    seq: int
    entry_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``school:number:hash`` as ``audit_verify`` prints it."""
        chain, seq, value = text.strip().split(":")
        if len(value) != 64 or int(chain) < 0 or int(seq) < 1:
            raise ValueError(text)
        int(value, 16)
        return cls(int(chain), int(seq), value.lower())


@dataclass
class Verification:
    heads: list[ChainHead] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(chains: Iterable[int] | None) -> Iterator[tuple]:
    """(chain, seq, id, prev_hash, entry_hash, recomputed hash) in chain order."""
    where, params = "", []
    if chains is not None:
        chains = sorted(set(chains))
        if not chains:
            return
        where = f"WHERE coalesce(e.school_id, 0) IN ({', '.join(['%s'] * len(chains))})"
        params = chains
    if connection.vendor == "postgresql":
        content, rehash = canonical_sql("e"), digest
    else:
        content, rehash = sqlite_columns("e"), entry_hash
    # Built from this module's constants; the chains' ids go as parameters.
    sql = (
        f"SELECT coalesce(e.school_id, 0), e.chain_seq, e.id, e.prev_hash, e.entry_hash, "  # noqa: S608
        f"{content} FROM {TABLE} e {where} "
        f"ORDER BY coalesce(e.school_id, 0), e.chain_seq, e.id"
    )
    # One statement, one snapshot: entries appended meanwhile are simply not seen.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            for chain, seq, entry_id, prev, stored, *rest in batch:
                yield chain, seq, entry_id, prev, stored, rehash(*rest)


def _problem(seq: int, expected: int, prev: str, linked: str, stored: str, computed: str):
    if seq < expected:
        return f"entry number {seq} is not in the chain (expected {expected})"
    if seq > expected:
        missing = str(expected) if seq == expected + 1 else f"{expected}–{seq - 1}"
        return f"entries number {missing} are missing"
    if prev != linked:
        return "it does not link to the previous entry (one was removed, added or moved)"
    if stored != computed:
        return "its content does not match its hash (it was changed)"
    return None


def verify(*, chains: Iterable[int] | None = None, anchors: Iterable[Anchor] = ()) -> Verification:
    """Walk every chain (or the given ones) from its first entry: each entry in its
    place, linked to the one before, its hash matching its content; each anchor found.
    Reports the first break of each chain."""
    result = Verification()
    wanted: dict[int, dict[int, str]] = {}
    for anchor in anchors:
        wanted.setdefault(anchor.chain, {})[anchor.seq] = anchor.entry_hash
    current: ChainHead | None = None
    broken: set[int] = set()
    linked = GENESIS
    for chain, seq, entry_id, prev, stored, computed in _rows(chains):
        if current is None or chain != current.chain:
            current = ChainHead(chain, 0, 0, GENESIS)
            result.heads.append(current)
            linked = GENESIS
        current.entries += 1
        if chain in broken:
            continue
        problem = _problem(seq, current.seq + 1, prev, linked, stored, computed)
        if problem is None and wanted.get(chain, {}).get(seq, stored) != stored:
            problem = "it is not the entry written down in the anchor"
        if problem:
            result.breaks.append(Break(chain, seq, entry_id, problem))
            broken.add(chain)
            continue
        current.seq, current.entry_hash, linked = seq, stored, stored
    heads = {head.chain: head for head in result.heads}
    for chain, by_seq in sorted(wanted.items()):
        head = heads.get(chain)
        for seq in sorted(by_seq):
            if chain not in broken and (head is None or seq > head.seq):
                result.breaks.append(Break(chain, seq, None, "the anchored entry is gone"))
                broken.add(chain)
    return result
