"""Work ``grantflow serve`` does beside answering requests, on the service's event loop.

- Owed documents (inline execution mode): a committed step whose documents failed to render
  owes them (``workflows.owed_documents``); every ``GRANTFLOW_OWED_DOCUMENTS_SECONDS``
  (default 30) the service runs the owed-documents flow while anything is owed. It takes the
  same run gate as the actions, so it never runs beside one of them in this process; while the
  gate is a lock (Prefect on SQLite) it takes it one step at a time (``settle_in_turns``), so
  an action waits behind one step's documents at most. In deployment mode the workers do
  this instead.
- The daily sweep (inline execution mode): at start-up the service registers the sweep's
  deployment (``grantflow-sweep/grantflow``, on its cron schedule) on its Prefect server,
  whose scheduler makes the daily runs, and sweeps today at once if today's sweep is due and
  none has finished (the service was down at the hour). Then every
  ``GRANTFLOW_SWEEP_POLL_SECONDS`` (default 60) it takes the sweep's due scheduled runs and
  carries them out, as a worker does (``workflows.worker.keep_taking_sweeps``), under the run
  gate. In deployment mode the workers take them instead. The audit checkpoint's scheduled
  runs (``workflows.checkpoints``, hourly) are taken the same way, by the same taker.
- Runs answered early (``Prefer: respond-async``, ``workflows.actions``): at shutdown the
  service waits up to ``GRANTFLOW_ANSWERED_RUNS_STOP_SECONDS`` (default 30) for the runs still
  producing their steps' documents, then cancels the rest; what they owed stays owed (it was
  committed with the step) and the owed-documents flow produces it later.
- Denial counts (``models.denials``): repeats counted in memory are written out at shutdown.

The owed documents and the sweep first wait for the Prefect server (``workflows.readiness``):
under ``serve`` it may still be starting (``service.startup``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # serve's start reads the settings here before FastAPI is imported
    from fastapi import FastAPI

logger = logging.getLogger("grantflow.background")
DEFAULT_OWED_DOCUMENTS_SECONDS = 30.0
DEFAULT_SWEEP_POLL_SECONDS = 60.0
# At shutdown a sweep under way may finish for this long (then it is cancelled, and the
# next sweep finds what it left: sweeps are idempotent).
SWEEP_STOP_SECONDS = 60.0
DEFAULT_ANSWERED_RUNS_STOP_SECONDS = 30.0


def _seconds(name: str, default: float) -> float:
    value = float(os.environ.get(name, default))
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return value


def owed_documents_interval() -> float:
    return _seconds("GRANTFLOW_OWED_DOCUMENTS_SECONDS", DEFAULT_OWED_DOCUMENTS_SECONDS)


def sweep_poll_interval() -> float:
    return _seconds("GRANTFLOW_SWEEP_POLL_SECONDS", DEFAULT_SWEEP_POLL_SECONDS)


def answered_runs_stop_seconds() -> float:
    return _seconds("GRANTFLOW_ANSWERED_RUNS_STOP_SECONDS", DEFAULT_ANSWERED_RUNS_STOP_SECONDS)


async def finish_answered_runs() -> None:
    """Let the runs answered early finish their documents (bounded), leaving the rest owed."""
    from workflows.actions import answered_runs_running
    from workflows.actions import finish_answered_runs as finish

    running, seconds = answered_runs_running(), answered_runs_stop_seconds()
    if running:
        # Said at WARNING, so an operator stopping serve sees why it takes a moment.
        logger.warning(
            "stopping: waiting up to %.0f s for %s run(s) answered early", seconds, running
        )
    cancelled = await finish(seconds)
    if cancelled:
        logger.warning(
            "stopped %s run(s) answered early; their documents stay owed until produced",
            cancelled,
        )


async def keep_sweeping(interval: float, stop: asyncio.Event) -> None:
    """Catch up today's sweep if it is due and missing, then take the scheduled sweep runs
    until ``stop`` is set."""
    from workflows.actions import run_gate
    from workflows.readiness import PrefectNotReady, until_ready
    from workflows.sweep import catch_up
    from workflows.worker import keep_taking_sweeps

    try:
        await until_ready()  # the Prefect server may still be starting
    except PrefectNotReady:
        return  # serve is stopping: it says why
    try:
        caught_up = await catch_up()
        if caught_up is not None:
            logger.info("caught up today's sweep: sweep %s %s", caught_up.id, caught_up.counts)
    except Exception:  # noqa: BLE001 - the scheduled runs still come
        logger.exception("catching up today's sweep failed")
    try:
        await keep_taking_sweeps(interval, run_gate, logger.info, stop)
    except Exception:  # noqa: BLE001 - e.g. the lease could not be written; say so
        logger.exception("taking the sweep's scheduled runs stopped")


async def keep_settling_owed_documents(interval: float) -> None:
    from workflows.actions import run_gate
    from workflows.delivery import deliver_due
    from workflows.owed_documents import owed_count, settle_in_turns
    from workflows.readiness import PrefectNotReady, until_ready

    try:
        await until_ready()  # the Prefect server may still be starting
    except PrefectNotReady:
        return  # serve is stopping: it says why
    while True:
        try:
            if await asyncio.to_thread(owed_count):
                settled = await settle_in_turns(run_gate)
                logger.info("owed documents: %s", settled)
        except Exception:  # noqa: BLE001 - keep trying; the next round may succeed
            logger.exception("producing owed documents failed; trying again later")
        try:
            # Messages whose first attempt failed (the mail server was away) go out here.
            sent = await asyncio.to_thread(deliver_due)
            if sent.sent or sent.failed:
                logger.info("messages: %s", sent.as_dict())
        except Exception:  # noqa: BLE001 - keep trying
            logger.exception("sending messages failed; trying again later")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def serve_background(app: FastAPI) -> AsyncIterator[None]:
    """The service's lifespan under ``grantflow serve``."""
    from models.denials import flush_aggregates
    from workflows.execution import execution_mode
    from workflows.runtime import database

    tasks = []
    sweeping = None
    stop_sweeping = asyncio.Event()
    if execution_mode() == "inline":
        tasks.append(asyncio.create_task(keep_settling_owed_documents(owed_documents_interval())))
        sweeping = asyncio.create_task(keep_sweeping(sweep_poll_interval(), stop_sweeping))
    try:
        yield
    finally:
        await finish_answered_runs()
        stop_sweeping.set()
        if sweeping is not None:
            # A sweep under way finishes rather than being cut off mid-run.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(sweeping, SWEEP_STOP_SECONDS)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(flush_aggregates, database())
