"""The audit log's checkpoints, written by one scheduled flow.

``grantflow-checkpoint`` records the tree head of the whole log in grantflow's database
(``models.checkpoints.checkpoint``: a row of ``audit_checkpoint``; nothing when the log has not
grown since the last one). Its deployment, ``grantflow-checkpoint/grantflow``, is on a cron
schedule (``CHECKPOINT_CRON``, every hour by default, ``GRANTFLOW_CHECKPOINT_CRON`` to change
it); Prefect's scheduler makes its runs, and one taker wins each (Scheduled -> Pending is
granted once): the workers in ``deployment`` mode, ``grantflow serve``'s own taker in
``inline`` mode (``workflows.worker.keep_taking_sweeps``). Should two writers still meet (two
installations' servers, a person running ``grantflow audit checkpoint`` meanwhile), the
table's unique constraints keep one chain: the second writer's row is refused and it checkpoints
again from the first's. A run carries no parameters; a run carrying any is refused as forged.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from prefect import flow

from models.checkpoints import checkpoint
from workflows.runtime import database

CHECKPOINT_FLOW_NAME = "grantflow-checkpoint"
CHECKPOINT_ENTRYPOINT = f"{__name__}:checkpoint_flow"
DEFAULT_CHECKPOINT_CRON = "17 * * * *"  # every hour, at a quiet minute
CHECKPOINT_TIME_ZONE = "UTC"


def checkpoint_cron() -> str:
    """The checkpoint deployment's schedule (``GRANTFLOW_CHECKPOINT_CRON``, cron syntax)."""
    return os.environ.get("GRANTFLOW_CHECKPOINT_CRON", "").strip() or DEFAULT_CHECKPOINT_CRON


@flow(
    name=CHECKPOINT_FLOW_NAME,
    description="Record a checkpoint of the audit log (its Merkle tree head) in the database.",
    persist_result=False,
    validate_parameters=False,
)
async def checkpoint_flow() -> dict[str, int]:
    head = await asyncio.to_thread(checkpoint, database())
    return {"tree_size": head.size}


def screen_checkpoint_parameters(parameters: dict[str, Any]) -> str | None:
    """Why a checkpoint deployment's run is not grantflow's (None when it is): it carries
    nothing."""
    return None if not parameters else "a checkpoint run carries nothing"
