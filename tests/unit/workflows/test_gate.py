"""In-process flow runs take turns only when Prefect's own database is SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from prefect.settings import (
    PREFECT_API_DATABASE_CONNECTION_URL,
    PREFECT_API_URL,
    temporary_settings,
)

from workflows.gate import needs_run_gate

SQLITE = "sqlite+aiosqlite:////tmp/prefect-home/prefect.db"
POSTGRESQL = "postgresql+asyncpg://prefect@db.example.org:5432/prefect"


@contextmanager
def prefect(api_url: str | None, database: str | None) -> Iterator[None]:
    updates = {PREFECT_API_URL: api_url, PREFECT_API_DATABASE_CONNECTION_URL: database}
    restore = {key for key, value in updates.items() if value is None}
    with temporary_settings(
        updates={key: value for key, value in updates.items() if value is not None},
        restore_defaults=restore,
    ):
        yield


def test_the_in_process_server_on_its_default_sqlite_database_needs_the_gate() -> None:
    with prefect(None, None):
        assert PREFECT_API_DATABASE_CONNECTION_URL.value().startswith("sqlite")
        assert needs_run_gate()


def test_the_in_process_server_on_postgresql_needs_no_gate() -> None:
    with prefect(None, POSTGRESQL):
        assert not needs_run_gate()


@pytest.mark.parametrize(
    "api_url",
    ["http://127.0.0.1:4200/api", "http://localhost:4200/api", "http://[::1]:4200/api"],
)
def test_the_installations_own_server_follows_the_database_setting(api_url: str) -> None:
    with prefect(api_url, SQLITE):
        assert needs_run_gate()
    with prefect(api_url, POSTGRESQL):
        assert not needs_run_gate()


@pytest.mark.parametrize("api_url", ["https://prefect.example.org/api", "http://10.0.0.7:4200/api"])
def test_a_server_on_another_host_needs_no_gate_whatever_the_local_setting(api_url: str) -> None:
    with prefect(api_url, SQLITE):
        assert not needs_run_gate()


@pytest.mark.parametrize("api_url", ["http://127.0.0.1:4200/api", "http://localhost:4200/api"])
def test_the_installations_own_server_on_postgresql_by_grantflows_setting_needs_no_gate(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve starts its Prefect server with GRANTFLOW_PREFECT_DATABASE_URL, and its own
    process never sees Prefect's database setting: the gate follows grantflow's."""
    monkeypatch.setenv("GRANTFLOW_PREFECT_DATABASE_URL", "postgresql://prefect@127.0.0.1/prefect")
    with prefect(api_url, None):
        assert not needs_run_gate()
    with prefect(None, None):  # the in-process server does not use the installation's setting
        assert needs_run_gate()
