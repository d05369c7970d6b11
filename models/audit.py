"""The audit trail as a verifiable log.

Every audit event is a leaf of an RFC 6962 Merkle tree, in id order. A leaf's data is the
event's canonical JSON (sorted keys, UTF-8, times in UTC), so any change to any field changes
its leaf hash. Checkpoints (tree size and root) are kept outside the database; verification
rebuilds the tree, checks it against every checkpoint and against the recorded leaf hashes,
and names the first event or document that fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.clock import as_utc
from models.merkle import Hash, leaf_hash, root
from models.tables import AuditEvent, StoredDocument

LEAF_FIELDS = (
    "id",
    "grant_id",
    "subject",
    "subject_id",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "outcome",
    "from_state",
    "to_state",
    "rule",
    "payload_summary",
    "flow_run_id",
    "idempotency_key",
    "request_hash",
    "occurred_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def leaf_data(event: AuditEvent) -> bytes:
    record = {name: _plain(getattr(event, name)) for name in LEAF_FIELDS}
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_leaf(event: AuditEvent) -> Hash:
    return leaf_hash(leaf_data(event))


# The steps that withdraw documents at close (models.data_return records them in the step's
# details); the dossier's verifier reads the same field.
WITHDRAWING_ACTIONS = ("close", "terminate")


def withdrawn_documents(events: Iterable[AuditEvent]) -> set[tuple[int, str]]:
    """(document id, SHA-256) of every document an applied close or terminate withdrew."""
    found: set[tuple[int, str]] = set()
    for e in events:
        if e.action in WITHDRAWING_ACTIONS and e.outcome == "applied":
            data_return = (e.payload_summary.get("details") or {}).get("data_return") or {}
            for item in data_return.get("withdrawn_documents", []):
                found.add((item["document_id"], item["sha256"]))
    return found


class AlteredDocument(Exception):
    """Raised by a document reader whose store holds bytes that no longer match their digest."""


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: str  # hex
    made_at: str


@dataclass
class Verification:
    events_checked: int = 0
    documents_checked: int = 0
    checkpoints_checked: int = 0
    root: str = ""
    failure: str | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.failure is None

    def fail(self, message: str) -> None:
        self.failures.append(message)
        if self.failure is None:
            self.failure = message


def verify_log(
    events: Sequence[AuditEvent],
    recorded_leaves: Sequence[str],
    checkpoints: Iterable[Checkpoint],
    documents: Sequence[StoredDocument],
    read_document: Callable[[StoredDocument], bytes | None],
) -> Verification:
    """Check the events against the recorded leaf hashes and every checkpoint, and every
    stored document's bytes against the hash its audit event recorded. ``read_document``
    returns None for a missing file and may raise AlteredDocument for corrupt bytes."""
    result = Verification(events_checked=len(events))
    leaves = [event_leaf(e) for e in events]
    result.root = root(leaves).hex()
    ids = [e.id for e in events]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        result.fail("the audit log's event ids are out of order or repeated")
    for index, recorded in enumerate(recorded_leaves):
        if index >= len(leaves):
            result.fail(f"event #{index + 1} in the recorded log is missing from the database")
            break
        if leaves[index].hex() != recorded:
            result.fail(f"event {events[index].id} (#{index + 1}) differs from the recorded log")
            break
    recorded = [bytes.fromhex(h) for h in recorded_leaves]
    for checkpoint in checkpoints:
        result.checkpoints_checked += 1
        if checkpoint.size > len(leaves):
            result.fail(f"checkpoint of size {checkpoint.size} is larger than the log")
            continue
        if root(leaves[: checkpoint.size]).hex() != checkpoint.root:
            result.fail(f"the log does not match the checkpoint of size {checkpoint.size}")
        if len(recorded) >= checkpoint.size and root(recorded[: checkpoint.size]).hex() != (
            checkpoint.root
        ):
            result.fail(f"the recorded log does not match the checkpoint of size {checkpoint.size}")
    recorded_hashes = {
        (e.payload_summary.get("document_id"), e.payload_summary.get("sha256"))
        for e in events
        if e.action == "document_stored"
    }
    withdrawn = withdrawn_documents(events)
    for document in documents:
        result.documents_checked += 1
        if (document.id, document.sha256) not in recorded_hashes:
            result.fail(f"document {document.id} ({document.filename}) has no matching audit event")
            continue
        if document.withdrawn_at is not None:
            # Its file left the store at close; the event that withdrew it names its digest.
            if (document.id, document.sha256) not in withdrawn:
                result.fail(
                    f"document {document.id} ({document.filename}) is marked withdrawn, but no "
                    "audit event withdrew it"
                )
            continue
        try:
            data = read_document(document)
        except AlteredDocument:
            result.fail(f"document {document.id} ({document.filename}) does not match its hash")
            continue
        if data is None:
            result.fail(f"document {document.id} ({document.filename}) is missing from the store")
        elif hashlib.sha256(data).hexdigest() != document.sha256:
            result.fail(f"document {document.id} ({document.filename}) does not match its hash")
    return result
