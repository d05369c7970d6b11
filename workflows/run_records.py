"""Read the Prefect side of the history: each flow run's state, timing, retries and tasks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort


def _seconds(run: Any) -> float | None:
    if run.start_time and run.end_time:
        return round((run.end_time - run.start_time).total_seconds(), 3)
    return None


# Prefect's API refuses a page larger than its ``api.default_limit`` (200 unless configured).
PAGE = 200
# Ids per filter, so a grant with hundreds of runs does not send one huge request body.
IDS_PER_QUERY = 50


async def _all_pages(read: Callable[[int, int], Awaitable[list[Any]]]) -> list[Any]:
    """Every row of a query, a page of at most ``PAGE`` at a time (sorted by id, so stable)."""
    rows: list[Any] = []
    while True:
        page = await read(PAGE, len(rows))
        rows.extend(page)
        if len(page) < PAGE:
            return rows


async def flow_runs(run_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Details of the given flow runs, by id; runs Prefect no longer knows are left out.

    Raises whatever the client raises when Prefect cannot be reached or refuses the query:
    the caller says so in its answer rather than answering with less.
    """
    ids = [uuid.UUID(run_id) for run_id in dict.fromkeys(run_ids) if run_id]
    if not ids:
        return {}
    runs: list[Any] = []
    tasks: list[Any] = []
    async with get_client() as client:
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[start : start + IDS_PER_QUERY]

            def read_runs(limit: int, offset: int, chunk: list[uuid.UUID] = chunk):  # type: ignore[no-untyped-def]
                return client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)),
                    sort=FlowRunSort.ID_DESC,
                    limit=limit,
                    offset=offset,
                )

            def read_tasks(limit: int, offset: int, chunk: list[uuid.UUID] = chunk):  # type: ignore[no-untyped-def]
                return client.read_task_runs(
                    task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=chunk)),
                    sort=TaskRunSort.ID_DESC,
                    limit=limit,
                    offset=offset,
                )

            runs.extend(await _all_pages(read_runs))
            tasks.extend(await _all_pages(read_tasks))
    tasks_by_run: dict[str, list[dict[str, Any]]] = {}
    for task in sorted(tasks, key=lambda t: t.expected_start_time or t.created or 0):
        tasks_by_run.setdefault(str(task.flow_run_id), []).append(
            {
                "name": task.name,
                "state": task.state_name,
                "run_count": task.run_count,
                "retries": max(0, task.run_count - 1),
                "duration_seconds": _seconds(task),
            }
        )
    return {
        str(run.id): {
            "id": str(run.id),
            "name": run.name,
            "state": run.state_name,
            "start_time": run.start_time.isoformat() if run.start_time else None,
            "end_time": run.end_time.isoformat() if run.end_time else None,
            "duration_seconds": _seconds(run),
            "run_count": run.run_count,
            "retries": max(0, run.run_count - 1),
            "tags": sorted(run.tags),
            "task_runs": tasks_by_run.get(str(run.id), []),
        }
        for run in runs
    }
