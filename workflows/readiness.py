"""Whether this process's Prefect server is ready for flow runs (no Prefect import here).

``grantflow serve`` answers ``/healthz`` while the installation's Prefect server is still
starting (``service.startup``); it says so here (``starting``), then ``ready`` or ``failed``.
Everything that needs Prefect in the process waits here first (``until_ready``): an action
that arrives early is carried out whole once Prefect answers, never run against a server
that is not there. Every other process (the command line, workers, tests) never marks it
starting, so for them it is ready at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Literal

Readiness = Literal["ready", "starting", "failed"]
POLL_SECONDS = 0.05

_lock = threading.Lock()
_settled = threading.Event()
_settled.set()
_state: Readiness = "ready"


class PrefectNotReady(RuntimeError):
    """The installation's Prefect server failed to start (or did not in time)."""


def mark_starting() -> None:
    global _state
    with _lock:
        _state = "starting"
        _settled.clear()


def mark_ready() -> None:
    _settle("ready")


def mark_failed() -> None:
    _settle("failed")


def _settle(state: Readiness) -> None:
    global _state
    with _lock:
        _state = state
        _settled.set()


def readiness() -> Readiness:
    return _state


async def until_ready(timeout: float | None = None) -> None:
    """Return once Prefect is ready; PrefectNotReady if it failed or ``timeout`` passed."""
    if not _settled.is_set():
        deadline = None if timeout is None else time.monotonic() + timeout
        while not _settled.is_set():
            if deadline is not None and time.monotonic() > deadline:
                raise PrefectNotReady("the Prefect server is still starting")
            await asyncio.sleep(POLL_SECONDS)
    if _state != "ready":
        raise PrefectNotReady("the Prefect server did not start")
