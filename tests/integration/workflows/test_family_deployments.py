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
