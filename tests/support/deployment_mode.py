"""Deployment execution mode in tests: a seeded installation that worker processes share.

The fixtures ``deployment_world`` (SQLite) and ``deployment_worlds`` (SQLite and PostgreSQL)
are in tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import pytest

from models.db import Database
from models.fictional.seeding import seed
from tests.support.models_support import World
from workflows.runtime import reset_caches

REPO = Path(__file__).resolve().parents[2]
FAST_LEASE = {
    "GRANTFLOW_WORKER_POLL_SECONDS": "0.3",
    "GRANTFLOW_WORKER_HEARTBEAT_SECONDS": "0.5",
    "GRANTFLOW_WORKER_LEASE_SECONDS": "2",
}


@contextmanager
def installation_on(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A seeded installation whose settings every worker process inherits."""
    from prefect.settings import PREFECT_API_URL

    built = World(database, seed(database))
    for name, value in {
        "GRANTFLOW_DATABASE_URL": database.url,
        "GRANTFLOW_DATA_DIR": str(tmp_path / "var"),
        "GRANTFLOW_DOCUMENT_DIR": str(tmp_path / "documents"),
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        **FAST_LEASE,
    }.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    try:
        yield built
    finally:
        database.dispose()
        reset_caches()


def start_worker(tmp_path: Path, **extra_env: str) -> subprocess.Popen:
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        cwd=REPO,
        env={**os.environ, **extra_env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes all of it
    )


def wait_for(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


async def run_states(flow_run_id: UUID) -> list[str]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return [state.name for state in await client.read_flow_run_states(flow_run_id)]
