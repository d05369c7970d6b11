"""``grantflow worker``: take the deployment runs and carry them out, in this process.

A worker registers the family deployments, renews a lease in grantflow's database, and
loops: hand runs whose worker's lease has lapsed back to the queue, then take the next
scheduled run (Scheduled -> Pending is granted to one worker only, by Prefect's
orchestration), label it with its own id and run it. Safety does not depend on the lease: a
run carried out twice applies its transition once (the engine's idempotency key and row locks)
and stores each document once (keys derived from the transition). The lease only decides when
a stuck run is tried again. The calls into Prefect beyond its public API are in
``workflows.prefect_adapter``.

The daily sweep's deployment is one of the worker's: it takes the sweep's scheduled runs too,
screened by the sweep's own rule (``workflows.sweep.screen_sweep_parameters``). In inline
mode ``grantflow serve`` takes them itself with the same ``Worker`` (``keep_taking_sweeps``),
restricted to that deployment and under the service's run gate. The audit checkpoint's
deployment (``workflows.checkpoints``) is taken the same way, its runs screened to carry nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterNextScheduledStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.flows import Flow
from prefect.states import AwaitingRetry, Crashed, Failed, Pending

from models.clock import as_utc, utcnow
from models.requests import ForgedRequest, screen_parameters
from models.workers import WorkerLease, live_worker_ids
from workflows.actions import record_forged_run
from workflows.checkpoints import checkpoint_flow, screen_checkpoint_parameters
from workflows.delivery import deliver_due
from workflows.deployments import register_deployments, register_scheduled_deployments
from workflows.faults import install_hold_points
from workflows.owed_documents import settle_owed_documents
from workflows.prefect_adapter import holder_of, label_holder, run_taken_flow_run
from workflows.runtime import database
from workflows.sweep import screen_sweep_parameters, sweep_flow

# A run is tried at most this many times; then it stays Crashed for a person to look at.
MAX_ATTEMPTS = 5

Gate = Callable[[], AbstractAsyncContextManager[object]]


def screen_run(flow: Flow, parameters: dict[str, Any]) -> ForgedRequest | None:
    """Why a deployment run of ``flow`` is not one grantflow made (None when it is): a family
    run carries a request's id and token; a sweep run nothing, or a sweep's id and token."""
    if flow is sweep_flow or flow is checkpoint_flow:
        screen = screen_sweep_parameters if flow is sweep_flow else screen_checkpoint_parameters
        reason = screen(parameters)
        if reason is None:
            return None
        unexpected = ", ".join(sorted(parameters))[:200]
        return ForgedRequest(f"{reason}; it carries: {unexpected}")
    return screen_parameters(parameters)


@dataclass(frozen=True)
class WorkerSettings:
    poll_seconds: float = 1.0
    heartbeat_seconds: float = 5.0
    lease_seconds: float = 30.0
    owed_documents_seconds: float = 10.0

    @classmethod
    def from_environment(cls) -> WorkerSettings:
        def seconds(name: str, default: float) -> float:
            value = float(os.environ.get(name, default))
            if value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds")
            return value

        settings = cls(
            poll_seconds=seconds("GRANTFLOW_WORKER_POLL_SECONDS", cls.poll_seconds),
            heartbeat_seconds=seconds("GRANTFLOW_WORKER_HEARTBEAT_SECONDS", cls.heartbeat_seconds),
            lease_seconds=seconds("GRANTFLOW_WORKER_LEASE_SECONDS", cls.lease_seconds),
            owed_documents_seconds=seconds(
                "GRANTFLOW_OWED_DOCUMENTS_SECONDS", cls.owed_documents_seconds
            ),
        )
        if settings.lease_seconds < 2 * settings.heartbeat_seconds:
            raise ValueError("the worker lease must be at least two heartbeats long")
        return settings


def _new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(self, settings: WorkerSettings, log: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.id = _new_worker_id()
        self.log = log
        self.flows: dict[UUID, Flow] = {}
        self.runs_taken = 0

    # ----------------------------------------------------------------------------- lease

    def _open_lease(self) -> None:
        with database().transaction() as session:
            session.add(WorkerLease(id=self.id, host=socket.gethostname(), pid=os.getpid()))

    def _renew_lease(self) -> None:
        with database().transaction() as session:
            lease = session.get(WorkerLease, self.id)
            if lease is not None:
                lease.heartbeat_at = utcnow()
                session.add(lease)

    def _close_lease(self) -> None:
        with database().transaction() as session:
            lease = session.get(WorkerLease, self.id)
            if lease is not None:
                lease.stopped_at = utcnow()
                session.add(lease)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            try:
                await asyncio.to_thread(self._renew_lease)
            except Exception as error:  # noqa: BLE001 - a missed beat is retried next time
                self.log(f"worker {self.id}: lease renewal failed: {error}")

    def _live_workers(self) -> set[str]:
        with database().reading() as session:
            return live_worker_ids(session, timedelta(seconds=self.settings.lease_seconds))

    # ------------------------------------------------------------------------------ runs

    def _filter(self, *states: StateType, **extra: Any) -> FlowRunFilter:
        return FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=list(self.flows)),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(states))),
            **extra,
        )

    async def recover_orphans(self, client: PrefectClient) -> list[UUID]:
        """Send back to the queue the runs whose worker stopped renewing its lease."""
        runs = await client.read_flow_runs(
            flow_run_filter=self._filter(StateType.PENDING, StateType.RUNNING), limit=200
        )
        if not runs:
            return []
        live = await asyncio.to_thread(self._live_workers)
        lease = timedelta(seconds=self.settings.lease_seconds)
        recovered = []
        for run in runs:
            owner = holder_of(run)
            if owner in live:
                continue
            since = run.state.timestamp if run.state else None
            if owner is None and since is not None and utcnow() - as_utc(since) < lease:
                continue  # just taken; its worker is recording itself
            await self._crashed(
                client, run, f"worker {owner or 'unknown'} stopped renewing its lease"
            )
            recovered.append(run.id)
        return recovered

    async def _crashed(self, client: PrefectClient, run: FlowRun, message: str) -> None:
        """Record the crash; queue the run again unless it has had its attempts."""
        await client.set_flow_run_state(run.id, Crashed(message=message), force=True)
        if run.run_count >= MAX_ATTEMPTS:
            self.log(f"worker {self.id}: {run.name}: {message}; gave up after {run.run_count}")
            return
        await client.set_flow_run_state(run.id, AwaitingRetry(), force=True)
        self.log(f"worker {self.id}: {run.name}: {message}; queued to run again")

    async def _next_scheduled(self, client: PrefectClient) -> list[FlowRun]:
        return await client.read_flow_runs(
            flow_run_filter=self._filter(
                StateType.SCHEDULED,
                next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(before_=utcnow()),
            ),
            sort=FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
            limit=10,
        )

    async def take_next(self, client: PrefectClient, gate: Gate | None = None) -> FlowRun | None:
        """Claim one scheduled run (one taker wins it) and carry it out, under ``gate`` when
        given (``grantflow serve`` runs flows one at a time per process)."""
        for candidate in await self._next_scheduled(client):
            answer = await client.set_flow_run_state(candidate.id, Pending())
            if answer.status.value != "ACCEPT":
                continue  # another worker took it
            run = await label_holder(client, candidate.id, self.id)
            self.runs_taken += 1
            if await self._refused_as_forged(client, run):
                return run
            family = self.flows[run.deployment_id]  # type: ignore[index]
            try:
                async with (gate or contextlib.nullcontext)():
                    state = await run_taken_flow_run(family, run)
            except Exception as error:  # noqa: BLE001 - the engine itself failed, not the flow
                # Left Running under a live lease, the run would never be retried.
                latest = await client.read_flow_run(run.id)
                reason = f"the run failed to start or finish: {type(error).__name__}: {error}"
                await self._crashed(client, latest, reason)
                return run
            self.log(f"worker {self.id}: {run.name}: {state.name}")
            return run
        return None

    async def _refused_as_forged(self, client: PrefectClient, run: FlowRun) -> bool:
        """A run carrying parameters grantflow never sets (``screen_run``) was not made by
        grantflow: it is refused with one denied audit event, and never started."""
        error = screen_run(self.flows[run.deployment_id], run.parameters)  # type: ignore[index]
        if error is None:
            return False
        await asyncio.to_thread(record_forged_run, str(run.id), error)
        await client.set_flow_run_state(
            run.id, Failed(message=f"refused: not a grantflow request ({error.code})"), force=True
        )
        self.log(f"worker {self.id}: {run.name}: refused ({error.code})")
        return True

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> int:
        """Work until ``stop`` is set (or, with ``until_idle``, until no run is waiting).

        Returns how many runs this worker took.
        """
        install_hold_points()
        async with self.leased(), get_client() as client:
            self.flows = await register_deployments(client)
            self.log(f"worker {self.id}: ready")
            owed_checked = orphans_checked = 0.0
            while not stop.is_set():
                took = False
                try:
                    # A lease lapses only after lease_seconds (two heartbeats at least), so
                    # looking once a heartbeat finds an orphan as soon as it can be one; every
                    # look is a query of Prefect's server, which every worker's poll loads.
                    if time.monotonic() - orphans_checked >= self.settings.heartbeat_seconds:
                        orphans_checked = time.monotonic()
                        await self.recover_orphans(client)
                    took = await self.take_next(client) is not None
                    # Owed documents and due mail every owed_documents_seconds, between runs
                    # too: a queue that never empties must not hold them back; and once more
                    # when idle in until_idle mode, so the last run's are settled before return.
                    due = time.monotonic() - owed_checked >= self.settings.owed_documents_seconds
                    if due or (until_idle and not took):
                        owed_checked = time.monotonic()
                        await settle_owed_documents()
                        await asyncio.to_thread(deliver_due)
                except Exception as error:  # noqa: BLE001 - e.g. the Prefect API is away
                    self.log(f"worker {self.id}: {type(error).__name__}: {error}; retrying")
                if took:
                    continue
                if until_idle:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.poll_seconds)
        return self.runs_taken

    @contextlib.asynccontextmanager
    async def leased(self) -> AsyncIterator[None]:
        """Hold this taker's lease (renewed every heartbeat) for the block."""
        await asyncio.to_thread(self._open_lease)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            yield
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await asyncio.to_thread(self._close_lease)


async def keep_taking_sweeps(
    interval: float, gate: Gate, log: Callable[[str], None], stop: asyncio.Event
) -> None:
    """``grantflow serve`` in inline mode: register the sweep's and the audit checkpoint's
    deployments, then every ``interval`` seconds take their due scheduled runs (as a worker
    does, under the service's run gate), until ``stop`` is set; a run under way then finishes
    first. A failed round is logged and tried again."""
    taker = Worker(WorkerSettings(poll_seconds=interval), log=log)
    async with taker.leased():
        while not stop.is_set():
            try:
                async with get_client() as client:
                    if not taker.flows:
                        taker.flows = dict(await register_scheduled_deployments(client))
                    await taker.recover_orphans(client)
                    while not stop.is_set() and await taker.take_next(client, gate) is not None:
                        pass
            except Exception as error:  # noqa: BLE001 - e.g. the Prefect API is away
                log(f"sweep runs: {type(error).__name__}: {error}; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
