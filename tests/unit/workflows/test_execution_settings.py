"""Execution settings are checked when a process starts, with a message naming the setting."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from service.cli import app
from workflows.execution import ExecutionModeError, execution_mode
from workflows.worker import WorkerSettings


@pytest.mark.parametrize(
    ("value", "mode"), [("", "inline"), ("inline", "inline"), (" Deployment ", "deployment")]
)
def test_the_execution_mode_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, mode: str
) -> None:
    monkeypatch.setenv("GRANTFLOW_EXECUTION", value)
    assert execution_mode() == mode


def test_an_unknown_execution_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANTFLOW_EXECUTION", "celery")
    with pytest.raises(ExecutionModeError, match="'celery'"):
        execution_mode()


def test_worker_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANTFLOW_WORKER_LEASE_SECONDS", "12")
    monkeypatch.setenv("GRANTFLOW_WORKER_HEARTBEAT_SECONDS", "3")
    settings = WorkerSettings.from_environment()
    assert (settings.lease_seconds, settings.heartbeat_seconds, settings.poll_seconds) == (
        12.0,
        3.0,
        1.0,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GRANTFLOW_WORKER_POLL_SECONDS", "0", "positive"),
        ("GRANTFLOW_WORKER_LEASE_SECONDS", "-5", "positive"),
        ("GRANTFLOW_WORKER_LEASE_SECONDS", "6", "two heartbeats"),
        ("GRANTFLOW_WORKER_HEARTBEAT_SECONDS", "soon", "could not convert"),
    ],
)
def test_unusable_worker_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        WorkerSettings.from_environment()


def test_a_worker_without_a_shared_prefect_server_exits_2_saying_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "shared Prefect server" in result.output


def test_serve_reads_its_mode_without_importing_prefect() -> None:
    """Prefect reads its settings when first imported: imported before ``serve`` has set
    PREFECT_API_URL, every Prefect client in ``serve`` would start a temporary server."""
    import subprocess
    import sys

    probe = (
        "import sys, service.cli, service.prefect_server, workflows.execution; "
        "workflows.execution.execution_mode(); print('prefect' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert found.stdout.strip() == "False"
