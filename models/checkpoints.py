"""Checkpoints of the audit log, kept outside the database, and verification against them.

``<data dir>/audit/leaves.log`` holds one leaf hash per event (hex, in id order) and
``<data dir>/audit/checkpoints.jsonl`` one tree head per line; both are only ever appended to.
A checkpoint is refused when the database no longer matches what was recorded before.

Reading the stored documents' bytes is the document store's business: ``check_log`` takes a
reader, and ``documents.audit.verification.verify`` supplies the installation's.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from sqlmodel import select

from models.audit import Checkpoint, Verification, event_leaf, verify_log
from models.clock import utcnow
from models.db import Database, data_dir, default_database_url
from models.errors import NotFound
from models.merkle import inclusion_proof, root
from models.tables import AuditEvent, StoredDocument

logger = logging.getLogger("grantflow.audit")


class AuditStore:
    """The append-only leaves and checkpoints files of one installation."""

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


def default_store() -> AuditStore:
    """The installation's audit store (``GRANTFLOW_AUDIT_DIR``, or ``audit/`` in the data dir)."""
    return AuditStore(Path(os.environ.get("GRANTFLOW_AUDIT_DIR") or data_dir() / "audit"))


def _events(db: Database) -> list[AuditEvent]:
    with db.reading() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def check_log(
    db: Database,
    read_document: Callable[[StoredDocument], bytes | None],
    store: AuditStore | None = None,
) -> Verification:
    """Verify the whole log against ``store``'s leaves and checkpoints, and every stored
    document's bytes (as ``read_document`` returns them) against its recorded hash."""
    store = store or default_store()
    with db.reading() as session:
        documents = list(session.exec(select(StoredDocument).order_by(StoredDocument.id)))
    return verify_log(
        _events(db), store.recorded_leaves(), store.checkpoints(), documents, read_document
    )


class CheckpointRefused(Exception):
    """The log no longer matches the leaves recorded by earlier checkpoints."""


def checkpoint(db: Database, store: AuditStore | None = None) -> Checkpoint:
    """Record the tree head of the whole log now (and the leaves it covers)."""
    store = store or default_store()
    events = _events(db)
    leaves = [event_leaf(e) for e in events]
    recorded = store.recorded_leaves()
    if [leaf.hex() for leaf in leaves[: len(recorded)]] != recorded:
        raise CheckpointRefused(
            "the audit log no longer matches its recorded leaves; run 'grantflow audit verify'"
        )
    head = Checkpoint(size=len(leaves), root=root(leaves).hex(), made_at=utcnow().isoformat())
    store.append([leaf.hex() for leaf in leaves[len(recorded) :]], head)
    return head


def inclusion(db: Database, event_id: int) -> dict[str, object]:
    """An inclusion proof of one event in the current tree."""
    events = _events(db)
    index = next((i for i, e in enumerate(events) if e.id == event_id), None)
    if index is None:
        raise NotFound(f"audit event {event_id} does not exist")
    leaves = [event_leaf(e) for e in events]
    return {
        "event_id": event_id,
        "leaf_index": index,
        "tree_size": len(leaves),
        "leaf_hash": leaves[index].hex(),
        "root": root(leaves).hex(),
        "proof": [node.hex() for node in inclusion_proof(leaves, index)],
    }


CHECKPOINT_INTERVAL_SECONDS = 24 * 60 * 60


def _opened(db: Database) -> Callable[[], Database]:
    return lambda: db


def start_daily_checkpoints(
    interval: float = CHECKPOINT_INTERVAL_SECONDS,
    database: Callable[[], Database] | None = None,
) -> threading.Event:
    """Checkpoint now and then every ``interval`` seconds until the returned event is set.

    ``database`` gives the installation's database at each checkpoint (the service passes its
    own); by default one is opened from ``GRANTFLOW_DATABASE_URL``.

    A refused checkpoint (the log no longer matches what was recorded) is logged loudly and
    retried at the next interval; it never stops the service.
    """
    stop = threading.Event()
    current = database or _opened(Database(default_database_url()))

    def loop() -> None:
        while not stop.is_set():
            try:
                head = checkpoint(current())
                logger.info("audit checkpoint size=%s root=%s", head.size, head.root)
            except CheckpointRefused as error:
                logger.error("audit checkpoint refused: %s", error)
            except Exception:  # noqa: BLE001 - keep checkpointing; the next try may succeed
                logger.exception("audit checkpoint failed")
            stop.wait(interval)

    threading.Thread(target=loop, name="audit-checkpoints", daemon=True).start()
    return stop
