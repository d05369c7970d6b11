"""An audit event's leaf data: its canonical JSON, made once when the event is appended.

The leaf data of an event is its canonical JSON (the ``LEAF_FIELDS``, sorted keys, UTF-8,
times in UTC, compact separators): ``leaf_data`` is its one definition. Every new event is
sealed as it is flushed (``seal_audit_events``): it takes its id then (the next of the
table's, as the database would have given it) and its leaf data is stored beside its columns
(``AuditEvent.leaf``), so verifying the log hashes stored bytes. What the columns say is
still checked against those bytes (``models.audit``); this module only makes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from models.clock import as_utc

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


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def canonical_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def leaf_data(event: Any) -> bytes:
    """The canonical JSON of an event's ``LEAF_FIELDS`` (an AuditEvent or a row of them)."""
    return canonical_json({name: plain_value(getattr(event, name)) for name in LEAF_FIELDS})


def _as_stored(event: Any) -> dict[str, Any]:
    """The event's fields as they will read back: its payload through JSON, as the column
    stores it (a tuple comes back a list, an integer key a string)."""
    record = {name: plain_value(getattr(event, name)) for name in LEAF_FIELDS}
    record["payload_summary"] = json.loads(json.dumps(record["payload_summary"]))
    return record


def _next_ids(session: Session, count: int) -> list[int]:
    """``count`` ids for new events, in order: PostgreSQL's sequence, or on SQLite the next
    after the largest (its write transactions are IMMEDIATE, so no one appends meanwhile).

    On PostgreSQL two appenders may commit in the other order than the ids they drew, so the
    appender holds the table (ROW EXCLUSIVE, the mode its inserts take anyway, which appenders
    share) from before it draws until its transaction ends: a checkpoint's SHARE lock
    (``models.checkpoints``) then waits for every append that drew ids before it, and reads a
    log whose later ids can only come after it."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE auditevent IN ROW EXCLUSIVE MODE"))
        rows = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('auditevent', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
        return sorted(row[0] for row in rows)
    largest = connection.execute(text("SELECT coalesce(max(id), 0) FROM auditevent")).scalar()
    return list(range(int(largest) + 1, int(largest) + 1 + count))


def seal_audit_events(event_class: type) -> Callable[..., None]:
    """A ``before_flush`` listener giving each new ``event_class`` row its id and stored leaf."""

    def seal(session: Session, _context: Any, _instances: Any) -> None:
        new = [item for item in session.new if isinstance(item, event_class)]
        if not new:
            return
        new.sort(key=lambda item: inspect(item).insert_order)
        unnumbered = [item for item in new if item.id is None]
        if unnumbered:
            with session.no_autoflush:
                numbers = _next_ids(session, len(unnumbered))
            for item, number in zip(unnumbered, numbers, strict=True):
                item.id = number
        for item in new:
            item.leaf = canonical_json(_as_stored(item))

    return seal
