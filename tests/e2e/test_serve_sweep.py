"""``grantflow serve`` in the embedded default (inline mode) runs the daily sweep's runs.

One real serve (its own Prefect server, whose scheduler makes the daily runs): it registers
``grantflow-sweep/grantflow`` with its schedule, and a scheduled run of it due now, made
through the Prefect client, is taken by serve itself within its poll interval and completed,
leaving a finished ``SweepRun``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun
from sqlmodel import select

from models.db import Database
from models.tables import SweepRun
from tests.support.serving import Serving, installation_config
from workflows.deployments import DEPLOYMENT
from workflows.sweep import SWEEP_FLOW_NAME

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def client_of(serving: Serving) -> PrefectClient:
    auth = installation_config(serving.data_dir)["prefect_auth"]
    return PrefectClient(serving.prefect_api, auth_string=auth)


async def schedule_a_sweep_run(serving: Serving) -> tuple[list[tuple[str, str, bool]], UUID]:
    """The sweep deployment's schedules as serve registered them (waiting for serve to
    register it), and a new scheduled run of it, due now."""
    async with client_of(serving) as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                deployment = await client.read_deployment_by_name(f"{SWEEP_FLOW_NAME}/{DEPLOYMENT}")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        schedules = [
            (s.schedule.cron, s.schedule.timezone, s.active)  # type: ignore[union-attr]
            for s in await client.read_deployment_schedules(deployment.id)
        ]
        run = await client.create_flow_run_from_deployment(deployment.id)
        return schedules, run.id


async def finished(serving: Serving, run_id: UUID, seconds: float) -> FlowRun:
    async with client_of(serving) as client:
        deadline = time.monotonic() + seconds
        while True:
            run = await client.read_flow_run(run_id)
            if (run.state and run.state.is_final()) or time.monotonic() > deadline:
                return run
            await asyncio.sleep(0.5)


def test_serve_inline_takes_a_scheduled_sweep_run_and_completes_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    serving = Serving(
        data_dir, tmp_path / "serve.log", env={"GRANTFLOW_SWEEP_POLL_SECONDS": "1"}
    ).start()
    try:
        serving.wait_healthy()
        schedules, run_id = asyncio.run(schedule_a_sweep_run(serving))
        assert schedules == [("0 6 * * *", "America/Toronto", True)]
        run = asyncio.run(finished(serving, run_id, 240))
        assert run.state_name == "Completed", serving.log()
        assert run.labels.get("grantflow.worker")  # taken and labelled by serve's taker
    finally:
        returncode = serving.stop()
    assert returncode == 0, serving.log()
    log = serving.log_path.read_text()
    assert "Traceback" not in log, log[-4000:]
    # serve's Prefect clients use the server it started, never a temporary one of their own
    assert "Starting temporary server" not in log, log[-4000:]

    database = Database(f"sqlite:///{data_dir / 'grantflow.db'}")
    try:
        with database.reading() as session:
            swept = session.exec(select(SweepRun).where(SweepRun.flow_run_id == str(run_id))).one()
    finally:
        database.dispose()
    assert swept.finished_at is not None and "lapsed" in swept.counts
