"""The audit trail as a verifiable log.

Every audit event is a leaf of an RFC 6962 Merkle tree, in id order. A leaf's data is the
event's canonical JSON (sorted keys, UTF-8, times in UTC; ``models.audit_leaves``), so any
change to any field changes its leaf hash; each event keeps its leaf data as it was appended
(``AuditEvent.leaf``). Checkpoints (tree size and root) are kept apart from the events;
verification hashes the stored leaf data, checks that it is what each event's columns say,
rebuilds the tree once, checks it against every checkpoint and against the recorded leaf
hashes, and names the first event or document that fails.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter, lt
from types import SimpleNamespace
from typing import Any

import orjson

from models.audit_leaves import LEAF_FIELDS, canonical_json, leaf_data, plain_value
from models.merkle import (
    Hash,
    leaf_hash,
    leaf_hashes,
    levels_root,
    prefix_root,
    root,
    tree_levels,
)
from models.tables import AuditEvent, StoredDocument

__all__ = [
    "LEAF_FIELDS",
    "AlteredDocument",
    "Checkpoint",
    "Verification",
    "column_leaves",
    "event_leaf",
    "event_rows",
    "leaf_data",
    "stored_leaf_mismatches",
    "verify_log",
    "withdrawn_documents",
]


def event_leaf(event: AuditEvent) -> Hash:
    """The leaf hash of what the event's columns say (whatever its stored leaf data holds)."""
    return leaf_hash(leaf_data(event))


SORTED_FIELDS = tuple(sorted(LEAF_FIELDS))
# An event as verification reads it: its leaf's fields in key order, then its stored leaf.
ROW_FIELDS = (*SORTED_FIELDS, "leaf")
_LEAF = len(SORTED_FIELDS)
_ID, _ACTION, _OUTCOME, _PAYLOAD = (
    SORTED_FIELDS.index(name) for name in ("id", "action", "outcome", "payload_summary")
)
# orjson writes the canonical form for the values an event holds (sorted keys, compact, UTF-8
# unescaped, naive times as UTC with "+00:00"); where it would not (a float in exponent form,
# an integer past 64 bits), the bytes differ and the exact check below decides.
_FAST_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC


def event_rows(events: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Each event as a tuple of ``ROW_FIELDS``: rows read in that order
    (``models.checkpoints.audit_rows``) as they are, AuditEvents attribute by attribute (an
    attribute read costs as much as the rest of verification)."""
    if events and getattr(events[0], "_fields", None) == ROW_FIELDS:
        return list(events)  # SQLAlchemy rows index like tuples
    return list(map(attrgetter(*ROW_FIELDS), events))


def _exact_leaf_data(row: tuple[Any, ...]) -> bytes:
    """``leaf_data`` of an event given as a row of ``ROW_FIELDS``."""
    return canonical_json(dict(zip(SORTED_FIELDS, map(plain_value, row[:_LEAF]), strict=True)))


def stored_leaf_mismatches(
    rows: Sequence[tuple[Any, ...]], stored: Sequence[bytes | None] | None = None
) -> list[int]:
    """The positions of the events (rows of ``ROW_FIELDS``) whose stored leaf data is not
    exactly what their columns canonicalise to (``leaf_data``): an edited column, edited or
    missing stored bytes.

    Each event's columns are first encoded with orjson and compared with its stored bytes,
    byte for byte; equal bytes are an exact JSON encoding of the columns, so those events are
    settled. Only where the encodings differ (a tampering, or a value orjson writes otherwise
    than ``json``) is ``leaf_data``'s own encoding, the definition, asked. ``stored`` is
    each row's stored leaf, when the caller has them listed already."""
    if stored is None:
        stored = list(map(itemgetter(_LEAF), rows))
    dumps, option = orjson.dumps, _FAST_CANONICAL
    # One record refilled per event (zip stops at the shorter: the row without its stored
    # leaf), each encoding compared and dropped at once: keeping them all costs orjson a fresh
    # allocation each, several times the encoding itself.
    record = dict.fromkeys(SORTED_FIELDS)
    refill = record.update
    differing = []
    try:
        for index, row in enumerate(rows):
            refill(zip(SORTED_FIELDS, row, strict=False))
            if dumps(record, option=option) != stored[index]:
                differing.append(index)
    except (TypeError, orjson.JSONEncodeError):
        differing = list(range(len(rows)))
    return [index for index in differing if _exact_leaf_data(rows[index]) != stored[index]]


def column_leaves(rows: Sequence[tuple[Any, ...]]) -> list[Hash]:
    """``event_leaf`` of each event given as a row of ``ROW_FIELDS``: the leaf hash of what its
    columns say. Its stored leaf data is hashed where it is exactly what the columns
    canonicalise to (``stored_leaf_mismatches``, the check verification makes); elsewhere the
    columns' own canonical JSON is."""
    stored = list(map(itemgetter(_LEAF), rows))
    for index in stored_leaf_mismatches(rows, stored):
        stored[index] = _exact_leaf_data(rows[index])
    return leaf_hashes(stored)


def _same_leaves(leaves: Sequence[Hash], recorded: Sequence[str]) -> bool:
    """Whether the leaf hashes are the recorded ones (hex), compared as two joined strings."""
    try:
        return set(map(len, recorded)) <= {64} and b"".join(leaves) == bytes.fromhex(
            "".join(recorded)
        )
    except ValueError:
        return False


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while the log's many small objects are made
    (they hold no cycles; each pass would walk them all), and restored as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    events: Sequence[Any],
    recorded_leaves: Sequence[str],
    checkpoints: Iterable[Checkpoint],
    documents: Sequence[StoredDocument],
    read_document: Callable[[StoredDocument], bytes | None],
) -> Verification:
    """Check the events against the recorded leaf hashes and every checkpoint, and every
    stored document's bytes against the hash its audit event recorded. ``events`` are
    AuditEvents or rows of their columns (``models.checkpoints.audit_rows``), in id order.
    ``read_document`` returns None for a missing file and may raise AlteredDocument for
    corrupt bytes.

    The checks on the log: (1) each event's stored leaf data is exactly what its columns
    canonicalise to (``stored_leaf_mismatches``); (2) the leaf hashes of the stored bytes
    match the recorded ones; (3) the tree over them, built once, matches every checkpoint
    (each prefix's root read off its levels), as do the recorded leaves; (4) ids in order."""
    result = Verification(events_checked=len(events))
    with _collection_paused():
        rows = event_rows(events)
        stored = list(map(itemgetter(_LEAF), rows))
        for index in stored_leaf_mismatches(rows, stored):
            event_id = rows[index][_ID]
            if stored[index] is None:
                result.fail(f"event {event_id} (#{index + 1}) has no stored leaf data")
                stored[index] = _exact_leaf_data(rows[index])
            else:
                result.fail(
                    f"event {event_id} (#{index + 1}) differs from the leaf data it was "
                    "recorded with"
                )
        leaves = leaf_hashes(stored)
        levels = tree_levels(leaves)
    result.root = levels_root(levels).hex()
    ids = list(map(itemgetter(_ID), rows))
    if not all(map(lt, ids, ids[1:])):
        result.fail("the audit log's event ids are out of order or repeated")
    compared = min(len(recorded_leaves), len(leaves))
    agreeing = compared
    if not _same_leaves(leaves[:compared], recorded_leaves[:compared]):
        agreeing = next(i for i in range(compared) if leaves[i].hex() != recorded_leaves[i])
        result.fail(f"event {ids[agreeing]} (#{agreeing + 1}) differs from the recorded log")
    elif len(recorded_leaves) > len(leaves):
        result.fail(f"event #{len(leaves) + 1} in the recorded log is missing from the database")
    for checkpoint in checkpoints:
        result.checkpoints_checked += 1
        if checkpoint.size > len(leaves):
            result.fail(f"checkpoint of size {checkpoint.size} is larger than the log")
            continue
        log_root = prefix_root(levels, checkpoint.size).hex()
        if log_root != checkpoint.root:
            result.fail(f"the log does not match the checkpoint of size {checkpoint.size}")
        if len(recorded_leaves) >= checkpoint.size:
            # Where the recorded leaves agree with the log's, so does their root.
            recorded_root = (
                log_root
                if checkpoint.size <= agreeing
                else root([bytes.fromhex(h) for h in recorded_leaves[: checkpoint.size]]).hex()
            )
            if recorded_root != checkpoint.root:
                result.fail(
                    f"the recorded log does not match the checkpoint of size {checkpoint.size}"
                )
    actions = list(map(itemgetter(_ACTION), rows))
    positions = range(len(rows))
    stored_at = compress(positions, map(eq, actions, repeat("document_stored")))
    recorded_hashes = {
        (rows[i][_PAYLOAD].get("document_id"), rows[i][_PAYLOAD].get("sha256")) for i in stored_at
    }
    withdrawn = withdrawn_documents(
        SimpleNamespace(
            action=rows[i][_ACTION], outcome=rows[i][_OUTCOME], payload_summary=rows[i][_PAYLOAD]
        )
        for i in compress(positions, map(WITHDRAWING_ACTIONS.__contains__, actions))
    )
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
