"""Work ``grantflow serve`` does beside answering requests, on the service's event loop.

- Owed documents (inline execution mode): a committed step whose documents failed to render
  owes them (``workflows.owed_documents``); every ``GRANTFLOW_OWED_DOCUMENTS_SECONDS``
  (default 30) the service runs the owed-documents flow while anything is owed. It takes the
  same run gate as the actions, so it never runs beside one of them in this process. In
  deployment mode the workers do this instead.
- Denial counts (``models.denials``): repeats counted in memory are written out at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI

logger = logging.getLogger("grantflow.background")
DEFAULT_OWED_DOCUMENTS_SECONDS = 30.0


def owed_documents_interval() -> float:
    value = float(
        os.environ.get("GRANTFLOW_OWED_DOCUMENTS_SECONDS", DEFAULT_OWED_DOCUMENTS_SECONDS)
    )
    if value <= 0:
        raise ValueError("GRANTFLOW_OWED_DOCUMENTS_SECONDS must be a positive number of seconds")
    return value


async def keep_settling_owed_documents(interval: float) -> None:
    from workflows.actions import run_gate
    from workflows.delivery import deliver_due
    from workflows.owed_documents import owed_count, settle_owed_documents

    while True:
        try:
            if await asyncio.to_thread(owed_count):
                async with run_gate():
                    settled = await settle_owed_documents()
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
    from workflows.deployments import execution_mode
    from workflows.runtime import database

    task = None
    if execution_mode() == "inline":
        task = asyncio.create_task(keep_settling_owed_documents(owed_documents_interval()))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(flush_aggregates, database())
