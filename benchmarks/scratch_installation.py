"""A throwaway installation for a benchmark: its own data directory and embedded Prefect."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def use_scratch_installation() -> Path:
    """Point this process at a new, empty installation; call before importing Prefect."""
    scratch = Path(tempfile.mkdtemp(prefix="grantflow-bench-"))
    os.environ["GRANTFLOW_DATA_DIR"] = str(scratch / "var")
    os.environ["PREFECT_HOME"] = str(scratch / "prefect")
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "WARNING"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.pop("PREFECT_API_URL", None)
    # A fresh Prefect database takes 15-20 s to migrate on a busy 2-core machine; Prefect's
    # default wait for its embedded server is 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    return scratch
