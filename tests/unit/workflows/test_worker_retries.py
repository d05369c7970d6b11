"""A crashed run is queued again until it has had its attempts, then left for a person."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from uuid import uuid4

import pytest

from workflows.worker import MAX_ATTEMPTS, Worker, WorkerSettings


class RecordingClient:
    """Stands in for Prefect's client: records the states a worker sets."""

    def __init__(self) -> None:
        self.states: list[tuple[str, bool]] = []

    async def set_flow_run_state(self, flow_run_id, state, force: bool = False):  # type: ignore[no-untyped-def]
        self.states.append((state.name, force))


@pytest.mark.parametrize(
    ("run_count", "expected"),
    [
        (1, [("Crashed", True), ("AwaitingRetry", True)]),
        (MAX_ATTEMPTS - 1, [("Crashed", True), ("AwaitingRetry", True)]),
        (MAX_ATTEMPTS, [("Crashed", True)]),
    ],
)
def test_a_crashed_run_is_retried_until_its_attempts_are_spent(
    run_count: int, expected: list[tuple[str, bool]]
) -> None:
    lines: list[str] = []
    worker = Worker(WorkerSettings(), log=lines.append)
    client = RecordingClient()
    run = SimpleNamespace(id=uuid4(), name="ILIF-2026-0001 · release_payment", run_count=run_count)
    asyncio.run(worker._crashed(client, run, "worker w-1 stopped renewing its lease"))  # type: ignore[arg-type]
    assert client.states == expected
    assert "stopped renewing its lease" in lines[-1]
    assert ("gave up" in lines[-1]) == (run_count >= MAX_ATTEMPTS)
