"""Which execution mode this installation runs in (``GRANTFLOW_EXECUTION``), without Prefect.

``grantflow serve`` reads it before it starts the installation's Prefect server and sets
``PREFECT_API_URL``; Prefect reads its settings once, when it is first imported, so nothing
``serve`` imports before then may import Prefect (or every client of the process would start
a temporary Prefect server of its own).
"""

from __future__ import annotations

import os
from typing import Literal

Execution = Literal["inline", "deployment"]


class ExecutionModeError(ValueError):
    pass


def execution_mode() -> Execution:
    """``GRANTFLOW_EXECUTION``: ``inline`` (default) or ``deployment``."""
    mode = os.environ.get("GRANTFLOW_EXECUTION", "inline").strip().lower() or "inline"
    if mode not in ("inline", "deployment"):
        raise ExecutionModeError(
            f"GRANTFLOW_EXECUTION must be 'inline' or 'deployment', not {mode!r}"
        )
    return mode  # type: ignore[return-value]
