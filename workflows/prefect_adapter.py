"""Every call grantflow makes into Prefect beyond its public API, in one place.

``grantflow worker`` carries out a deployment's flow run in its own process, after screening
its parameters and claiming it under its lease (``workflows.worker``). Prefect's public ways of
running a deployment's flow run (a work pool's worker, ``Runner``, ``flow.serve``) start it in
a new process and give grantflow no moment between "taken" and "started" to refuse a forged
run, so the worker calls Prefect's flow engine directly: that call, and the few other
non-public ones, live here. ``tests/integration/workflows/test_prefect_adapter.py`` runs each
of them against a real Prefect API and fails on any Prefect deprecation warning, and
``tests/unit/test_prefect_imports.py`` keeps every other module to Prefect's public modules.

Which worker holds a run is a label on the flow run (``grantflow.worker``), a public field
for exactly this kind of metadata; Prefect's ``infrastructure_pid`` is left to Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun, State
from prefect.context import SyncClientContext, TagsContext
from prefect.events.worker import EventsWorker
from prefect.flow_engine import run_flow_async
from prefect.flows import Flow
from prefect.logging.handlers import APILogWorker

# The flow run label naming the ``grantflow worker`` that holds the run.
WORKER_LABEL = "grantflow.worker"


async def label_holder(client: PrefectClient, flow_run_id: UUID, worker_id: str) -> FlowRun:
    """Record ``worker_id`` as the holder of a run it took; the run as Prefect now has it."""
    await client.update_flow_run_labels(flow_run_id, {WORKER_LABEL: worker_id})
    return await client.read_flow_run(flow_run_id)


def holder_of(run: FlowRun) -> str | None:
    """The worker holding ``run``, or None while the worker that took it has not said so."""
    holder: Any = run.labels.get(WORKER_LABEL)
    return str(holder) if holder else None


async def run_taken_flow_run(family: Flow, run: FlowRun) -> State:
    """Carry out a deployment's flow run (already Pending, taken by this worker) in this
    process, and return its final state.

    Non-public: ``prefect.flow_engine.run_flow_async`` is the engine's own entry point.
    """
    state = await run_flow_async(
        family, flow_run=run, parameters=run.parameters, return_type="state"
    )
    return state  # type: ignore[return-value]


def flush_prefect_queues(timeout: float = 10) -> None:
    """Send the logs and events Prefect's background workers still hold, now.

    Otherwise Prefect drains them at interpreter exit, after the process may have stopped the
    Prefect server they go to. Non-public: Prefect's queue workers are internal classes.
    """
    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)


@contextmanager
def lean_task_runs() -> Iterator[None]:
    """The sync tasks a flow run starts in worker threads, made cheap: one Prefect sync client
    for all of them, and no tags.

    Measured with pyinstrument (2026-12-01, a quiet machine): a sync task started with
    ``asyncio.to_thread`` finds no sync client in its context and builds its own, a TLS context
    with the CA bundle each time (about 20 ms); and a task run inherits the tags around its
    flow run (``grant:…``, ``stage:…``, ``action:…``), for which Prefect asks its server for
    tag concurrency slots before every task (an HTTP call: about 50 ms, 2 s when Prefect's
    SQLite database is busy). grantflow sets no tag concurrency limits, and the flow run keeps
    its tags; its task runs are found by their flow run. Entered in the flow's own context,
    both are copied into each thread's context (``to_thread`` copies contextvars).
    Non-public: ``prefect.context``'s holders of the client and the tags.
    """
    with SyncClientContext.get_or_create(), TagsContext(current_tags=set()):
        yield
