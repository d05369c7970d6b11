"""Reading the refusals an authorization matrix left in the audit trail: the 'denied' events
since a point, and the repeats counted into 'denials_aggregated' events (``models.denials``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from models import denials
from models.clock import as_utc
from models.db import Database
from models.tables import AuditEvent


def last_denial(db: Database) -> int:
    with db.reading() as session:
        ids = session.exec(select(AuditEvent.id).where(AuditEvent.outcome == "denied")).all()
        return max(ids, default=0)  # type: ignore[type-var]


def denials_since(db: Database, last: int) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.outcome == "denied", AuditEvent.id > last)  # type: ignore[operator]
                .order_by(AuditEvent.id)
            )
        )


def last_event(db: Database) -> int:
    with db.reading() as session:
        return max(session.exec(select(AuditEvent.id)).all(), default=0)  # type: ignore[type-var]


def aggregated_since(db: Database, first: int) -> dict[tuple[int, str, str], int]:
    """(actor id, rule, action) -> how many repeats were counted after event ``first``."""
    with db.reading() as session:
        rows = session.exec(
            select(AuditEvent).where(
                AuditEvent.outcome == denials.AGGREGATED,
                AuditEvent.id > first,  # type: ignore[operator]
            )
        ).all()
    counts: dict[tuple[int, str, str], int] = {}
    for row in rows:
        key = (row.actor_id, row.rule, row.action)
        counts[key] = counts.get(key, 0) + row.payload_summary["count"]  # type: ignore[index]
    return counts


SLACK = timedelta(seconds=2)  # between a test's clock reading and the event's own


@dataclass
class DenialsSorted:
    """A matrix's refusals sorted against the record: logged in full, counted as repeats, or
    wrong (logged twice, not at all, or under the wrong rule or kind)."""

    full: list[Any] = field(default_factory=list)
    repeats: list[Any] = field(default_factory=list)
    wrong: list[Any] = field(default_factory=list)

    def counted(self) -> dict[tuple[int | None, str, str], int]:
        """How many repeats each (caller, rule, kind) should have in its aggregates."""
        counts: dict[tuple[int | None, str, str], int] = {}
        for outcome in self.repeats:
            counts[outcome.denial_key] = counts.get(outcome.denial_key, 0) + 1
        return counts


def sort_denials(refused: list[Any]) -> DenialsSorted:
    """The first of each (caller, rule, kind) in a window must be one 'denied' event naming
    that kind and rule; each repeat within the window none (it is counted instead). Each
    outcome has ``denial_key``, ``denials_logged`` (actor ids of its events), ``logged``
    ((rule, action, grant id) of each), ``at`` and ``attempt.caller.user_id``."""
    found = DenialsSorted()
    opened: dict[tuple[int | None, str, str], datetime] = {}
    for o in refused:
        key = o.denial_key
        since = opened.get(key)
        if o.denials_logged == [o.attempt.caller.user_id]:
            ((rule, action, _grant),) = o.logged
            opens = since is None or o.at - since >= denials.WINDOW - SLACK
            (found.full if opens and (rule, action) == key[1:] else found.wrong).append(o)
            opened[key] = as_utc(o.at)
        elif not o.denials_logged and since is not None and o.at - since < denials.WINDOW + SLACK:
            found.repeats.append(o)
        else:
            found.wrong.append(o)
    return found
