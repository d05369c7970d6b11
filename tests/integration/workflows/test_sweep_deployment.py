"""The daily sweep as a Prefect deployment on a schedule, and ``grantflow sweep`` now.

- Prefect lists ``grantflow-sweep/grantflow`` with one active schedule, cron ``0 6 * * *`` in
  America/Toronto, however often it is registered;
- ``grantflow sweep --as-of`` is one flow run of ``grantflow-sweep``, named for its day, with a
  task run for each kind of deadline due that day (none on an installation with no grant), and
  a finished ``SweepRun`` counting every kind; a date that is not one is refused clearly;
- ``serve``'s start-up catch-up sweeps today only when today's sweep is due and none finished.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from prefect.client.orchestration import get_client
from sqlmodel import select
from typer.testing import CliRunner

from models import fictional
from models.tables import SweepRun
from service.cli import app
from tests.support.prefect_probes import flow_run_and_tasks
from workflows.deployments import DEPLOYMENT, register_deployments, register_sweep_deployment
from workflows.sweep import SWEEP_FLOW_NAME, catch_up, sweep_flow, swept_today

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def sweep_deployment_schedules() -> tuple[list[tuple[str, str, bool]], str | None]:
    async with get_client() as client:
        families = await register_deployments(client)
        again, flow = await register_sweep_deployment(client)
        assert families[again] is flow is sweep_flow
        deployment = await client.read_deployment_by_name(f"{SWEEP_FLOW_NAME}/{DEPLOYMENT}")
        assert deployment.id == again
        schedules = await client.read_deployment_schedules(deployment.id)
        return [
            (s.schedule.cron, s.schedule.timezone, s.active)  # type: ignore[union-attr]
            for s in schedules
        ], deployment.entrypoint


def test_prefect_lists_the_sweep_deployment_daily_at_six_in_toronto_once() -> None:
    schedules, entrypoint = asyncio.run(sweep_deployment_schedules())
    assert schedules == [("0 6 * * *", "America/Toronto", True)]
    assert entrypoint == "workflows.sweep:sweep_flow"


def test_grantflow_sweep_as_of_is_one_flow_run_with_a_task_per_deadline(installation) -> None:
    from prefect.settings import PREFECT_API_URL

    db = installation
    fictional.seed(db)
    swept = subprocess.run(
        [sys.executable, "-m", "service.cli", "sweep", "--as-of", "2027-01-15"],
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert "lapsed" in swept.stdout and "messages_sent" in swept.stdout

    with db.reading() as session:
        [run] = session.exec(select(SweepRun).where(SweepRun.as_of == date(2027, 1, 15))).all()
    assert run.finished_at is not None and run.flow_run_id in swept.stdout
    assert {"lapsed", "closed_incomplete", "reminded", "overdue"} <= set(run.counts)

    # An installation with no grant has nothing due: every kind is counted, none has a task
    # run (tests/integration/workflows/test_sweep_calendar.py runs the kinds that are due).
    assert not any(run.counts.values()), run.counts
    ids, states, flows, tasks = asyncio.run(flow_run_and_tasks("sweep · 2027-01-15"))
    assert [str(i) for i in ids] == [run.flow_run_id] and states == ["Completed"]
    assert flows == {SWEEP_FLOW_NAME}
    assert tasks == set()


def test_a_sweep_date_that_is_not_one_is_refused_clearly() -> None:
    result = CliRunner().invoke(app, ["sweep", "--as-of", "2027-13-45"])
    assert result.exit_code == 2
    assert "--as-of must be a calendar date written YYYY-MM-DD" in result.output
    assert "'2027-13-45'" in result.output


def test_the_start_up_catch_up_sweeps_today_only_when_it_is_due_and_missing(installation):
    db = installation
    fictional.seed(db)
    before_six = datetime(2031, 3, 3, 10, 59, tzinfo=UTC)  # 05:59 in Toronto (EST)
    after_six = datetime(2031, 3, 3, 11, 1, tzinfo=UTC)
    assert swept_today(before_six)  # not due yet
    assert not swept_today(after_six)
    assert asyncio.run(catch_up(before_six)) is None
    caught_up = asyncio.run(catch_up(after_six))
    assert caught_up is not None and caught_up.as_of == date(2031, 3, 3)
    assert caught_up.finished_at is not None and caught_up.flow_run_id
    assert swept_today(after_six)
    assert asyncio.run(catch_up(after_six)) is None  # swept already: not again
    with db.reading() as session:
        assert len(session.exec(select(SweepRun)).all()) == 1
