"""A small flow for the tests of ``workflows.prefect_adapter``: two threaded tasks under
``lean_task_runs``, as a grantflow step runs its tasks, adding one each (``lean_probe(40)``
is 42); and what Prefect recorded of the flow runs of a name, read back through its API."""

from __future__ import annotations

import asyncio
from uuid import UUID

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, FlowRunFilterName

from workflows.prefect_adapter import lean_task_runs


@task(name="grantflow-adapter-probe-step", cache_policy=NONE, persist_result=False)
def probe_step(value: int) -> int:
    return value + 1


@flow(name="grantflow-adapter-lean-probe", persist_result=False)
async def lean_probe(value: int) -> int:
    with lean_task_runs():
        first = await asyncio.to_thread(probe_step, value)
        return await asyncio.to_thread(probe_step, first)


async def flow_run_and_tasks(name: str) -> tuple[list[UUID], list[str | None], set[str], set[str]]:
    """The flow runs named ``name``: ids, states, their flows' names, their tasks' names."""
    named = FlowRunFilter(name=FlowRunFilterName(any_=[name]))
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_run_filter=named)
        flows = {(await client.read_flow(run.flow_id)).name for run in runs}
        tasks = await client.read_task_runs(flow_run_filter=named)
    # A task run is named "<task name>-<suffix>".
    task_names = {task.name.rsplit("-", 1)[0] for task in tasks}
    return [run.id for run in runs], [run.state_name for run in runs], flows, task_names


async def task_names_of(flow_run_id: str) -> tuple[str | None, set[str]]:
    """The flow run's state and the names of its task runs."""
    run_filter = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)]))
    async with get_client() as client:
        run = await client.read_flow_run(UUID(flow_run_id))
        tasks = await client.read_task_runs(flow_run_filter=run_filter)
    return run.state_name, {task.name.rsplit("-", 1)[0] for task in tasks}
