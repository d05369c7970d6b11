"""Each family deployment names its flow's entrypoint, and the entrypoint loads that flow."""

from __future__ import annotations

import asyncio

import pytest
from prefect.client.orchestration import get_client
from prefect.flows import load_flow_from_entrypoint

from models.lifecycle import STAGES
from workflows.actions import FAMILY_FLOWS
from workflows.checkpoints import checkpoint_flow
from workflows.deployments import register_deployments
from workflows.sweep import sweep_flow

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def registered_entrypoints() -> dict[str, str | None]:
    async with get_client() as client:
        deployments = await register_deployments(client)
        return {
            family.name: (await client.read_deployment(deployment_id)).entrypoint
            for deployment_id, family in deployments.items()
            # The scheduled ones: tests/integration/workflows/test_sweep_deployment.py and
            # tests/integration/audit/test_checkpoint_rows.py.
            if family is not sweep_flow and family is not checkpoint_flow
        }


def test_every_family_deployment_names_an_entrypoint_that_loads_its_flow() -> None:
    entrypoints = asyncio.run(registered_entrypoints())
    assert set(entrypoints) == {FAMILY_FLOWS[stage].name for stage in STAGES}
    for stage in STAGES:
        family = FAMILY_FLOWS[stage]
        entrypoint = entrypoints[family.name]
        assert entrypoint == f"workflows.actions:{stage}_flow"
        assert load_flow_from_entrypoint(entrypoint, use_placeholder_flow=False) is family


def test_submitting_a_run_leaves_the_takers_schedules_as_they_registered_them(
    installation, monkeypatch
) -> None:
    """A worker registers the checkpoint's schedule from its settings; a service that only
    submits runs (deployment mode) registers the families and leaves that schedule alone,
    whatever its own settings say (it once put back the hourly default, and no checkpoint ran)."""
    from models import fictional
    from models.fictional.script import steps
    from models.provisioning import create_application
    from workflows import deployments
    from workflows.checkpoints import CHECKPOINT_FLOW_NAME, DEFAULT_CHECKPOINT_CRON

    every_minute = "* * * * *"

    async def checkpoint_schedule() -> list[str]:
        async with get_client() as client:
            deployment = await client.read_deployment_by_name(
                f"{CHECKPOINT_FLOW_NAME}/{deployments.DEPLOYMENT}"
            )
            return [s.schedule.cron for s in deployment.schedules]

    async def as_a_worker() -> None:
        async with get_client() as client:
            await register_deployments(client)

    monkeypatch.setenv("GRANTFLOW_CHECKPOINT_CRON", every_minute)
    asyncio.run(as_a_worker())
    assert asyncio.run(checkpoint_schedule()) == [every_minute]

    monkeypatch.delenv("GRANTFLOW_CHECKPOINT_CRON")  # the service's own setting: the default
    monkeypatch.setattr(deployments, "_registered", set())  # as in a newly started service
    cast = fictional.seed(installation)
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(installation, organisation.id, application)
    action, actor, payload, _ = next(steps(installation, cast, grant.id))
    run = asyncio.run(deployments.submit_action(grant.id, grant.reference, action, actor, payload))
    assert run.deployment_id is not None
    assert asyncio.run(checkpoint_schedule()) == [every_minute] != [DEFAULT_CHECKPOINT_CRON]
