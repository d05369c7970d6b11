"""The audit checkpoints as rows of grantflow's database: one chain whoever writes, append-only,
exported to and imported from their file form, written by the scheduled checkpoint flow."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from documents import LocalDocumentStore
from documents.audit.verification import verify
from models.audit import event_leaf
from models.audit_checkpoints import AuditCheckpoint
from models.checkpoints import (
    AuditStore,
    CheckpointRefused,
    DatabaseAuditStore,
    checkpoint,
    export_checkpoints,
    import_checkpoints,
)
from models.clock import utcnow
from models.db import Database
from models.tables import AuditEvent
from tests.support.models_support import new_database


def add_events(db: Database, count: int) -> None:
    start = utcnow()
    with db.transaction() as session:
        for number in range(count):
            session.add(
                AuditEvent(
                    subject="grant",
                    actor_name="Fictional Officer",
                    role="officer",
                    action="screen_in",
                    payload_summary={"n": number},
                    occurred_at=start + timedelta(seconds=number),
                )
            )


def leaves_of(db: Database) -> list[str]:
    with db.reading() as session:
        return [
            event_leaf(e).hex() for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
        ]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return new_database(tmp_path)


def files(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "no-documents")


def test_a_checkpoint_is_a_row_and_an_unchanged_log_adds_none(db, tmp_path):
    add_events(db, 5)
    first = checkpoint(db)
    again = checkpoint(db)
    add_events(db, 3)
    second = checkpoint(db)
    store = DatabaseAuditStore(db)
    assert [c.size for c in store.checkpoints()] == [5, 8]
    assert again == first
    assert store.recorded_leaves() == leaves_of(db)
    assert second.size == 8
    result = verify(db, files=files(tmp_path))
    assert result.intact and result.checkpoints_checked == 2


def test_writers_racing_from_one_head_leave_one_chain(db, tmp_path):
    add_events(db, 4)
    checkpoint(db)
    barrier = threading.Barrier(6)
    failures: list[BaseException] = []

    def writer(more: int) -> None:
        try:
            barrier.wait()
            add_events(db, more)
            checkpoint(db)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with db.reading() as session:
        rows = list(session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)))
    sizes = [row.tree_size for row in rows]
    assert sizes == sorted(set(sizes))
    assert [row.previous_size for row in rows] == [0, *sizes[:-1]]
    assert DatabaseAuditStore(db).recorded_leaves() == leaves_of(db)[: sizes[-1]]
    assert verify(db, files=files(tmp_path)).intact


def test_the_database_refuses_a_second_successor_of_one_head(db):
    add_events(db, 3)
    checkpoint(db)
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_checkpoint (tree_size, previous_size, root, made_at, leaves) "
                "VALUES (9, 0, :root, '2026-01-01T00:00:00+00:00', '')"
            ),
            {"root": "0" * 64},
        )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_checkpoint SET root = :zero", "DELETE FROM audit_checkpoint"],
    ids=["update", "delete"],
)
def test_checkpoint_rows_are_append_only(db, statement):
    add_events(db, 2)
    checkpoint(db)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement), {"zero": "0" * 64})


def test_the_export_is_the_checkpoint_files_form_and_verifies(db, tmp_path):
    add_events(db, 5)
    checkpoint(db)
    add_events(db, 2)
    checkpoint(db)
    out = tmp_path / "export"
    out.mkdir()
    count = export_checkpoints(
        DatabaseAuditStore(db), out / "checkpoints.jsonl", out / "leaves.log"
    )
    exported = AuditStore(out)
    assert count == 2
    assert exported.checkpoints() == DatabaseAuditStore(db).checkpoints()
    assert exported.recorded_leaves() == leaves_of(db)
    assert verify(db, exported, files(tmp_path)).intact


def test_checkpoints_kept_in_files_are_imported_once_and_checked(db, tmp_path):
    add_events(db, 4)
    old = AuditStore(tmp_path / "audit")
    checkpoint(db, old)
    checkpoint(db, old)  # the files repeat a head; the rows hold it once
    add_events(db, 2)
    checkpoint(db, old)
    assert import_checkpoints(db, old) == 2
    assert import_checkpoints(db, old) == 0
    assert [c.size for c in DatabaseAuditStore(db).checkpoints()] == [4, 6]


def test_files_that_no_longer_match_the_log_are_not_imported(db, tmp_path):
    add_events(db, 3)
    old = AuditStore(tmp_path / "audit")
    checkpoint(db, old)
    old.leaves_path.write_text("00" * 32 + "\n" + old.leaves_path.read_text())
    with pytest.raises(CheckpointRefused):
        import_checkpoints(db, old)
    assert DatabaseAuditStore(db).checkpoints() == []


# The scheduled flow that writes them -------------------------------------------------------------


def test_the_checkpoint_flow_records_the_head_once(prefect_harness, tmp_path, monkeypatch):
    import asyncio

    from workflows.checkpoints import checkpoint_flow
    from workflows.runtime import database, reset_caches

    db = new_database(tmp_path)
    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", db.url)
    reset_caches()
    try:
        add_events(db, 7)
        assert asyncio.run(checkpoint_flow()) == {"tree_size": 7}
        assert asyncio.run(checkpoint_flow()) == {"tree_size": 7}
        assert [c.size for c in DatabaseAuditStore(database()).checkpoints()] == [7]
    finally:
        reset_caches()


def test_the_checkpoint_deployment_is_scheduled_and_its_runs_carry_nothing(prefect_harness):
    import asyncio

    from prefect.client.orchestration import get_client

    from workflows.checkpoints import CHECKPOINT_FLOW_NAME, checkpoint_cron, checkpoint_flow
    from workflows.deployments import DEPLOYMENT, register_deployments
    from workflows.worker import screen_run

    async def registered() -> tuple[dict, object]:
        async with get_client() as client:
            flows = await register_deployments(client)
            deployment = await client.read_deployment_by_name(
                f"{CHECKPOINT_FLOW_NAME}/{DEPLOYMENT}"
            )
            return flows, deployment

    flows, deployment = asyncio.run(registered())
    assert flows[deployment.id] is checkpoint_flow
    assert [s.schedule.cron for s in deployment.schedules] == [checkpoint_cron()]
    assert screen_run(checkpoint_flow, {}) is None
    assert screen_run(checkpoint_flow, {"request_id": 1, "token": "t"}) is not None


def test_an_import_with_one_wrong_head_writes_no_row(db, tmp_path):
    add_events(db, 3)
    old = AuditStore(tmp_path / "audit")
    checkpoint(db, old)
    add_events(db, 2)
    checkpoint(db, old)
    heads = [json.loads(line) for line in old.checkpoints_path.read_text().splitlines()]
    heads[1]["root"] = "0" * 64
    old.checkpoints_path.write_text("".join(json.dumps(h) + "\n" for h in heads))
    with pytest.raises(CheckpointRefused, match="size 5"):
        import_checkpoints(db, old)
    assert DatabaseAuditStore(db).checkpoints() == []
