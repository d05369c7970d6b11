"""`deployment` execution: ``grantflow worker`` takes the daily sweep's runs.

The sweep's deployment (``grantflow-sweep/grantflow``) is registered beside the families'; a
scheduled run of it (no parameters: it sweeps the fund's today) is taken and completed. A run
carrying anything else is refused before it starts (one denied audit event, left Failed), and
a run naming a recorded sweep with the wrong token is refused by the flow itself, changing
nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from sqlmodel import func, select

from models.clock import as_utc
from models.tables import AuditEvent, Grant, OwedDocument, SweepRun
from tests.support.models_support import World, advance, new_grant
from workflows.deployments import DEPLOYMENT
from workflows.sweep import SWEEP_FLOW_NAME, open_sweep
from workflows.worker import Worker, WorkerSettings

FAST = WorkerSettings(poll_seconds=0.2, heartbeat_seconds=0.5, lease_seconds=2)


async def queue_sweep_runs(*parameters: dict[str, Any]) -> list[UUID]:
    """Scheduled runs of the sweep's deployment, due now, one per parameter set."""
    async with get_client() as client:
        deployment = await client.read_deployment_by_name(f"{SWEEP_FLOW_NAME}/{DEPLOYMENT}")
        return [
            (await client.create_flow_run_from_deployment(deployment.id, parameters=p)).id
            for p in parameters
        ]


async def final_states(run_ids: list[UUID]) -> list[str | None]:
    async with get_client() as client:
        return [(await client.read_flow_run(run_id)).state_name for run_id in run_ids]


def work_until_idle() -> int:
    lines: list[str] = []
    return asyncio.run(Worker(FAST, log=lines.append).run(asyncio.Event(), until_idle=True))


def register() -> None:
    async def registered() -> None:
        async with get_client() as client:
            from workflows.deployments import register_deployments

            await register_deployments(client)

    asyncio.run(registered())


def test_the_worker_takes_a_scheduled_sweep_run_and_completes_it(deployment_world: World):
    world = deployment_world
    register()
    [run_id] = asyncio.run(queue_sweep_runs({}))

    assert work_until_idle() == 1

    assert asyncio.run(final_states([run_id])) == ["Completed"]
    with world.db.reading() as session:
        swept = session.exec(select(SweepRun).where(SweepRun.flow_run_id == str(run_id))).one()
    assert swept.finished_at is not None
    assert {"lapsed", "reminded", "overdue", "messages_sent"} <= set(swept.counts)


def test_a_forged_or_mistokened_sweep_run_is_refused_and_changes_nothing(
    deployment_world: World,
):
    world = deployment_world
    grant_id = new_grant(world)
    advance(world, grant_id, "sign")  # an offer a sweep of 2099 would lapse
    recorded = open_sweep(date(2099, 1, 1))
    register()

    def grant_states() -> dict[int, str]:
        with world.db.reading() as session:
            return {g.id: g.state for g in session.exec(select(Grant))}  # type: ignore[misc]

    def event_count() -> int:
        """Audit events other than the documents and messages the earlier steps owe (the
        worker produces and sends them between its runs)."""
        with world.db.reading() as session:
            return session.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.not_in(("document_stored", "message_sent")))  # type: ignore[attr-defined]
            ).one()

    before, events_before = grant_states(), event_count()
    assert before[grant_id] == "approved"
    forged, mistokened = asyncio.run(
        queue_sweep_runs(
            {"as_of": "2099-01-01"},
            {"sweep_id": recorded.id, "token": "not-the-token"},
        )
    )

    assert work_until_idle() == 2

    assert asyncio.run(final_states([forged, mistokened])) == ["Failed", "Failed"]
    with world.db.reading() as session:
        denials = list(
            session.exec(select(AuditEvent).where(AuditEvent.flow_run_id == str(forged)))
        )
        sweep = session.get(SweepRun, recorded.id)
    assert [(d.outcome, d.rule) for d in denials] == [("denied", "forged-flow-run")]
    assert "as_of" in denials[0].payload_summary["reason"]
    assert event_count() == events_before + 1  # the one denial, nothing else
    assert grant_states() == before
    assert sweep is not None and sweep.finished_at is None and sweep.counts == {}


def test_owed_documents_are_produced_between_queued_runs_not_only_once_idle(
    deployment_world: World,
):
    """A worker that keeps finding queued runs still produces owed documents (and sends due
    mail) every ``owed_documents_seconds``: here 0, so after its first run, before its last."""
    world = deployment_world
    grant_id = new_grant(world)
    advance(world, grant_id, "screen_in")  # submitted through the engine: its documents owed

    def owed() -> list[OwedDocument]:
        with world.db.reading() as session:
            return list(session.exec(select(OwedDocument)))

    assert owed() and all(row.stored_at is None for row in owed())
    register()
    run_ids = asyncio.run(queue_sweep_runs({}, {}))
    settings = dataclasses.replace(FAST, owed_documents_seconds=0.0)

    worker = Worker(settings, log=lambda _line: None)
    assert asyncio.run(worker.run(asyncio.Event(), until_idle=True)) == 2

    async def end_times() -> list:
        async with get_client() as client:
            return [(await client.read_flow_run(run_id)).end_time for run_id in run_ids]

    last_run_ended = max(asyncio.run(end_times()))
    stored = [row.stored_at for row in owed()]
    assert stored and all(at is not None for at in stored)
    assert max(map(as_utc, stored)) < as_utc(last_run_ended), (stored, last_run_ended)


def test_an_idle_worker_looks_for_orphans_once_a_heartbeat_and_for_runs_every_poll(
    deployment_world: World,
):
    """Each look is a query of Prefect's server, which every worker's poll loads: an idle
    worker asks for scheduled runs every ``poll_seconds`` but for runs orphaned by a lapsed
    lease only once a heartbeat (a lease lapses after two heartbeats at the earliest)."""
    settings = WorkerSettings(poll_seconds=0.05, heartbeat_seconds=0.5, lease_seconds=1)
    looks = {"orphans": 0, "scheduled": 0}

    class CountingWorker(Worker):
        async def recover_orphans(self, client):  # type: ignore[no-untyped-def]
            looks["orphans"] += 1
            return await super().recover_orphans(client)

        async def _next_scheduled(self, client):  # type: ignore[no-untyped-def]
            looks["scheduled"] += 1
            return await super()._next_scheduled(client)

    async def idle_for(seconds: float) -> float:
        stop = asyncio.Event()
        worker = CountingWorker(settings, log=lambda _line: None)
        running = asyncio.create_task(worker.run(stop))
        while looks["scheduled"] == 0:  # registered and polling
            await asyncio.sleep(0.02)
        started = asyncio.get_running_loop().time()
        await asyncio.sleep(seconds)
        stop.set()
        assert await running == 0
        return asyncio.get_running_loop().time() - started

    polled_for = asyncio.run(idle_for(2.0))
    heartbeats = polled_for / settings.heartbeat_seconds
    assert 2 <= looks["orphans"] <= heartbeats + 2, (looks, polled_for)
    assert looks["scheduled"] >= 2 * looks["orphans"], looks
