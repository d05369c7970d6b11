"""Checkpoints of the audit log, and verification against them.

The installation's checkpoints are rows of its database (``DatabaseAuditStore``, table
``audit_checkpoint``, append-only; ``models.audit_checkpoints`` says how two writers cannot
both record one), written by one scheduled flow (``workflows.checkpoints``), so every process
on every machine sees the same ones. Their file form, ``AuditStore``: ``leaves.log`` holds one
leaf hash per event (hex, in id order) and ``checkpoints.jsonl`` one tree head per line, both
only ever appended to; ``export_checkpoints`` writes the database's into it (``grantflow audit
checkpoints export``), to keep a copy away from the database. A checkpoint is refused when the
database no longer matches what was recorded before.

Reading the stored documents' bytes is the document store's business: ``check_log`` takes a
reader, and ``documents.audit.verification.verify`` supplies the installation's.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from models.audit import ROW_FIELDS, Checkpoint, Verification, column_leaves, verify_log
from models.audit_checkpoints import AuditCheckpoint
from models.clock import utcnow
from models.db import Database, default_database_url
from models.errors import NotFound
from models.merkle import audit_path, levels_root, root, tree_levels
from models.tables import AuditEvent, StoredDocument


class CheckpointStore(Protocol):
    """Where an installation's recorded leaves and checkpoints are kept."""

    def recorded_leaves(self) -> list[str]: ...

    def checkpoints(self) -> list[Checkpoint]: ...

    def append(self, new_leaves: list[str], checkpoint: Checkpoint) -> None: ...


class AuditStore:
    """The append-only leaves and checkpoints files (the export's form, and tests' own)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.leaves_path = directory / "leaves.log"
        self.checkpoints_path = directory / "checkpoints.jsonl"

    def recorded_leaves(self) -> list[str]:
        if not self.leaves_path.exists():
            return []
        return [line.strip() for line in self.leaves_path.read_text().splitlines() if line.strip()]

    def checkpoints(self) -> list[Checkpoint]:
        if not self.checkpoints_path.exists():
            return []
        lines = self.checkpoints_path.read_text().splitlines()
        return [Checkpoint(**json.loads(line)) for line in lines if line.strip()]

    def _append(self, path: Path, lines: list[str]) -> None:
        # Owner-only whatever the umask: the leaves and checkpoints describe personal records.
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)
            handle.flush()
            os.fsync(handle.fileno())

    def append(self, new_leaves: list[str], checkpoint: Checkpoint) -> None:
        self._append(self.leaves_path, new_leaves)
        self._append(self.checkpoints_path, [json.dumps(asdict(checkpoint), sort_keys=True)])


class CheckpointRaced(Exception):
    """Another writer recorded a checkpoint from the same head first (nothing was written)."""


class DatabaseAuditStore:
    """The installation's checkpoints, rows of ``audit_checkpoint`` in its database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _rows(self) -> list[AuditCheckpoint]:
        with self.db.reading() as session:
            return list(session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)))

    def recorded_leaves(self) -> list[str]:
        return [leaf for row in self._rows() for leaf in row.leaves.split()]

    def checkpoints(self) -> list[Checkpoint]:
        return [Checkpoint(size=r.tree_size, root=r.root, made_at=r.made_at) for r in self._rows()]

    def append(self, new_leaves: list[str], checkpoint: Checkpoint) -> None:
        """One row: the head and its new leaves. CheckpointRaced when another writer recorded
        this head, or a successor of the same previous head, first (the unique constraints)."""
        try:
            with self.db.transaction() as session:
                session.add(
                    AuditCheckpoint(
                        tree_size=checkpoint.size,
                        previous_size=checkpoint.size - len(new_leaves),
                        root=checkpoint.root,
                        made_at=checkpoint.made_at,
                        leaves="\n".join(new_leaves),
                    )
                )
        except IntegrityError as error:
            raced = f"a checkpoint of size {checkpoint.size} raced another"
            raise CheckpointRaced(raced) from error


def default_store(db: Database | None = None) -> CheckpointStore:
    """The installation's checkpoints: rows of ``db`` (by default its configured database)."""
    return DatabaseAuditStore(db or Database(default_database_url()))


def export_checkpoints(store: CheckpointStore, out: Path, leaves_out: Path | None = None) -> int:
    """Write ``store``'s checkpoints to ``out`` in ``checkpoints.jsonl``'s form (and its leaves
    to ``leaves_out`` in ``leaves.log``'s), each file whole (written beside, then renamed),
    owner-only; how many checkpoints."""
    heads = store.checkpoints()
    _write_whole(out, [json.dumps(asdict(head), sort_keys=True) for head in heads])
    if leaves_out is not None:
        _write_whole(leaves_out, store.recorded_leaves())
    return len(heads)


def _write_whole(path: Path, lines: list[str]) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def import_checkpoints(db: Database, files: AuditStore) -> int:
    """Record ``files``' checkpoints (an installation's from before they were kept in the
    database) as rows, unless the database already holds some; how many were imported.
    Each must still match the log (CheckpointRefused otherwise)."""
    target = DatabaseAuditStore(db)
    if target.checkpoints():
        return 0
    leaves = [leaf.hex() for leaf in column_leaves(audit_rows(db))]
    recorded = files.recorded_leaves()
    if leaves[: len(recorded)] != recorded:
        raise CheckpointRefused(
            "the audit log no longer matches the recorded leaves being imported"
        )
    chain: list[tuple[list[str], Checkpoint]] = []
    previous = 0
    for head in files.checkpoints():
        if head.size <= previous:
            continue  # the files may repeat a head (or hold an empty one); rows hold each once
        if root([bytes.fromhex(x) for x in recorded[: head.size]]).hex() != head.root:
            raise CheckpointRefused(f"the checkpoint of size {head.size} does not match the log")
        chain.append((recorded[previous : head.size], head))
        previous = head.size
    # Every head checked before the first row is written: a refused import writes none.
    for new_leaves, head in chain:
        target.append(new_leaves, head)
    return len(chain)


# How long a checkpoint waits for appends in flight on PostgreSQL before it steps aside (new
# appends queue behind its lock meanwhile), how often it tries, and the pause between tries.
SETTLE_WAIT = "2s"
SETTLE_ATTEMPTS = 15
SETTLE_PAUSE = 1.0
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout


class LogBusy(Exception):
    """Appends kept the audit log busy: no settled prefix to checkpoint now."""


def settled_rows(db: Database) -> list[Any]:
    """The log (rows of ``models.audit.ROW_FIELDS``, as ``audit_rows``) once every append that
    drew its ids before now has ended: a prefix no later commit can land inside.

    On PostgreSQL, ids come from a sequence and appenders may commit out of id order; each
    holds the table from before it draws its ids (``models.audit_leaves``), so this SHARE
    lock waits for them, and every id drawn after it is larger than any read here. A lock
    wait is bounded (``SETTLE_WAIT``) and tried again after a pause, so a long transaction
    never holds every other append up behind the checkpoint. SQLite's writers are serialised:
    the log as read is settled."""
    if db.engine.dialect.name != "postgresql":
        return audit_rows(db)
    for _attempt in range(SETTLE_ATTEMPTS):
        try:
            with db.transaction() as session:
                session.execute(text(f"SET LOCAL lock_timeout = '{SETTLE_WAIT}'"))
                session.execute(text("LOCK TABLE auditevent IN SHARE MODE"))
                return list(session.execute(_rows_in_order()))
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
        time.sleep(SETTLE_PAUSE)
    raise LogBusy(
        f"appends kept the audit log busy through {SETTLE_ATTEMPTS} tries; checkpoint again later"
    )


def audit_rows(db: Database) -> list[Any]:
    """Every audit event as a row of ``models.audit.ROW_FIELDS`` (its leaf's columns in key
    order, then its stored leaf data), in id order: what verification reads (plain rows,
    many times cheaper to load than objects)."""
    with db.reading() as session:
        return list(session.execute(_rows_in_order()))


def _rows_in_order() -> Any:
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    return select(*(table.c[name] for name in ROW_FIELDS)).order_by(table.c.id)


def check_log(
    db: Database,
    read_document: Callable[[StoredDocument], bytes | None],
    store: CheckpointStore | None = None,
) -> Verification:
    """Verify the whole log against ``store``'s leaves and checkpoints, and every stored
    document's bytes (as ``read_document`` returns them) against its recorded hash."""
    store = store or default_store(db)
    with db.reading() as session:
        documents = list(session.exec(select(StoredDocument).order_by(StoredDocument.id)))
    return verify_log(
        audit_rows(db), store.recorded_leaves(), store.checkpoints(), documents, read_document
    )


class CheckpointRefused(Exception):
    """The log no longer matches the leaves recorded by earlier checkpoints."""


RACE_ATTEMPTS = 10


def checkpoint(db: Database, store: CheckpointStore | None = None) -> Checkpoint:
    """Record the tree head of the whole log now (and the leaves it covers).

    In the database (the default store) a head already recorded is not recorded again: the
    last checkpoint is returned when the log has not grown, and when another writer records
    a checkpoint from the same head first, theirs stands and this one is tried once more from
    it."""
    store = store or default_store(db)
    for _attempt in range(RACE_ATTEMPTS):
        # The recorded leaves first: the log read after them holds at least the events they
        # cover (events are only ever appended), whoever checkpoints meanwhile.
        recorded = store.recorded_leaves()
        leaves = column_leaves(settled_rows(db))
        if [leaf.hex() for leaf in leaves[: len(recorded)]] != recorded:
            raise CheckpointRefused(
                "the audit log no longer matches its recorded leaves; run 'grantflow audit verify'"
            )
        head = Checkpoint(size=len(leaves), root=root(leaves).hex(), made_at=utcnow().isoformat())
        if isinstance(store, DatabaseAuditStore):
            saved = store.checkpoints()
            if saved and saved[-1].size == len(leaves):
                return saved[-1]
            if not leaves:
                return head  # an empty log's head is recorded by no row
        try:
            store.append([leaf.hex() for leaf in leaves[len(recorded) :]], head)
        except CheckpointRaced:
            continue
        return head
    raise CheckpointRaced("other writers kept recording checkpoints first")


def inclusion(db: Database, event_id: int) -> dict[str, object]:
    """An inclusion proof of one event in the current tree."""
    rows = audit_rows(db)
    index = next((i for i, row in enumerate(rows) if row.id == event_id), None)
    if index is None:
        raise NotFound(f"audit event {event_id} does not exist")
    levels = tree_levels(column_leaves(rows))
    return {
        "event_id": event_id,
        "leaf_index": index,
        "tree_size": len(levels[0]),
        "leaf_hash": levels[0][index].hex(),
        "root": levels_root(levels).hex(),
        "proof": [node.hex() for node in audit_path(levels, index)],
    }
