"""Past one machine, on loopback: Prefect's server on PostgreSQL, grantflow on PostgreSQL with
its documents in the database, the API (``grantflow serve`` in deployment mode) and two
``grantflow worker`` processes with separate, empty data directories; grants driven at once
over HTTP through their whole lifecycle (submission, screening, the panel's review,
recommendation, approval, signature, countersignature, insurance, every report submitted and
accepted, every instalment initiated and released, close-out begun, the holdback paid, the
grant closed); one worker killed with SIGKILL mid-run. The grants' projects lie in the past
(``tests/support/past_lifecycle.py`` says why), so all of it happens at the real clock.

The daily sweep is not left to its hour (06:00 in Toronto, which a run of this test rarely
crosses): once the first grant's agreement is in force and its reports all overdue, that
grant waits while a run of the sweep's deployment is queued as the schedule would queue it,
and a worker takes it. The sweep records each open report overdue and holds the unpaid
instalments; accepting the reports resumes them. The sweep's actions are steps too, each
applied once per report.

Every grant closes, every step is applied exactly once, the documents are stored once each
and whole in the database (but those close withdrew by the data agreement, whose files are
gone and whose ids the close event names), every executed agreement is signed by the one Fund
key all processes are configured with, every process used the one request fingerprint key it
was given, the audit trail verifies, and the checkpoints the scheduled flow wrote (every
minute here) form one chain.

``GRANTFLOW_SCALE_GRANTS`` sets how many grants: by default the issue's 30 (750 steps, 21 or 29
each), which CI runs. Measured on 2-core machines: 30 grants drove in 820 s beside other
sessions' test runs (load 3-7; 0.91 steps/s, the test 853 s), in 598 s at load 2-4 (2026-12-02),
and in 360 s on a quiet machine (2026-12-04: 2.08 steps/s, the sweep recording 24 reports
overdue and 78 payments due, 1,098 documents of which 44 withdrawn at close, 6 checkpoints; the
test 375 s). ``GRANTFLOW_SCALE_GRANTS=6`` (150 steps) took 106 s in that day's whole quiet suite
run and is the size to use while working on this file. A 30-grant run is what found that
``serve``'s first submitted run re-registered the checkpoint deployment with its own schedule
(the hourly default) over the workers' every-minute one: no checkpoint was written.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from sqlalchemy import create_engine
from sqlmodel import select

from documents.audit.verification import verify
from documents.signing import verify_pdf
from documents.signing.fund_key import load_pkcs12
from documents.storage import DatabaseDocumentStore
from models.audit_checkpoints import AuditCheckpoint
from models.request_key import KEY_FILE
from models.tables import Grant, Instalment, OutcomeReport, StoredDocument
from tests.support.past_lifecycle import AGREEMENT_READY, SWEEP_ACTIONS
from tests.support.scale_out import (
    FUND_PASSPHRASE,
    NOT_STEPS,
    applied_requests,
    applied_steps,
    drive_all,
    loopback_installation,
    new_grants,
    sweep_steps,
    sweep_when_paused,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]
GRANTS = int(os.environ.get("GRANTFLOW_SCALE_GRANTS", "30"))
# Steps per grant: 21 for a one-year project, 29 for a two-year one (the kill's timing only).
STEPS_PER_GRANT = 25
# The checkpoint flow is scheduled every minute; on a loaded machine its first run may come
# after the drive ends, so the test waits for one (a minute's schedule plus a worker's poll).
CHECKPOINT_WAIT = 240


def checkpoints_written(db, within: float) -> list[AuditCheckpoint]:  # type: ignore[no-untyped-def]
    """The checkpoints in the database, in order, once there is at least one (or ``within``
    seconds have passed)."""
    deadline = time.monotonic() + within
    while True:
        with db.reading() as session:
            rows = list(session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)))
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(2)


def test_grants_driven_over_http_survive_a_killed_worker_with_every_step_once(tmp_path):
    with loopback_installation(tmp_path) as installation:
        started = time.monotonic()
        installation.start_api()
        api_ready = time.monotonic() - started
        every_minute = {"GRANTFLOW_CHECKPOINT_CRON": "* * * * *"}
        doomed = installation.start_worker(1, **every_minute)
        installation.start_worker(2, **every_minute)
        grants = new_grants(installation, GRANTS)
        total_steps_hint = GRANTS * STEPS_PER_GRANT
        held = grants[0]
        held.pause_after = AGREEMENT_READY
        sweeps: list = []
        sweeper = threading.Thread(
            target=lambda: sweeps.extend(sweep_when_paused(installation, held))
        )
        sweeper.start()

        killed_after: list[int] = []

        def kill_mid_run() -> None:
            # Once about a third of the steps are applied, worker 1 dies without warning.
            while applied_requests(installation.db) < total_steps_hint // 3:
                if doomed.poll() is not None:
                    return
                time.sleep(0.5)
            killed_after.append(applied_requests(installation.db))
            os.killpg(doomed.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_mid_run)
        killer.start()
        seconds = drive_all(installation, grants)
        killer.join()
        sweeper.join()
        steps = sum(sum(g.expected.values()) for g in grants)
        print(
            f"\n{GRANTS} grants, {steps} steps over HTTP in {seconds:.0f} s "
            f"({GRANTS / seconds * 60:.1f} grants/min, {steps / seconds:.2f} steps/s); "
            f"API and Prefect on PostgreSQL ready in {api_ready:.0f} s; worker 1 killed after "
            f"{killed_after} applied requests"
        )
        failed = {g.reference: g.error for g in grants if g.error}
        assert not failed, failed
        assert killed_after, "worker 1 was not killed mid-run"
        assert doomed.wait(timeout=30) == -signal.SIGKILL
        assert sweeps, "the queued sweep did not finish"
        print(f"sweeps finished: {[(s.as_of.isoformat(), s.counts) for s in sweeps]}")

        db = installation.db
        for driven in grants:
            applied = applied_steps(db, driven.grant_id)
            assert {a: applied[a] for a in driven.expected} == dict(driven.expected), (
                driven.reference,
                applied,
            )
            extra = set(applied) - set(driven.expected) - NOT_STEPS - SWEEP_ACTIONS
            assert not extra, (driven.reference, extra)
            by_sweep = sweep_steps(db, driven.grant_id)
            assert all(count == 1 for count in by_sweep.values()), (driven.reference, by_sweep)
            with db.reading() as session:
                grant = session.get(Grant, driven.grant_id)
                reports = session.exec(
                    select(OutcomeReport).where(OutcomeReport.grant_id == driven.grant_id)
                ).all()
                instalments = session.exec(
                    select(Instalment).where(Instalment.grant_id == driven.grant_id)
                ).all()
            assert grant is not None and grant.state == "closed", driven.reference
            assert {r.state for r in reports} == {"accepted"}, driven.reference
            assert {i.state for i in instalments} == {"released"}, driven.reference
            assert driven.expected["release_payment"] == len(instalments)
            assert driven.expected["accept_report"] == len(reports)
            if driven is held:  # the sweep found every one of its reports overdue
                overdue = {r.id for r in reports}
                assert set(by_sweep) == {("record_overdue_report", i) for i in overdue}

        store = DatabaseDocumentStore(db)
        checkpoints = checkpoints_written(db, within=CHECKPOINT_WAIT)
        assert checkpoints, (
            f"the scheduled checkpoint flow wrote nothing in {CHECKPOINT_WAIT} s after the "
            f"drive; worker 2's log ends: {installation.log('worker-2.log')[-2000:]}"
        )
        with db.reading() as session:
            documents = list(session.exec(select(StoredDocument)))
        keys = [d.idempotency_key for d in documents]
        assert len(keys) == len(set(keys)), "a document was stored twice"
        # At close the data agreement's return and delete withdraws the documents printing a
        # deletable text (the review summary's rationale, ...): their files leave the store,
        # their rows stay, and the close event names them (which ``verify`` checks).
        kept = [d for d in documents if d.withdrawn_at is None]
        withdrawn = [d for d in documents if d.withdrawn_at is not None]
        assert withdrawn, "close withdrew no document"
        for document in kept:
            assert store.read(document.storage_key)  # in the database, matching its digest
        for document in withdrawn:
            assert not store.exists(document.storage_key), document.filename
        # Every executed agreement, whichever worker issued it, is signed by the one Fund key
        # every process was configured with.
        fund = load_pkcs12(installation.fund_pkcs12.read_bytes(), FUND_PASSPHRASE, what="key")
        executed = [d for d in kept if d.kind == "executed_agreement" and d.format == "pdf"]
        assert len(executed) == GRANTS
        for document in executed:
            checked = verify_pdf(store.read(document.storage_key), fund.certificate)
            assert checked.trusted and not checked.development_key, document.filename
        result = verify(db, files=store)
        assert result.intact, result.failures
        sizes = [c.tree_size for c in checkpoints]
        assert [c.previous_size for c in checkpoints] == [0, *sizes[:-1]]
        print(
            f"{len(documents)} documents ({len(withdrawn)} withdrawn at close), "
            f"{len(checkpoints)} checkpoints, audit intact"
        )
        for number in (1, 2):
            data_dir = tmp_path / f"worker-{number}"
            written = [p for p in data_dir.rglob("*") if p.suffix in (".pdf", ".docx")]
            assert not written, written
            assert not (data_dir / KEY_FILE).exists()  # the shared request key, none of its own
        # Prefect's server kept every run and task run (the history's flow-run links read
        # them) but no event feed: grantflow starts it without the services it has no use
        # for (``service.environment.PREFECT_SERVICES_UNUSED``).
        kept_by_prefect = prefect_rows(installation.prefect_database_url)
        assert kept_by_prefect["flow_run"] >= steps, kept_by_prefect
        assert kept_by_prefect["task_run"] >= steps, kept_by_prefect
        assert kept_by_prefect["events"] == 0, kept_by_prefect


def prefect_rows(url: str) -> dict[str, int]:
    """How many rows some of Prefect's own tables hold, read from its database."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return {
                table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                for table in ("flow_run", "task_run", "events")
            }
    finally:
        engine.dispose()
