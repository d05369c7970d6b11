"""Random tamperings of a checkpointed 1,000-event audit log are all detected."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from documents.audit.verification import verify
from models.checkpoints import AuditStore, checkpoint
from models.clock import utcnow
from models.db import Database
from models.fictional.seeding import seed
from models.stored_documents import record_stored_document
from models.tables import AuditEvent, Grant
from tests.support.databases import copied_database, kept, kept_database_url, on_postgresql
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


@dataclass
class Pristine:
    """The intact installation: its files (documents, audit checkpoints and, on SQLite, the
    database) in ``root``; its database at ``url``."""

    root: Path
    url: str


def build_log(root: Path) -> Pristine:
    """A real installation's log: seeded records, stored documents, padding to 1,000 events."""
    from documents import LocalDocumentStore
    from models.fictional.seeding import application_for
    from models.provisioning import create_application

    url = kept_database_url(root)
    db = Database(url)
    db.create_schema()
    cast = seed(db)
    organisation, application = application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    store = LocalDocumentStore(root / "documents")
    rng = random.Random(7)
    with db.transaction() as session:
        grant = session.get(Grant, grant.id)
        application_event = session.exec(
            select(AuditEvent.id).where(AuditEvent.grant_id == grant.id)
        ).first()
        for number in range(DOCUMENTS):
            record_stored_document(
                session,
                grant,
                kind="decision_letter",
                subject_key=f"n{number}",
                language="en",
                fmt="pdf",
                stored=store.put(rng.randbytes(2_000 + number), "pdf"),
                template_version="1.0.0",
                produced_by_event=application_event,
                idempotency_key=f"doc-{number}",
                flow_run_id=None,
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
    return Pristine(root, url)


class Copy:
    """A copy of the pristine installation to tamper with, its files in ``root``.

    On SQLite the database file is copied with the files and forged through its own sqlite3
    connection. On PostgreSQL the copy is the pristine schema inside one transaction, rolled
    back when the copy is discarded (PostgreSQL's DDL is transactional too, so even the
    dropped append-only trigger comes back); ``db`` reads and verifies through that
    transaction, so it sees the forgery.
    """

    def __init__(self, root: Path, db: Database, connection: Any = None) -> None:
        self.root = root
        self.db = db
        self.connection = connection

    def sql(self, *statements: str, params: dict[str, Any] | None = None) -> None:
        """Forge: the append-only triggers dropped, then ``statements`` (``:name`` params)."""
        if self.connection is None:
            connection = sqlite3.connect(self.root / "grantflow.db")
            try:
                connection.execute("DROP TRIGGER IF EXISTS auditevent_no_update")
                connection.execute("DROP TRIGGER IF EXISTS auditevent_no_delete")
                for statement in statements:
                    connection.execute(statement, params or {})
                connection.commit()
            finally:
                connection.close()
            return
        self.connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS auditevent_append_only ON auditevent"
        )
        # A forger who can drop triggers can also stop foreign keys from checking (documents
        # point at the event that produced them): renumbering events must not be refused here.
        self.connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in statements:
            self.connection.execute(text(statement), params or {})

    def verify(self, monkeypatch: pytest.MonkeyPatch) -> bool:
        monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(self.root / "documents"))
        reset_caches()
        return verify(self.db, AuditStore(self.root / "audit")).intact


class InOneConnection(Database):
    """A ``Database`` whose sessions all run on one connection, inside its open transaction."""

    def __init__(self, connection: Any) -> None:
        self.url = connection.engine.url.render_as_string(hide_password=False)
        self.engine = connection
        self.reading_bind = connection  # reads see the open transaction's tampering


@contextmanager
def tamperable_copy(pristine: Pristine, root: Path) -> Iterator[Copy]:
    if not on_postgresql():
        shutil.copytree(pristine.root, root)
        db = Database(f"sqlite:///{root / 'grantflow.db'}")
        try:
            yield Copy(root, db)
        finally:
            db.dispose()
            shutil.rmtree(root)
        return
    shutil.copytree(pristine.root, root)
    engine = Database(pristine.url).engine
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield Copy(root, InOneConnection(connection), connection)
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
        shutil.rmtree(root)


def edit_field(copy: Copy, rng: random.Random) -> None:
    column = rng.choice(EDITABLE)
    event_id = rng.randint(1, EVENTS)
    value = {"payload_summary": json.dumps({"n": -1}), "grant_id": None}.get(column, "forged")
    if column == "occurred_at":
        value = "2020-01-01 00:00:00.000000"
    copy.sql(
        f"UPDATE auditevent SET {column} = :value WHERE id = :id",
        params={"value": value, "id": event_id},
    )


def delete_event(copy: Copy, rng: random.Random) -> None:
    copy.sql("DELETE FROM auditevent WHERE id = :id", params={"id": rng.randint(1, EVENTS)})


def reorder(copy: Copy, rng: random.Random) -> None:
    first, second = rng.sample(range(1, EVENTS + 1), 2)
    copy.sql(
        f"UPDATE auditevent SET id = -1 WHERE id = {first}",
        f"UPDATE auditevent SET id = {first} WHERE id = {second}",
        f"UPDATE auditevent SET id = {second} WHERE id = -1",
    )


def insert_forged(copy: Copy, rng: random.Random) -> None:
    position = rng.randint(1, EVENTS - 1)
    copy.sql(
        f"UPDATE auditevent SET id = -id WHERE id > {position}",
        "UPDATE auditevent SET id = 1 - id WHERE id < 0",
        "INSERT INTO auditevent (id, subject, actor_name, role, action, outcome, "
        f"payload_summary, occurred_at) VALUES ({position + 1}, 'grant', 'forger', 'approver', "
        "'approve', 'applied', '{}', '2026-01-01 00:00:00.000000')",
    )


def rewrite_and_recompute(copy: Copy, rng: random.Random) -> None:
    """Change an event before the checkpoint and rewrite the recorded leaves to match."""
    from models.audit import event_leaf

    edit_field(copy, rng)
    with copy.db.reading() as session:
        leaves = [event_leaf(e) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    (copy.root / "audit" / "leaves.log").write_text("".join(leaf.hex() + "\n" for leaf in leaves))


def _event_fields(copy: Copy, event_id: int) -> dict[str, Any]:
    from models.audit import LEAF_FIELDS

    with copy.db.reading() as session:
        event = session.get(AuditEvent, event_id)
        return {name: getattr(event, name) for name in LEAF_FIELDS}


def edit_stored_leaf(copy: Copy, rng: random.Random) -> None:
    """Change what an event's stored leaf data says, its columns left as they were."""
    from types import SimpleNamespace

    from models.audit import leaf_data

    event_id = rng.randint(1, EVENTS)
    fields = _event_fields(copy, event_id) | {"actor_name": "forged"}
    copy.sql(
        "UPDATE auditevent SET leaf = :leaf WHERE id = :id",
        params={"leaf": leaf_data(SimpleNamespace(**fields)), "id": event_id},
    )


def edit_field_and_its_stored_leaf(copy: Copy, rng: random.Random) -> None:
    """Change a column and its stored leaf data to agree: the recorded leaves disagree."""
    from types import SimpleNamespace

    from models.audit import leaf_data

    event_id = rng.randint(1, EVENTS)
    fields = _event_fields(copy, event_id) | {"role": "approver"}
    copy.sql(
        "UPDATE auditevent SET role = 'approver', leaf = :leaf WHERE id = :id",
        params={"leaf": leaf_data(SimpleNamespace(**fields)), "id": event_id},
    )


def drop_stored_leaf(copy: Copy, rng: random.Random) -> None:
    copy.sql(
        "UPDATE auditevent SET leaf = NULL WHERE id = :id", params={"id": rng.randint(1, EVENTS)}
    )


def swap_document_file(copy: Copy, rng: random.Random) -> None:
    files = sorted((copy.root / "documents").rglob("*.pdf"))
    victim, other = rng.sample(files, 2)
    shutil.copyfile(other, victim)


def swap_file_and_row(copy: Copy, rng: random.Random) -> None:
    """Replace a document and update its row's hash to match: the audit event still disagrees."""
    import hashlib

    files = sorted((copy.root / "documents").rglob("*.pdf"))
    victim = rng.choice(files)
    forged = rng.randbytes(3_000)
    victim.write_bytes(forged)
    copy.sql(
        "UPDATE document SET sha256 = :sha256 WHERE storage_key LIKE :key",
        params={"sha256": hashlib.sha256(forged).hexdigest(), "key": f"%{victim.stem}%"},
    )


TAMPERINGS_BY_KIND = {
    "edit a field": edit_field,
    "delete an event": delete_event,
    "reorder two events": reorder,
    "insert a forged event": insert_forged,
    "rewrite before the checkpoint and recompute after it": rewrite_and_recompute,
    "edit an event's stored leaf data": edit_stored_leaf,
    "edit a field and its stored leaf data together": edit_field_and_its_stored_leaf,
    "drop an event's stored leaf data": drop_stored_leaf,
    "swap a document file": swap_document_file,
    "swap a document file and its row's hash": swap_file_and_row,
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Pristine:
    return build_log(tmp_path_factory.mktemp("pristine"))


def test_random_tamperings_are_all_detected_and_the_intact_log_raises_no_alarm(
    pristine, tmp_path, monkeypatch, capsys
):
    rng = random.Random(20261128)
    kinds = list(TAMPERINGS_BY_KIND)
    detected, missed, false_alarms = 0, [], 0
    for attempt in range(TAMPERINGS):
        with tamperable_copy(pristine, tmp_path / f"t{attempt}") as copy:
            if attempt % 10 == 0 and not copy.verify(monkeypatch):
                false_alarms += 1
            kind = kinds[attempt % len(kinds)]
            TAMPERINGS_BY_KIND[kind](copy, rng)
            if copy.verify(monkeypatch):
                missed.append(kind)
            else:
                detected += 1
    with capsys.disabled():
        print(
            f"\ntamper evidence: {TAMPERINGS} tamperings, {detected} detected, "
            f"{false_alarms} false alarms on the intact log"
        )
    assert not missed, missed
    assert false_alarms == 0
    assert detected == TAMPERINGS >= 200


def test_the_database_refuses_to_update_or_delete_audit_events(pristine, tmp_path):
    copy = Database(kept(copied_database(pristine.url, tmp_path)))
    for statement in (
        "UPDATE auditevent SET actor_name = 'x' WHERE id = 1",
        "DELETE FROM auditevent WHERE id = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), copy.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    copy.dispose()


def test_an_edited_column_is_caught_by_its_stored_leaf_data_without_any_checkpoint(
    pristine, tmp_path, monkeypatch
):
    """Before a checkpoint covers an event, nothing recorded elsewhere holds its hash: the
    stored leaf data the event was appended with is what an edited column disagrees with."""
    with tamperable_copy(pristine, tmp_path / "copy") as copy:
        monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(copy.root / "documents"))
        reset_caches()
        nothing_recorded = AuditStore(tmp_path / "no-checkpoints")
        assert verify(copy.db, nothing_recorded).intact
        copy.sql("UPDATE auditevent SET actor_name = 'forged' WHERE id = 500")
        result = verify(copy.db, nothing_recorded)
    assert result.failures == ["event 500 (#500) differs from the leaf data it was recorded with"]
