"""Issue 9, item 9: a grant's history keeps the Prefect side of every event, however many flow
runs the grant has, and says so when Prefect cannot be asked instead of answering with less.

One grant of the module is taken from application to ``closed`` by real flow runs.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api_support import ApiWorld, make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@dataclass
class Closed:
    world: ApiWorld
    grant: dict[str, Any]

    def history(self) -> Any:
        auditor = self.world.headers(self.world.cast.auditor)
        return self.world.client.get(f"/api/v1/grants/{self.grant['id']}/history", headers=auditor)


@pytest.fixture(scope="module")
def closed(prefect_harness, tmp_path_factory) -> Iterator[Closed]:
    from workflows.runtime import database, reset_caches

    directory = tmp_path_factory.mktemp("history-flow-runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{directory / 'grantflow.db'}")
        patch.setenv("GRANTFLOW_DOCUMENT_DIR", str(directory / "documents"))
        reset_caches()
        world = make_api_world(database())
        grant = world.grant_at(0, stop_after="(every step)")
        yield Closed(world, grant)
        database().dispose()
    reset_caches()


def _task_runs_in_prefect(run_id: str) -> int:
    """Counted straight from Prefect, one run at a time (a run has far fewer than 200)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId

    async def count() -> int:
        async with get_client() as client:
            tasks = await client.read_task_runs(
                task_run_filter=TaskRunFilter(
                    flow_run_id=TaskRunFilterFlowRunId(any_=[uuid.UUID(run_id)])
                ),
                limit=200,
            )
        return len(tasks)

    return asyncio.run(count())


def _check_every_run(events: list[dict[str, Any]]) -> tuple[int, int, int]:
    with_id = [e for e in events if e["flow_run_id"]]
    joined = [e for e in with_id if e["flow_run"] and e["flow_run"]["id"] == e["flow_run_id"]]
    assert joined == with_id, [e["action"] for e in with_id if e not in joined]
    assert {e["flow_run_status"] for e in with_id} == {"found"}
    assert all(e["flow_run_status"] is None for e in events if not e["flow_run_id"])
    assert all(e["flow_run"]["task_runs"] for e in with_id), "each run comes with its tasks"
    runs = {e["flow_run_id"]: e["flow_run"] for e in with_id}
    return len(with_id), len(runs), sum(len(run["task_runs"]) for run in runs.values())


def test_every_event_of_a_closed_grant_carries_its_flow_run_and_task_runs(closed):
    response = closed.history()
    assert response.status_code == 200, response.text
    assert "X-Grantflow-Prefect" not in response.headers
    events = response.json()
    assert "closed" in {e["to_state"] for e in events}
    with_id, runs, tasks = _check_every_run(events)
    assert runs >= 20, "the whole lifecycle: one flow run per action"
    for event in events:
        run = event["flow_run"]
        if run:
            assert len(run["task_runs"]) == _task_runs_in_prefect(run["id"]), event["action"]
    print(
        f"history of a closed grant: {with_id} of {with_id} events with a flow_run_id carry "
        f"their flow run ({runs} flow runs, {tasks} task runs, {len(events)} events)"
    )


def test_small_pages_give_the_same_answer(closed, monkeypatch):
    """Paging through Prefect (offset, sorted by id) loses and repeats nothing."""
    from workflows import run_records

    whole = closed.history().json()
    monkeypatch.setattr(run_records, "PAGE", 7)
    monkeypatch.setattr(run_records, "IDS_PER_QUERY", 3)
    paged = closed.history().json()
    assert paged == whole
    _check_every_run(paged)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_prefect_is_said_in_the_answer(closed, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows import run_records

    url = f"http://127.0.0.1:{_closed_port()}/api"

    def unreachable():  # type: ignore[no-untyped-def]
        # The request runs on the test client's own thread and event loop: make the setting
        # current where the client is made.
        with temporary_settings({PREFECT_API_URL: url}):
            return get_client()

    monkeypatch.setattr(run_records, "get_client", unreachable)
    response = closed.history()

    assert response.status_code == 200, response.text
    assert response.headers["X-Grantflow-Prefect"] == "unavailable"
    events = response.json()
    with_id = [e for e in events if e["flow_run_id"]]
    assert with_id
    assert {(e["flow_run"], e["flow_run_status"]) for e in with_id} == {(None, "unavailable")}
    assert all(e["flow_run_status"] is None for e in events if not e["flow_run_id"])


def test_a_run_prefect_no_longer_knows_is_told_apart_from_an_unreachable_prefect(
    closed, monkeypatch
):
    from workflows import run_records

    real = run_records.flow_runs

    async def forgetful(run_ids: list[str]) -> dict[str, dict[str, Any]]:
        runs = await real(run_ids)
        runs.pop(next(iter(runs)))
        return runs

    monkeypatch.setattr(run_records, "flow_runs", forgetful)
    events = closed.history().json()
    statuses = [e["flow_run_status"] for e in events if e["flow_run_id"]]
    assert "unknown" in statuses and "found" in statuses and "unavailable" not in statuses
