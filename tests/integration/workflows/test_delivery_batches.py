"""The outbox goes in batches: one transaction claims a batch, one records every outcome.

Two grants are submitted while the loopback SMTP server (aiosmtpd) is down, so their
messages wait. Then, in one delivery: one message is held by another process (a fresh claim),
one was claimed by a process that died (a stale claim), one cannot be composed, one recipient
is refused for good (550) and one for now (451). Each comes out as the delivery loop's rules
say, every other message arrives once, and the whole backlog costs two write transactions per
batch, whatever its size.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from models import fictional
from models.clock import utcnow
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import AuditEvent, Notification
from workflows import delivery
from workflows.actions import run_action_inline
from workflows.delivery import STALE_CLAIM, deliver_due, retry_delay

pytestmark = pytest.mark.usefixtures("prefect_harness")


def submit(db: Any, cast: Any, index: int) -> None:
    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    action, actor, payload, _ = next(steps(db, cast, grant.id))
    assert action == "submit"
    asyncio.run(run_action_inline(grant.id, grant.reference, action, actor, payload))


def notifications(db: Any) -> dict[int, Notification]:
    with db.reading() as session:
        return {n.id: n for n in session.exec(select(Notification))}


def write_transactions(db: Any) -> list[int]:
    """A counter of the write transactions begun on ``db`` from now on (reads take none)."""
    begun: list[int] = []

    @event.listens_for(db.engine, "begin")
    def count(connection: Any) -> None:
        if not connection.get_execution_options().get("grantflow_read_only", False):
            begun.append(1)

    return begun


def test_a_backlog_goes_in_batches_and_each_message_ends_as_its_rules_say(
    installation, smtp_server, monkeypatch
):
    monkeypatch.setenv("GRANTFLOW_SMTP_URL", smtp_server.url)
    db = installation
    cast = fictional.seed(db)
    smtp_server.stop()
    submit(db, cast, 0)
    submit(db, cast, 1)
    waiting = notifications(db)
    assert len(waiting) >= 6 and {n.status for n in waiting.values()} == {"pending"}
    assert all(n.attempts == 1 and n.last_error for n in waiting.values())

    # Pick five messages to distinct addresses, one for each case below.
    by_address: dict[str, Notification] = {}
    for n in sorted(waiting.values(), key=lambda n: n.id):
        by_address.setdefault(n.address, n)
    assert len(by_address) >= 5, "five distinct recipients"
    held, stale, broken, refused, busy = list(by_address.values())[:5]
    later = utcnow() + timedelta(hours=1)
    with db.transaction() as session:
        for n, claimed_at in ((held, later - timedelta(minutes=1)), (stale, later - STALE_CLAIM)):
            row = session.get(Notification, n.id)
            row.status, row.claimed_at = "sending", claimed_at - timedelta(seconds=1)
            session.add(row)
        row = session.get(Notification, broken.id)
        row.kind = "no_such_message"  # composing it raises: it stays due, the others go
        session.add(row)
    smtp_server.start()
    smtp_server.refuse_recipient(refused.address, 550)
    smtp_server.refuse_recipient(busy.address, 451)

    monkeypatch.setattr(delivery, "BATCH", 3)
    begun = write_transactions(db)
    counts = deliver_due(now=later)

    due = len(waiting) - 1  # all but the one held by another process
    batches = -(-due // 3)
    assert len(begun) == 2 * batches, "one claim and one record per batch"
    after = notifications(db)
    sent = {i for i, n in after.items() if n.status == "sent"}
    assert sent == set(waiting) - {held.id, broken.id, refused.id, busy.id}
    assert stale.id in sent  # its process died: taken again
    assert counts.as_dict() == {"sent": len(sent), "retrying": 2, "failed": 1}
    assert after[held.id].status == "sending" and after[held.id].attempts == 1
    assert after[refused.id].status == "failed" and "550" in after[refused.id].last_error
    for retried in (busy, broken):
        again = after[retried.id]
        assert again.status == "pending" and again.attempts == 2
        assert again.next_attempt_at == later + retry_delay(2)
    assert "KeyError" in after[broken.id].last_error or "no_such" in after[broken.id].last_error

    arrived = [m["Message-ID"] for m in smtp_server.messages]
    assert sorted(arrived) == sorted(after[i].message_id for i in sent)
    with db.reading() as session:
        trail = session.exec(select(AuditEvent).where(AuditEvent.subject == "notification")).all()
    assert sorted((e.subject_id, e.action) for e in trail) == sorted(
        [(i, "message_sent") for i in sent] + [(refused.id, "message_failed")]
    )
    assert {e.payload_summary["message_id"] for e in trail if e.action == "message_sent"} == set(
        arrived
    )
