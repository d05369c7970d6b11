"""A small flow for the tests of ``workflows.prefect_adapter``: two threaded tasks under
``lean_task_runs``, as a grantflow step runs its tasks, adding one each (``lean_probe(40)``
is 42)."""

from __future__ import annotations

import asyncio

from prefect import flow, task
from prefect.cache_policies import NONE

from workflows.prefect_adapter import lean_task_runs


@task(name="grantflow-adapter-probe-step", cache_policy=NONE, persist_result=False)
def probe_step(value: int) -> int:
    return value + 1


@flow(name="grantflow-adapter-lean-probe", persist_result=False)
async def lean_probe(value: int) -> int:
    with lean_task_runs():
        first = await asyncio.to_thread(probe_step, value)
        return await asyncio.to_thread(probe_step, first)
