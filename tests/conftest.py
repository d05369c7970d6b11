"""Session set-up shared by every tier.

The environment is fixed before anything imports Prefect: tests never touch the developer's
``~/.prefect`` or ``./var``. Prefect itself starts once per session (``prefect_test_harness``),
and only for the tests that ask for it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SESSION_DIR = Path(tempfile.mkdtemp(prefix="grantflow-tests-"))
os.environ["GRANTFLOW_DATA_DIR"] = str(SESSION_DIR / "var")
os.environ["PREFECT_HOME"] = str(SESSION_DIR / "prefect-home")
os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "WARNING"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("GRANTFLOW_DATABASE_URL", None)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh grantflow installation (SQLite file, document store) for one test."""
    from workflows.runtime import database, reset_caches

    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'grantflow.db'}")
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("GRANTFLOW_AUDIT_DIR", str(tmp_path / "audit"))
    reset_caches()
    yield database()
    database().dispose()
    reset_caches()
