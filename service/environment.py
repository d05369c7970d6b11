"""Point this process at the installation before Prefect is imported.

One Prefect history per installation: in the embedded default Prefect's home (and its SQLite
database) lives under the data directory, so the runs ``demo`` made are the runs ``serve`` and
auditors see later. A process that finds the installation's server running (``grantflow
serve`` records it in ``<data>/prefect/server.json``) uses it instead of starting its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

SERVER_RECORD = "server.json"


def data_dir() -> Path:
    return Path(os.environ.get("GRANTFLOW_DATA_DIR", "./var")).resolve()


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or data_dir() / "prefect")


def server_record_path() -> Path:
    return prefect_home() / SERVER_RECORD


def running_server_url() -> str | None:
    """The API URL of this installation's Prefect server, if one answers its health check."""
    record = server_record_path()
    if not record.exists():
        return None
    try:
        api_url = json.loads(record.read_text())["api_url"]
        response = httpx.get(f"{api_url}/health", timeout=2)
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        return None
    return api_url if response.status_code == 200 else None


def configure(quiet_console: bool = False) -> str | None:
    """Set Prefect's environment for this installation; returns the server URL in use, if any.

    Must run before ``prefect`` is imported anywhere in the process.
    """
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["GRANTFLOW_DATA_DIR"] = str(data_dir())
    os.environ.setdefault("PREFECT_HOME", str(home))
    # The installation talks to no one outside: no usage telemetry from the embedded server.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if quiet_console:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    url = running_server_url()
    if url:
        os.environ["PREFECT_API_URL"] = url
    return url
