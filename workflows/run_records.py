"""Read the Prefect side of the history: each flow run's state, timing, retries and tasks."""

from __future__ import annotations

import uuid
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)


def _seconds(run: Any) -> float | None:
    if run.start_time and run.end_time:
        return round((run.end_time - run.start_time).total_seconds(), 3)
    return None


async def flow_runs(run_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Details of the given flow runs, by id; runs Prefect no longer knows are left out."""
    ids = [uuid.UUID(run_id) for run_id in dict.fromkeys(run_ids) if run_id]
    if not ids:
        return {}
    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids)
        )
        tasks = await client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=ids)),
            limit=200 * len(ids),
        )
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
