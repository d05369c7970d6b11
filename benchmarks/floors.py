"""The orchestration floor the benchmarks measure against: a bare async Prefect flow with one
task, as Prefect ships it (nothing of grantflow's around it)."""

from __future__ import annotations

from typing import Any


def bare_flow() -> Any:
    """A new bare flow. Prefect is imported here, so a caller can set Prefect's environment
    first (Prefect reads its settings once, at import)."""
    from prefect import flow, task

    @task
    def one_task() -> int:
        return 1

    @flow
    async def bare() -> int:
        return one_task()

    return bare
