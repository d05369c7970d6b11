"""The ``deployment`` execution mode: the service submits, ``grantflow worker`` runs.

Each action family flow has one Prefect deployment, ``grantflow-<stage>/grantflow``. The
service creates a flow run of it (``run_deployment(timeout=0)``) and answers at once with the
flow run id; any number of ``grantflow worker`` processes, on any machine that reaches the
same Prefect API and the same grantflow database, take the runs and carry them out.

The daily sweep has one more, ``grantflow-sweep/grantflow``, on a cron schedule
(``workflows.sweep.SWEEP_CRON`` in the fund's time zone): Prefect's scheduler makes its runs,
and workers (deployment mode) or ``grantflow serve`` itself (inline mode) take them. So does
the audit checkpoint's, ``grantflow-checkpoint/grantflow`` (``workflows.checkpoints``).
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import DeploymentScheduleCreate
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments import run_deployment
from prefect.flows import Flow

from models.context import Actor
from models.lifecycle import STAGES, resolve_stage
from models.requests import flow_run_key
from models.tables import ActionRequest
from workflows.actions import FAMILY_FLOWS, family_entrypoint, run_name
from workflows.checkpoints import (
    CHECKPOINT_ENTRYPOINT,
    CHECKPOINT_TIME_ZONE,
    checkpoint_cron,
    checkpoint_flow,
)
from workflows.readiness import until_ready
from workflows.requests import accept_request, note_flow_run
from workflows.sweep import SWEEP_CRON, SWEEP_ENTRYPOINT, SWEEP_TIME_ZONE, sweep_flow

DEPLOYMENT = "grantflow"


def deployment_name(stage: str) -> str:
    return f"{FAMILY_FLOWS[stage].name}/{DEPLOYMENT}"


async def register_deployments(client: PrefectClient) -> dict[UUID, Flow]:
    """What a taker of runs registers (``grantflow worker``): the seven family deployments
    and the scheduled ones; their ids, each with its flow."""
    flows = await register_family_deployments(client)
    for deployment_id, scheduled in await register_scheduled_deployments(client):
        flows[deployment_id] = scheduled
    return flows


async def register_family_deployments(client: PrefectClient) -> dict[UUID, Flow]:
    """Create (or update) the seven family deployments; their ids, each with its flow.

    Each names its family flow's entrypoint (``workflows.actions:<stage>_flow``), so Prefect's
    UI says what the deployment runs. ``grantflow worker`` runs them in its own process from
    ``FAMILY_FLOWS`` (it screens a run before starting it); they belong to no work pool, so no
    generic Prefect worker takes them.
    """
    flows: dict[UUID, Flow] = {}
    for stage in STAGES:
        family = FAMILY_FLOWS[stage]
        flow_id = await client.create_flow(family)
        deployment_id = await client.create_deployment(
            flow_id=flow_id,
            name=DEPLOYMENT,
            description=family.description,
            entrypoint=family_entrypoint(stage),
            tags=["grantflow", f"stage:{stage}"],
            enforce_parameter_schema=False,
        )
        flows[deployment_id] = family
    return flows


async def register_scheduled_deployments(client: PrefectClient) -> list[tuple[UUID, Flow]]:
    """The daily sweep's deployment and the audit checkpoint's, each with its schedule."""
    return [
        await register_sweep_deployment(client),
        await register_checkpoint_deployment(client),
    ]


async def register_checkpoint_deployment(client: PrefectClient) -> tuple[UUID, Flow]:
    """Create (or update) ``grantflow-checkpoint/grantflow`` with its cron schedule (one
    schedule whoever registers it, as for the sweep); its id and flow."""
    flow_id = await client.create_flow(checkpoint_flow)
    deployment_id = await client.create_deployment(
        flow_id=flow_id,
        name=DEPLOYMENT,
        description=checkpoint_flow.description,
        entrypoint=CHECKPOINT_ENTRYPOINT,
        tags=["grantflow", "checkpoint"],
        schedules=[
            DeploymentScheduleCreate(
                schedule=CronSchedule(cron=checkpoint_cron(), timezone=CHECKPOINT_TIME_ZONE),
                active=True,
            )
        ],
        enforce_parameter_schema=False,
    )
    return deployment_id, checkpoint_flow


async def register_sweep_deployment(client: PrefectClient) -> tuple[UUID, Flow]:
    """Create (or update) the daily sweep's deployment, ``grantflow-sweep/grantflow``, with
    its cron schedule; its id and flow.

    Prefect upserts a deployment by name and replaces its schedules, so registering again
    (every worker and every ``serve`` does) leaves one schedule. No work pool, as for the
    families: only grantflow's own takers screen and run its runs.
    """
    flow_id = await client.create_flow(sweep_flow)
    deployment_id = await client.create_deployment(
        flow_id=flow_id,
        name=DEPLOYMENT,
        description=sweep_flow.description,
        entrypoint=SWEEP_ENTRYPOINT,
        tags=["grantflow", "sweep"],
        schedules=[
            DeploymentScheduleCreate(
                schedule=CronSchedule(cron=SWEEP_CRON, timezone=SWEEP_TIME_ZONE), active=True
            )
        ],
        enforce_parameter_schema=False,
    )
    return deployment_id, sweep_flow


_registered: set[str] = set()


async def _ensure_deployments(client: PrefectClient) -> None:
    """Register the family deployments once per process and Prefect API, before submitting a
    run of one. Not the scheduled ones: their schedules belong to the processes that take
    their runs (workers, or ``serve``'s own taker in inline mode), and registering replaces a
    deployment's schedule, so a service that only submits would put back its own settings
    (``GRANTFLOW_CHECKPOINT_CRON``) over the takers'."""
    api = str(client.api_url)
    if api not in _registered:
        await register_family_deployments(client)
        _registered.add(api)


def flow_parameters(request: ActionRequest) -> dict[str, Any]:
    """What a deployment run carries: the accepted request's id and token, nothing else."""
    return {"request_id": request.id, "token": request.token}


async def submit_request(request: ActionRequest, reference: str) -> FlowRun:
    """Create the request's flow run for a worker to take; returns it without waiting.

    Prefect's idempotency key is the request's, so a repeated submission of one request (the
    caller's own Idempotency-Key finds the same request) gets the flow run the first created.
    """
    await until_ready()  # under serve, an early request waits for the Prefect server
    stage = resolve_stage(request.action)
    async with get_client() as client:
        await _ensure_deployments(client)
        run = await run_deployment(  # type: ignore[misc]
            deployment_name(stage),
            client=client,
            parameters=flow_parameters(request),
            flow_run_name=run_name(reference, request.action),
            tags=[f"grant:{request.grant_id}", f"stage:{stage}", f"action:{request.action}"],
            idempotency_key=flow_run_key(request),
            timeout=0,
            as_subflow=False,
        )
    await asyncio.to_thread(note_flow_run, request.id, str(run.id))  # type: ignore[arg-type]
    return run


async def submit_action(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
) -> FlowRun:
    """Record ``actor``'s request and queue its flow run for a worker."""
    request = await asyncio.to_thread(
        accept_request, grant_id, action, actor.user_id, payload, idempotency_key
    )
    return await submit_request(request, reference)
