"""One async Prefect flow per lifecycle action family (stage).

Each run is named ``<reference> · <action>`` and tagged ``grant:<id>``, ``stage:<stage>`` and
``action:<action>``. Flows orchestrate; the rules live in ``models``.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prefect import flow, tags
from prefect.flows import Flow
from sqlmodel import select

from models.context import Actor
from models.engine import TransitionResult, fingerprint, record_denial
from models.errors import ActionRejected, IdempotencyConflict
from models.lifecycle import STAGES, resolve_stage
from models.tables import AuditEvent, Grant, StoredDocument
from workflows.faults import hold_if_asked
from workflows.once import once
from workflows.runtime import database
from workflows.tasks import (
    apply_transition,
    current_flow_run_id,
    render_and_store,
    stored_summary,
)

RUN_NAME = "{reference} · {action}"


@dataclass(frozen=True)
class ActionOutcome:
    grant_id: int
    reference: str
    action: str
    subject: str
    subject_id: int | None
    from_state: str | None
    to_state: str | None
    grant_state: str
    event_id: int
    flow_run_id: str | None
    replayed: bool
    documents: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def carry_out(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any],
    idempotency_key: str | None,
    now: datetime | None,
) -> ActionOutcome:
    run_id = current_flow_run_id()
    key = idempotency_key or f"flow-run:{run_id or uuid.uuid4()}:{action}"
    try:
        result: TransitionResult = await asyncio.to_thread(
            apply_transition, grant_id, action, actor, payload, key, now
        )
    except ActionRejected as error:
        # The refused change left nothing behind; the refusal itself is on the record.
        await asyncio.to_thread(
            record_denial, database(), grant_id, action, actor, error, flow_run_id=run_id
        )
        raise
    hold_if_asked("after-transition", action)
    documents: list[dict[str, Any]] = []
    for kind in result.documents:
        documents.extend(await asyncio.to_thread(render_and_store, result, kind))
    return ActionOutcome(
        grant_id=result.grant_id,
        reference=result.reference,
        action=result.action,
        subject=result.subject,
        subject_id=result.subject_id,
        from_state=result.from_state,
        to_state=result.to_state,
        grant_state=result.grant_state,
        event_id=result.event_id,
        flow_run_id=run_id,
        replayed=result.replayed,
        documents=documents,
    )


def as_actor(actor: Actor | dict[str, Any]) -> Actor:
    """A deployment run's parameters are JSON: rebuild the actor from its fields."""
    if isinstance(actor, Actor):
        return actor
    return Actor(**{**actor, "roles": tuple(actor["roles"])})


def _family(stage: str) -> Flow:
    async def run(
        grant_id: int,
        reference: str,
        action: str,
        actor: Actor,
        payload: dict[str, Any],
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> ActionOutcome:
        moment = datetime.fromisoformat(now) if isinstance(now, str) else now
        return await carry_out(
            grant_id, reference, action, as_actor(actor), payload, idempotency_key, moment
        )

    run.__name__ = stage
    return flow(
        name=f"grantflow-{stage.replace('_', '-')}",
        flow_run_name=RUN_NAME,
        description=f"Carry out a {stage.replace('_', ' ')} action on one grant.",
        persist_result=False,
        validate_parameters=False,
    )(run)


def previous_outcome(
    grant_id: int, action: str, payload: dict[str, Any] | None, idempotency_key: str
) -> ActionOutcome | None:
    """The answer a request with this key already got, without running anything again.

    The engine refuses to apply a key twice in any case; answering here also saves the
    repeated request a flow run of its own.
    """
    db = database()
    with db.reading() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.idempotency_key == idempotency_key)
        ).first()
        if event is None:
            return None
        if (event.grant_id, event.action, event.request_hash) != (
            grant_id,
            action,
            fingerprint(action, payload),
        ):
            raise IdempotencyConflict(
                "idempotency key was already used for a different request "
                f"('{event.action}' on grant {event.grant_id})"
            )
        grant = session.get(Grant, grant_id)
        documents = session.exec(
            select(StoredDocument)
            .where(StoredDocument.audit_event_id == event.id)
            .order_by(StoredDocument.id)
        ).all()
        assert grant is not None
        return ActionOutcome(
            grant_id=grant_id,
            reference=grant.reference,
            action=action,
            subject=event.subject,
            subject_id=event.subject_id,
            from_state=event.from_state,
            to_state=event.to_state,
            grant_state=event.payload_summary.get("grant_state", grant.state),
            event_id=event.id,  # type: ignore[arg-type]
            flow_run_id=event.flow_run_id,
            replayed=True,
            documents=[stored_summary(d) for d in documents],
        )


FAMILY_FLOWS: dict[str, Flow] = {stage: _family(stage) for stage in STAGES}
_gates: dict[int, asyncio.Lock] = {}


def _gate() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    return _gates.setdefault(id(loop), asyncio.Lock())


async def run_action_inline(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ActionOutcome:
    """Run the action's flow in this process and wait for it.

    Runs go one at a time per process: Prefect's embedded SQLite database locks under
    concurrent in-process runs, and grantflow's own writes serialise anyway. A request with an
    Idempotency-Key runs at most one flow across every process of the installation
    (``workflows.once``); repeats get the first answer.
    """
    stage = resolve_stage(action)
    family = FAMILY_FLOWS[stage]

    async def run() -> ActionOutcome:
        with tags(f"grant:{grant_id}", f"stage:{stage}", f"action:{action}"):
            return await family(
                grant_id, reference, action, actor, payload or {}, idempotency_key, now
            )

    async with _gate():
        if not idempotency_key:
            return await run()
        return await once(
            idempotency_key,
            grant_id,
            action,
            lambda: previous_outcome(grant_id, action, payload, idempotency_key),
            run,
        )
