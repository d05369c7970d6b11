"""Each grant reads as one workflow in Prefect: one table artifact per grant, ``grant-<id>``.

A grant's steps are separate flow runs (one per action, tagged ``grant:<id>``). After its
transition every family flow run publishes a new version of the grant's artifact: one row
per step taken so far, read from grantflow's audit trail, so Prefect's Artifacts page shows
the grant's whole workflow under one key, a version per step. The rows hold ids, declared
keys (stage, action, states), and dates; never a name, title, note or payload text.

The artifact is a view: the grant's truth is grantflow's database. Publishing it never fails a
step; a failure is logged with the grant's id and the error's type, and the next step of the
grant publishes every row again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from prefect.artifacts import acreate_table_artifact
from sqlmodel import Session, select

from models.lifecycle import ACTIONS_BY_KEY, resolve_stage
from models.tables import ActionRequest, AuditEvent, Grant
from workflows.runtime import database

log = logging.getLogger(__name__)


def artifact_key(grant_id: int) -> str:
    """The grant's artifact key (Prefect allows lowercase letters, digits and dashes)."""
    return f"grant-{grant_id}"


def _steps(session: Session, grant_id: int) -> list[dict[str, Any]]:
    """One row per step the grant's flow runs took, oldest first: ids, keys and dates."""
    rows = session.exec(
        select(AuditEvent, ActionRequest.id)
        .join(
            ActionRequest,
            ActionRequest.audit_event_id == AuditEvent.id,  # type: ignore[arg-type]
            isouter=True,
        )
        .where(
            AuditEvent.grant_id == grant_id,
            AuditEvent.outcome == "applied",
            AuditEvent.action.in_(list(ACTIONS_BY_KEY)),  # type: ignore[attr-defined]
            AuditEvent.flow_run_id.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    return [
        {
            "step": number,
            "stage": resolve_stage(event.action),
            "action": event.action,
            "subject": event.subject,
            "subject_id": event.subject_id,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "occurred_at": event.occurred_at.isoformat(timespec="seconds"),
            "audit_event_id": event.id,
            "request_id": request_id,
            "flow_run_id": event.flow_run_id,
        }
        for number, (event, request_id) in enumerate(rows, start=1)
    ]


def _describe(session: Session, grant_id: int) -> str:
    grant = session.get(Grant, grant_id)
    state = grant.state if grant is not None else None
    return (
        f"Grant {grant_id}, state `{state}`: one row per step, each a flow run. "
        "The grant's record is grantflow's database; this is a view of it."
    )


def artifact_table(grant_id: int) -> tuple[list[dict[str, Any]], str]:
    """The artifact's rows (one per step) and its description (the grant's id and state
    key), read together."""
    with database().reading() as session:
        return _steps(session, grant_id), _describe(session, grant_id)


async def publish_grant_steps(grant_id: int) -> None:
    """Publish a new version of the grant's artifact from the run in progress.

    Never raises: the step is already committed, and the artifact only shows it.
    """
    try:
        steps, description = await asyncio.to_thread(artifact_table, grant_id)
        await acreate_table_artifact(steps, key=artifact_key(grant_id), description=description)
    except Exception as error:  # noqa: BLE001 - the artifact is a view, never the step
        log.warning(
            "grant %s: its Prefect artifact was not updated (%s)",
            grant_id,
            type(error).__name__,
        )
