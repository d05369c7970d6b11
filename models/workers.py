"""Worker leases: which ``grantflow worker`` processes are alive, by heartbeat.

A worker renews its lease every few seconds. A flow run taken by a worker whose lease has
lapsed (the process was killed, or its machine went away) is handed to another worker, which
runs it again; the engine's idempotency keys make the second attempt finish the first one's
work instead of repeating it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow


class WorkerLease(SQLModel, table=True):
    __tablename__ = "worker_lease"

    id: str = Field(primary_key=True, max_length=64)
    host: str = Field(max_length=255)
    pid: int
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    stopped_at: datetime | None = None


def live_worker_ids(session: Session, lease: timedelta, now: datetime | None = None) -> set[str]:
    """Workers that renewed their lease within ``lease`` and have not stopped."""
    cutoff = (now or utcnow()) - lease
    rows = session.exec(
        select(WorkerLease.id).where(
            WorkerLease.heartbeat_at >= cutoff,
            WorkerLease.stopped_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    return set(rows)
