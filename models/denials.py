"""What a refused attempt leaves in the audit trail, and how much of it.

The audit trail is append-only and every event is a Merkle leaf forever, so anything a caller
can trigger at will must be bounded before it is stored:

- the action is stored only when it is a declared key (or a route template the service
  names); anything else becomes ``unknown-action``. The reason is cut to ``MAX_REASON``
  characters; the request body is never stored.
- a refusal on a grant the caller may not see is stored without the grant: that grant's trail
  is not a place where outsiders' probes show, or pile up.
- access refusals at the door (404/403 without a flow run) are aggregated per (caller, rule,
  kind): the first of each window of ``WINDOW`` is stored in full, the repeats are counted and
  stored as one ``denials_aggregated`` event when the next window opens (or on
  ``flush_aggregates``). Whether a window is open is read from the database, so it holds for
  every process of an installation; the repeat counts live in the counting process until they
  are written (at most one aggregate per key, window and process).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from models import lifecycle
from models.clock import as_utc, utcnow
from models.errors import NotFound, NotPermitted
from models.tables import AuditEvent, Grant

WINDOW = timedelta(seconds=60)
MAX_REASON = 500
MAX_RULE = 64
UNKNOWN_ACTION = "unknown-action"
DENIED = "denied"
AGGREGATED = "denials_aggregated"
# A route template the service names ("GET /api/v1/grants/{grant_id}"): never a raw URL.
_ROUTE = re.compile(r"(GET|HEAD|POST|PUT|PATCH|DELETE) /[a-z0-9_/{}.-]{1,100}")


def stored_action(action_key: str, route: str | None = None) -> str:
    """The declared action key, else the route template, else ``unknown-action``."""
    if action_key in lifecycle.ACTIONS_BY_KEY:
        return action_key
    if route is not None and _ROUTE.fullmatch(route):
        return route
    return UNKNOWN_ACTION


def rule_of(error: Exception) -> str:
    rule = getattr(error, "rule", None) or getattr(error, "code", type(error).__name__)
    return str(rule)[:MAX_RULE]


def reason_of(error: Exception) -> str:
    return str(error)[:MAX_REASON]


def aggregated_by_default(error: Exception, flow_run_id: str | None) -> bool:
    """Access refusals at the door are what anyone can repeat at will. A refusal inside a flow
    run is kept whole: it is one run, reached only past the service's own checks, and the
    auditor goes from that run to its event."""
    return flow_run_id is None and isinstance(error, NotFound | NotPermitted)


@dataclass
class _Pending:
    """Repeats counted in this process for one (installation, caller, rule, kind)."""

    actor_name: str
    role: str
    window_start: datetime
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None


_pending: dict[tuple[str, int, str, str], _Pending] = {}
_pending_lock = threading.Lock()


def _serialise_per_actor(session: Session, actor_id: int) -> None:
    """Two processes refusing one caller at once must not both open a window. SQLite already
    serialises writers (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"grantflow-denials:{actor_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _window_start(session: Session, actor_id: int, rule: str, kind: str, now: datetime):  # type: ignore[no-untyped-def]
    """When the open window of this (caller, rule, kind) began, or None: the last full denial
    within ``WINDOW``. Bounded by time (and by actor), so it stays cheap without an index."""
    moment = session.exec(
        select(AuditEvent.occurred_at)
        .where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.outcome == DENIED,
            AuditEvent.rule == rule,
            AuditEvent.action == kind,
            AuditEvent.flow_run_id.is_(None),  # type: ignore[union-attr]
            AuditEvent.occurred_at >= now - WINDOW,
            AuditEvent.occurred_at <= now,
        )
        .order_by(AuditEvent.occurred_at.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return as_utc(moment) if moment is not None else None


def _aggregate_event(key: tuple[str, int, str, str], pending: _Pending) -> AuditEvent:
    _db, actor_id, rule, kind = key
    assert pending.first_at is not None and pending.last_at is not None
    return AuditEvent(
        grant_id=None,
        actor_id=actor_id,
        actor_name=pending.actor_name,
        role=pending.role,
        action=kind,
        outcome=AGGREGATED,
        rule=rule,
        payload_summary={
            "count": pending.count,
            "window_start": pending.window_start.isoformat(),
            "first_at": pending.first_at.isoformat(),
            "last_at": pending.last_at.isoformat(),
            "window_seconds": int(WINDOW.total_seconds()),
        },
        occurred_at=pending.last_at,
    )


def _take_due(installation: str, now: datetime, force: bool) -> list[AuditEvent]:
    """Remove and return the aggregates of this installation whose window has closed."""
    due = []
    with _pending_lock:
        for key, pending in list(_pending.items()):
            if key[0] != installation:
                continue
            if force or now - pending.window_start >= WINDOW:
                del _pending[key]
                if pending.count:
                    due.append(_aggregate_event(key, pending))
    return due


def _restore(installation: str, events: list[AuditEvent]) -> None:
    """A write that failed gives its counts back, so they are not lost with the transaction."""
    with _pending_lock:
        for event in events:
            key = (installation, event.actor_id, event.rule, event.action)  # type: ignore[arg-type]
            summary = event.payload_summary
            pending = _pending.setdefault(
                key,
                _Pending(
                    event.actor_name,
                    event.role,
                    datetime.fromisoformat(summary["window_start"]),
                ),
            )
            pending.count += summary["count"]
            first = datetime.fromisoformat(summary["first_at"])
            pending.first_at = min(filter(None, (pending.first_at, first)))
            pending.last_at = max(filter(None, (pending.last_at, event.occurred_at)))


def record(
    db: Any,
    grant_id: int | None,
    action_key: str,
    actor: Any,
    error: Exception,
    *,
    flow_run_id: str | None = None,
    route: str | None = None,
    grant_visible: bool | None = None,
    aggregate: bool | None = None,
    now: datetime | None = None,
) -> AuditEvent | None:
    """Append the denial in its own transaction, or count it as a repeat of an open window.

    ``grant_visible`` defaults to "unless the error is NotFound" (a 404 is what a caller gets
    for a grant it may not see); ``aggregate`` to ``aggregated_by_default``. Returns the full
    'denied' event written, or None when the denial was only counted.
    """
    moment = as_utc(now or utcnow())
    visible = not isinstance(error, NotFound) if grant_visible is None else grant_visible
    repeatable = aggregated_by_default(error, flow_run_id) if aggregate is None else aggregate
    kind, rule = stored_action(action_key, route), rule_of(error)
    due: list[AuditEvent] = []
    try:
        with db.transaction() as session:
            if repeatable and actor.user_id is not None:
                _serialise_per_actor(session, actor.user_id)
                due = _take_due(db.url, moment, force=False)
                for event in due:
                    session.add(event)
                started = _window_start(session, actor.user_id, rule, kind, moment)
                if started is not None:
                    _count_repeat((db.url, actor.user_id, rule, kind), actor, started, moment)
                    return None
            exists = grant_id is not None and session.get(Grant, grant_id) is not None
            summary: dict[str, Any] = {"reason": reason_of(error)}
            if grant_id is not None and not visible:
                # For the fund's own security review (grant-less events are read by staff
                # only), never as an event in that grant's trail.
                summary["requested_grant_id"] = grant_id
            event = AuditEvent(
                grant_id=grant_id if exists and visible else None,
                actor_id=actor.user_id,
                actor_name=actor.name,
                role=",".join(actor.roles),
                action=kind,
                outcome=DENIED,
                rule=rule,
                payload_summary=summary,
                flow_run_id=flow_run_id,
                occurred_at=moment,
            )
            session.add(event)
            return event
    except BaseException:
        _restore(db.url, due)
        raise


def _count_repeat(
    key: tuple[str, int, str, str], actor: Any, window_start: datetime, moment: datetime
) -> None:
    with _pending_lock:
        pending = _pending.setdefault(
            key, _Pending(actor.name, ",".join(actor.roles), window_start)
        )
        pending.count += 1
        pending.first_at = pending.first_at or moment
        pending.last_at = moment


def flush_aggregates(db: Any, *, force: bool = True, now: datetime | None = None) -> int:
    """Write the repeat counts this process holds for ``db`` as ``denials_aggregated`` events
    (all of them with ``force``, else only those whose window has closed). Returns how many
    repeats were written. For a shutdown, and for tests that cannot wait a window."""
    due = _take_due(db.url, as_utc(now or utcnow()), force)
    if not due:
        return 0
    try:
        with db.transaction() as session:
            for event in due:
                session.add(event)
    except BaseException:
        _restore(db.url, due)
        raise
    return sum(event.payload_summary["count"] for event in due)


def pending_count(db: Any) -> int:
    """Repeats counted in this process for ``db`` and not yet written."""
    with _pending_lock:
        return sum(p.count for key, p in _pending.items() if key[0] == db.url)
