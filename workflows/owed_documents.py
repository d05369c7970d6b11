"""Documents a committed step still owes: produced with the step, or later by a flow.

A step's owed documents are written in its own transaction (``models.engine``). The step's flow
run produces them at once; when rendering keeps failing (after its retries) they stay owed, the
grant shows them as pending, and the ``grantflow-owed-documents`` flow (run by ``serve`` and by
workers every few seconds while anything is owed, or by ``grantflow documents retry``) produces
them once the fault clears. Its only parameter is a count; it reads the ids from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from prefect import flow
from sqlmodel import func, select

from models.tables import OwedDocument
from workflows.delivery import announce_step
from workflows.gate import needs_run_gate
from workflows.requests import event_documents
from workflows.runtime import database
from workflows.tasks import DocumentNotProduced, render_and_store


def _open_kinds(event_id: int) -> list[str]:
    with database().reading() as session:
        return list(
            session.exec(
                select(OwedDocument.kind)
                .where(
                    OwedDocument.audit_event_id == event_id,
                    OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
                )
                .order_by(OwedDocument.id)  # type: ignore[arg-type]
            ).all()
        )


async def produce_owed(event_id: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Produce what the step of ``event_id`` still owes; its documents and what stays owed."""
    for kind in await asyncio.to_thread(_open_kinds, event_id):
        # A failure is noted on the owed row; the document stays owed and visibly pending.
        with contextlib.suppress(DocumentNotProduced):
            await asyncio.to_thread(render_and_store, event_id, kind)
    documents, pending = await asyncio.to_thread(event_documents, event_id)
    if not pending:
        # All there: the organisation can be told (once, whoever gets here first).
        await asyncio.to_thread(announce_step, event_id)
    return documents, pending


def owed_count() -> int:
    """How many documents are owed right now (a cheap check before running the flow)."""
    with database().reading() as session:
        return session.exec(
            select(func.count())
            .select_from(OwedDocument)
            .where(
                OwedDocument.stored_at.is_(None)  # type: ignore[union-attr]
            )
        ).one()


def _owing_events(limit: int) -> list[int]:
    with database().reading() as session:
        rows = session.exec(
            select(OwedDocument.audit_event_id, func.min(OwedDocument.owed_since))
            .where(OwedDocument.stored_at.is_(None))  # type: ignore[union-attr]
            .group_by(OwedDocument.audit_event_id)
            .order_by(func.min(OwedDocument.owed_since))
            .limit(limit)
        ).all()
    return [event_id for event_id, _ in rows]


@flow(
    name="grantflow-owed-documents",
    description="Produce the documents committed steps still owe (rendering failed before).",
    persist_result=False,
)
async def produce_owed_documents(limit: int = 50, event_id: int | None = None) -> dict[str, int]:
    """Try every owed document of up to ``limit`` steps, oldest first (or of one step)."""
    events = [event_id] if event_id else await asyncio.to_thread(_owing_events, limit)
    for event_id in events:
        await produce_owed(event_id)
    return {"steps_tried": len(events), "still_owed": await asyncio.to_thread(owed_count)}


async def settle_owed_documents(limit: int = 50) -> dict[str, int] | None:
    """Run the owed-documents flow if anything is owed; None when nothing was."""
    if await asyncio.to_thread(owed_count) == 0:
        return None
    return await produce_owed_documents(limit)


async def settle_in_turns(
    gate: Callable[[], AbstractAsyncContextManager[object]], limit: int = 50
) -> dict[str, int] | None:
    """``settle_owed_documents`` for a process whose flow runs take turns through ``gate``
    (``workflows.actions.run_gate``); None when nothing was owed.

    While Prefect's database is SQLite the gate is a lock that every action of the process
    waits for: here each of the (up to ``limit``) oldest owing steps is its own flow run, and
    the turn goes back between them, so an action arriving during a catch-up waits behind one
    step's documents, not a batch of them. With no gate to share, one flow run takes them all.
    """
    if not needs_run_gate():
        async with gate():
            return await settle_owed_documents(limit)
    events = await asyncio.to_thread(_owing_events, limit)
    if not events:
        return None
    for event_id in events:
        async with gate():  # asyncio.Lock is fair: whoever waits goes before the next step
            await produce_owed_documents(event_id=event_id)
    return {"steps_tried": len(events), "still_owed": await asyncio.to_thread(owed_count)}
