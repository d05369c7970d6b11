"""Links from a step on a page to its flow run in the Prefect UI.

The UI is where ``PREFECT_UI_URL`` says, or beside the API (``PREFECT_API_URL`` without its
``/api``): the Prefect server ``grantflow serve`` runs serves both. Prefect asks for the
installation's credential there too; the link only saves the auditor finding the run.
"""

from __future__ import annotations

import os
import re

_RUN_ID = re.compile(r"^[0-9a-f-]{36}$")


def prefect_ui_base() -> str | None:
    configured = os.environ.get("PREFECT_UI_URL")
    if configured:
        return configured.rstrip("/")
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    return api.removesuffix("/api") if api.endswith("/api") else None


def flow_run_url(run_id: str | None) -> str | None:
    base = prefect_ui_base()
    if not base or not run_id or not _RUN_ID.match(run_id):
        return None
    return f"{base}/runs/flow-run/{run_id}"
