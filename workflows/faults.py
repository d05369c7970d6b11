"""Fault points for tests: hold points for crash tests, and rendering failures.

Inert unless the environment asks. ``GRANTFLOW_TEST_FAIL_RENDER=<kind>`` (or ``*``) makes every
rendering of that document kind fail while it is set. ``GRANTFLOW_TEST_HOLD_AT`` is
``<point>:<action>``; a process told to stop at a hold point waits there to be killed:

- ``before-commit:<action>``: inside the action's transaction, after its rows are written
  and before they are committed (the database's locks are held);
- ``after-transition:<action>``: the transition is committed, its documents not yet made.

On reaching the point the process writes ``GRANTFLOW_TEST_HOLD_FILE`` and sleeps; the test
then kills it with SIGKILL, as a machine failure would.

``GRANTFLOW_TEST_HOLD_PREFECT_UNTIL=<path>`` keeps ``grantflow serve`` from calling its Prefect
server ready until ``<path>`` exists, so a test can act while Prefect is still starting.
``GRANTFLOW_TEST_HOLD_PREFECT_SERVER=1`` makes the Prefect server process grantflow starts
(``service.prefect_server_process``) wait, never answering, until it is stopped: a machine too
busy to start Prefect in time.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

HOLD_AT = "GRANTFLOW_TEST_HOLD_AT"
# Fault injection: rendering of this document kind (or of every kind, '*') fails while set.
FAIL_RENDER = "GRANTFLOW_TEST_FAIL_RENDER"
HOLD_FILE = "GRANTFLOW_TEST_HOLD_FILE"
HOLD_PREFECT_UNTIL = "GRANTFLOW_TEST_HOLD_PREFECT_UNTIL"
HOLD_PREFECT_SERVER = "GRANTFLOW_TEST_HOLD_PREFECT_SERVER"


def _hold(point: str) -> None:
    marker = os.environ.get(HOLD_FILE)
    if marker:
        Path(marker).write_text(f"{point} pid={os.getpid()}\n")
    while True:  # until killed
        time.sleep(60)


def hold_if_asked(point: str, action: str) -> None:
    if os.environ.get(HOLD_AT) == f"{point}:{action}":
        _hold(f"{point}:{action}")


async def hold_run_if_asked(point: str, action: str) -> None:
    """``hold_if_asked`` for a flow run on an event loop: the run waits to be killed, while
    the loop goes on (so an answer already given early still reaches its caller)."""
    if os.environ.get(HOLD_AT) == f"{point}:{action}":
        await asyncio.to_thread(_hold, f"{point}:{action}")


def hold_prefect_start_if_asked() -> None:
    """Wait until the file ``GRANTFLOW_TEST_HOLD_PREFECT_UNTIL`` names exists, if it is set."""
    release = os.environ.get(HOLD_PREFECT_UNTIL)
    while release and not Path(release).exists():
        time.sleep(0.1)


def hold_prefect_server_if_asked() -> None:
    """Wait until stopped, before the Prefect server starts, if asked
    (``GRANTFLOW_TEST_HOLD_PREFECT_SERVER``)."""
    if os.environ.get(HOLD_PREFECT_SERVER):
        _hold("prefect-server")


class InjectedRenderFailure(RuntimeError):
    pass


def fail_rendering_if_asked(kind: str) -> None:
    if os.environ.get(FAIL_RENDER) in (kind, "*"):
        raise InjectedRenderFailure(f"rendering {kind} failed ({FAIL_RENDER} is set)")


def install_hold_points() -> None:
    """Arm the ``before-commit`` point in this process, if the environment asks for it."""
    point, _, action = os.environ.get(HOLD_AT, "").partition(":")
    if point != "before-commit" or not action:
        return
    from models.tables import AuditEvent

    @event.listens_for(Session, "after_flush")
    def _before_commit(session: Session, _context: object) -> None:
        if any(isinstance(row, AuditEvent) and row.action == action for row in session.new):
            _hold(f"before-commit:{action}")
