"""Random tamperings of a checkpointed 1,000-event audit log are all detected."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from models.clock import utcnow
from models.db import Database
from models.tables import AuditEvent, StoredDocument
from service.audit_log import AuditStore, checkpoint, verify
from service.demo_data import seed
from workflows.runtime import reset_caches

EVENTS = 1_000
DOCUMENTS = 12
TAMPERINGS = 210
EDITABLE = (
    "actor_name",
    "action",
    "role",
    "from_state",
    "to_state",
    "payload_summary",
    "occurred_at",
    "flow_run_id",
    "outcome",
    "grant_id",
)


def build_log(root: Path) -> None:
    """A real installation's log: seeded records, stored documents, padding to 1,000 events."""
    from documents import LocalDocumentStore
    from models.setup import create_application
    from service.demo_data import application_for

    db = Database(f"sqlite:///{root / 'grantflow.db'}")
    db.create_schema()
    cast = seed(db)
    organisation, application = application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    store = LocalDocumentStore(root / "documents")
    rng = random.Random(7)
    with db.transaction() as session:
        for number in range(DOCUMENTS):
            data = rng.randbytes(2_000 + number)
            saved = store.put(data, "pdf")
            document = StoredDocument(
                grant_id=grant.id,
                kind="decision_letter",
                subject_key=f"n{number}",
                version=1,
                language="en",
                format="pdf",
                sha256=saved.sha256,
                size_bytes=saved.size_bytes,
                storage_key=saved.key,
                filename=f"doc-{number}.pdf",
                template_version="1.0.0",
                idempotency_key=f"doc-{number}",
            )
            session.add(document)
            session.flush()
            session.add(
                AuditEvent(
                    grant_id=grant.id,
                    subject="document",
                    subject_id=document.id,
                    actor_name="grantflow",
                    role="system",
                    action="document_stored",
                    payload_summary={"document_id": document.id, "sha256": saved.sha256},
                )
            )
    with db.transaction() as session:
        existing = session.exec(AuditEvent.__table__.select()).all()  # type: ignore[attr-defined]
        start = utcnow() - timedelta(days=400)
        for number in range(EVENTS - len(existing)):
            session.add(
                AuditEvent(
                    grant_id=grant.id,
                    subject="grant",
                    subject_id=grant.id,
                    actor_id=cast.screening_officer.id,
                    actor_name=cast.screening_officer.name,
                    role="officer",
                    action=rng.choice(["submit", "screen_in", "score"]),
                    from_state="submitted",
                    to_state="in_review",
                    payload_summary={"n": number},
                    flow_run_id=f"run-{number}",
                    occurred_at=start + timedelta(minutes=number),
                )
            )
    checkpoint(db, AuditStore(root / "audit"))
    db.dispose()


def verify_copy(root: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(root / "documents"))
    reset_caches()
    db = Database(f"sqlite:///{root / 'grantflow.db'}")
    try:
        return verify(db, AuditStore(root / "audit")).intact
    finally:
        db.dispose()


def sql(root: Path, *statements: str, params: tuple = ()) -> list[tuple]:
    connection = sqlite3.connect(root / "grantflow.db")
    try:
        connection.execute("DROP TRIGGER IF EXISTS auditevent_no_update")
        connection.execute("DROP TRIGGER IF EXISTS auditevent_no_delete")
        rows: list[tuple] = []
        for statement in statements:
            rows = connection.execute(statement, params).fetchall()
        connection.commit()
        return rows
    finally:
        connection.close()


def edit_field(root: Path, rng: random.Random) -> None:
    column = rng.choice(EDITABLE)
    event_id = rng.randint(1, EVENTS)
    value = {"payload_summary": json.dumps({"n": -1}), "grant_id": None}.get(column, "forged")
    if column == "occurred_at":
        value = "2020-01-01 00:00:00.000000"
    sql(root, f"UPDATE auditevent SET {column} = ? WHERE id = ?", params=(value, event_id))


def delete_event(root: Path, rng: random.Random) -> None:
    sql(root, "DELETE FROM auditevent WHERE id = ?", params=(rng.randint(1, EVENTS),))


def reorder(root: Path, rng: random.Random) -> None:
    first, second = rng.sample(range(1, EVENTS + 1), 2)
    sql(
        root,
        f"UPDATE auditevent SET id = -1 WHERE id = {first}",
        f"UPDATE auditevent SET id = {first} WHERE id = {second}",
        f"UPDATE auditevent SET id = {second} WHERE id = -1",
    )


def insert_forged(root: Path, rng: random.Random) -> None:
    position = rng.randint(1, EVENTS - 1)
    sql(
        root,
        f"UPDATE auditevent SET id = -id WHERE id > {position}",
        "UPDATE auditevent SET id = 1 - id WHERE id < 0",
        "INSERT INTO auditevent (id, subject, actor_name, role, action, outcome, "
        f"payload_summary, occurred_at) VALUES ({position + 1}, 'grant', 'forger', 'approver', "
        "'approve', 'applied', '{}', '2026-01-01 00:00:00.000000')",
    )


def rewrite_and_recompute(root: Path, rng: random.Random) -> None:
    """Change an event before the checkpoint and rewrite the recorded leaves to match."""
    from models.audit import event_leaf

    edit_field(root, rng)
    db = Database(f"sqlite:///{root / 'grantflow.db'}")
    with db.reading() as session:
        events = session.exec(
            AuditEvent.__table__.select().order_by(AuditEvent.id)  # type: ignore[attr-defined]
        ).all()
        leaves = [event_leaf(AuditEvent.model_validate(dict(e._mapping))) for e in events]
    db.dispose()
    (root / "audit" / "leaves.log").write_text("".join(leaf.hex() + "\n" for leaf in leaves))


def swap_document_file(root: Path, rng: random.Random) -> None:
    files = sorted((root / "documents").rglob("*.pdf"))
    victim, other = rng.sample(files, 2)
    shutil.copyfile(other, victim)


def swap_file_and_row(root: Path, rng: random.Random) -> None:
    """Replace a document and update its row's hash to match: the audit event still disagrees."""
    import hashlib

    files = sorted((root / "documents").rglob("*.pdf"))
    victim = rng.choice(files)
    forged = rng.randbytes(3_000)
    victim.write_bytes(forged)
    sql(
        root,
        "UPDATE document SET sha256 = ? WHERE storage_key LIKE ?",
        params=(hashlib.sha256(forged).hexdigest(), f"%{victim.stem}%"),
    )


TAMPERINGS_BY_KIND = {
    "edit a field": edit_field,
    "delete an event": delete_event,
    "reorder two events": reorder,
    "insert a forged event": insert_forged,
    "rewrite before the checkpoint and recompute after it": rewrite_and_recompute,
    "swap a document file": swap_document_file,
    "swap a document file and its row's hash": swap_file_and_row,
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    build_log(root)
    return root


def test_random_tamperings_are_all_detected_and_the_intact_log_raises_no_alarm(
    pristine, tmp_path, monkeypatch, capsys
):
    rng = random.Random(20261128)
    kinds = list(TAMPERINGS_BY_KIND)
    detected, missed, false_alarms = 0, [], 0
    for attempt in range(TAMPERINGS):
        copy = tmp_path / f"t{attempt}"
        shutil.copytree(pristine, copy)
        if attempt % 10 == 0 and not verify_copy(copy, monkeypatch):
            false_alarms += 1
        kind = kinds[attempt % len(kinds)]
        TAMPERINGS_BY_KIND[kind](copy, rng)
        if verify_copy(copy, monkeypatch):
            missed.append(kind)
        else:
            detected += 1
        shutil.rmtree(copy)
    with capsys.disabled():
        print(
            f"\ntamper evidence: {TAMPERINGS} tamperings, {detected} detected, "
            f"{false_alarms} false alarms on the intact log"
        )
    assert not missed, missed
    assert false_alarms == 0
    assert detected == TAMPERINGS >= 200


def test_the_database_refuses_to_update_or_delete_audit_events(pristine, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    connection = sqlite3.connect(copy / "grantflow.db")
    for statement in (
        "UPDATE auditevent SET actor_name = 'x' WHERE id = 1",
        "DELETE FROM auditevent WHERE id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute(statement)
    connection.close()


def test_the_service_checkpoints_when_it_starts_and_then_on_its_interval(
    pristine, tmp_path, monkeypatch
):
    import time

    from service.audit_log import start_daily_checkpoints

    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", f"sqlite:///{copy / 'grantflow.db'}")
    monkeypatch.setenv("GRANTFLOW_AUDIT_DIR", str(copy / "audit"))
    reset_caches()
    store = AuditStore(copy / "audit")
    before = len(store.checkpoints())
    stop = start_daily_checkpoints(interval=0.2)
    try:
        deadline = time.monotonic() + 20
        while len(store.checkpoints()) < before + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        reset_caches()
    assert len(store.checkpoints()) >= before + 2
    assert store.checkpoints()[-1].size == EVENTS
