"""Hold points for crash tests: a process told to stop at one waits there to be killed.

Inert unless ``GRANTFLOW_TEST_HOLD_AT`` is set, as ``<point>:<action>``:

- ``before-commit:<action>``: inside the action's transaction, after its rows are written
  and before they are committed (the database's locks are held);
- ``after-transition:<action>``: the transition is committed, its documents not yet made.

On reaching the point the process writes ``GRANTFLOW_TEST_HOLD_FILE`` and sleeps; the test
then kills it with SIGKILL, as a machine failure would.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

HOLD_AT = "GRANTFLOW_TEST_HOLD_AT"
HOLD_FILE = "GRANTFLOW_TEST_HOLD_FILE"


def _hold(point: str) -> None:
    marker = os.environ.get(HOLD_FILE)
    if marker:
        Path(marker).write_text(f"{point} pid={os.getpid()}\n")
    while True:  # until killed
        time.sleep(60)


def hold_if_asked(point: str, action: str) -> None:
    if os.environ.get(HOLD_AT) == f"{point}:{action}":
        _hold(f"{point}:{action}")


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
