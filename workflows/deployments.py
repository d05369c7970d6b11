"""The ``deployment`` execution mode: the service submits, ``grantflow worker`` runs.

Each action family flow has one Prefect deployment, ``grantflow-<stage>/grantflow``. The
service creates a flow run of it (``run_deployment(timeout=0)``) and answers at once with the
flow run id; any number of ``grantflow worker`` processes, on any machine that reaches the
same Prefect API and the same grantflow database, take the runs and carry them out.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any, Literal
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.flows import Flow

from models.context import Actor
from models.errors import IdempotencyConflict
from models.lifecycle import STAGES, resolve_stage
from workflows.actions import FAMILY_FLOWS, RUN_NAME

DEPLOYMENT = "grantflow"
Execution = Literal["inline", "deployment"]


class ExecutionModeError(ValueError):
    pass


def execution_mode() -> Execution:
    """``GRANTFLOW_EXECUTION``: ``inline`` (default) or ``deployment``."""
    mode = os.environ.get("GRANTFLOW_EXECUTION", "inline").strip().lower() or "inline"
    if mode not in ("inline", "deployment"):
        raise ExecutionModeError(
            f"GRANTFLOW_EXECUTION must be 'inline' or 'deployment', not {mode!r}"
        )
    return mode  # type: ignore[return-value]


def deployment_name(stage: str) -> str:
    return f"{FAMILY_FLOWS[stage].name}/{DEPLOYMENT}"


async def register_deployments(client: PrefectClient) -> dict[UUID, Flow]:
    """Create (or update) the seven family deployments; their ids, each with its flow.

    They name no entrypoint: ``grantflow worker`` runs them in its own process from
    ``FAMILY_FLOWS``, not a generic Prefect worker loading code by path.
    """
    flows: dict[UUID, Flow] = {}
    for stage in STAGES:
        family = FAMILY_FLOWS[stage]
        flow_id = await client.create_flow(family)
        deployment_id = await client.create_deployment(
            flow_id=flow_id,
            name=DEPLOYMENT,
            description=family.description,
            tags=["grantflow", f"stage:{stage}"],
            enforce_parameter_schema=False,
        )
        flows[deployment_id] = family
    return flows


_registered: set[str] = set()


async def _ensure_deployments(client: PrefectClient) -> None:
    """Register the deployments once per process and Prefect API."""
    api = str(client.api_url)
    if api not in _registered:
        await register_deployments(client)
        _registered.add(api)


def flow_parameters(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any] | None,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """What a deployment run carries: JSON only (the worker rebuilds the actor)."""
    return {
        "grant_id": grant_id,
        "reference": reference,
        "action": action,
        "actor": {**asdict(actor), "roles": list(actor.roles)},
        "payload": payload or {},
        "idempotency_key": idempotency_key,
        "now": None,
    }


async def submit_action(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
) -> FlowRun:
    """Create the action's flow run for a worker to take; returns it without waiting.

    With an Idempotency-Key, Prefect gives a repeated submission the flow run the first one
    created, and the engine applies the key once whatever runs it.
    """
    stage = resolve_stage(action)
    parameters = flow_parameters(grant_id, reference, action, actor, payload, idempotency_key)
    async with get_client() as client:
        await _ensure_deployments(client)
        run = await run_deployment(  # type: ignore[misc]
            deployment_name(stage),
            client=client,
            parameters=parameters,
            flow_run_name=RUN_NAME.format(reference=reference, action=action),
            tags=[f"grant:{grant_id}", f"stage:{stage}", f"action:{action}"],
            idempotency_key=(
                f"grant:{grant_id}:{action}:{idempotency_key}" if idempotency_key else None
            ),
            timeout=0,
            as_subflow=False,
        )
    if idempotency_key and run.parameters != parameters:
        # Prefect answered with the run an earlier request made under this key.
        raise IdempotencyConflict(
            "idempotency key was already used for a different request "
            f"('{run.parameters.get('action')}' on grant {run.parameters.get('grant_id')})"
        )
    return run
