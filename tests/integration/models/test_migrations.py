"""Schema migrations (Alembic) on SQLite and PostgreSQL.

The migrations, not ``create_all``, make every database; these tests keep them honest: the
migrated schema is exactly what the models declare (a model change without its migration
fails here), downgrade and upgrade round-trip, the audit triggers come with the schema, and
processes starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, create_engine

from models.db import Database
from models.migrations import SchemaError, alembic_config, downgrade, head_revision
from models.tables import AuditEvent
from tests.support.postgres import postgres_schema

pytestmark = pytest.mark.both_databases


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        with postgres_schema() as postgres_url:
            yield postgres_url


def differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_the_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [head_revision()]


def test_the_migrated_schema_is_exactly_what_the_models_declare(url: str) -> None:
    db = Database(url)
    db.create_schema()
    try:
        assert differences(db) == []
        with db.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert version == [(head_revision(),)]
    finally:
        db.dispose()


def test_the_audit_trail_is_append_only_from_the_first_migration(url: str) -> None:
    db = Database(url)
    db.create_schema()
    try:
        with db.transaction() as session:
            session.add(AuditEvent(actor_name="Test", role="system", action="probe"))
        for statement in ("UPDATE auditevent SET action = 'forged'", "DELETE FROM auditevent"):
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as c:
                c.execute(text(statement))
    finally:
        db.dispose()


def test_downgrade_to_nothing_and_upgrade_again(url: str) -> None:
    db = Database(url)
    db.create_schema()
    try:
        downgrade(db.engine, "base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        db.create_schema()
        assert differences(db) == []
    finally:
        db.dispose()


def test_processes_starting_together_migrate_once(url: str) -> None:
    databases = [Database(url) for _ in range(6)]
    try:
        with ThreadPoolExecutor(len(databases)) as pool:
            list(pool.map(lambda db: db.create_schema(), databases))
        with databases[0].engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(head_revision(),)]
        assert differences(databases[0]) == []
    finally:
        for db in databases:
            db.dispose()


def test_a_pre_release_database_is_refused_with_a_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pre-release.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)  # how builds before the first release made it
    engine.dispose()
    db = Database(url)
    try:
        with pytest.raises(SchemaError, match="pre-release"):
            db.create_schema()
    finally:
        db.dispose()


def test_a_model_change_becomes_the_next_numbered_revision(tmp_path: Path) -> None:
    import shutil

    from sqlalchemy import Column, Integer, Table

    from models.migrations import SCRIPT_LOCATION, new_revision

    location = tmp_path / "migrations"
    shutil.copytree(SCRIPT_LOCATION, location, ignore=shutil.ignore_patterns("__pycache__"))
    probe = Table("probe_change", SQLModel.metadata, Column("id", Integer, primary_key=True))
    try:
        path = new_revision("add probe table", location)
    finally:
        SQLModel.metadata.remove(probe)
    written = path.read_text()
    assert path.name.startswith(f"{int(head_revision()) + 1:04d}_add_probe_table")
    assert 'create_table(\n        "probe_change"' in written or "'probe_change'" in written
    assert f"down_revision = {head_revision()!r}" in written


def test_an_older_log_gets_its_stored_leaves_and_verifies_unchanged(url: str) -> None:
    """Revision 0013 fills in the stored leaf data of events appended before it, from the same
    ``leaf_data``: the same bytes, so the leaf hashes and a checkpoint taken before still hold."""
    from models.audit import Checkpoint, leaf_data, verify_log
    from models.checkpoints import audit_rows
    from models.merkle import leaf_hash, root
    from models.migrations import upgrade

    db = Database(url)
    try:
        upgrade(db.engine, "0012")
        names = ["Avery Northwood", "Mérimée Ōtautahi-Côté", "ᐊᓂᔑᓈᐯ Kīsik", 'quote " and \\ and \n']
        with db.engine.begin() as connection:
            for number in range(2_050):  # past one batch of the backfill
                connection.execute(
                    text(
                        "INSERT INTO auditevent (subject, actor_name, role, action, outcome, "
                        "payload_summary, occurred_at) VALUES ('grant', :name, 'officer', "
                        ":action, 'applied', :payload, :at)"
                    ),
                    {
                        "name": names[number % len(names)],
                        "action": f"step-{number % 7}",
                        "payload": f'{{"n": {number}, "b": ["é", 1.5, null], "a": {{"z": 1}}}}',
                        "at": f"2026-04-01 13:{number % 60:02d}:00.{number:06d}",
                    },
                )
        upgrade(db.engine)
        rows = audit_rows(db)
        # What verification hashed before leaves were stored: leaf_data of the columns.
        before = [leaf_hash(leaf_data(row)) for row in rows]
        assert [row.leaf for row in rows] == [leaf_data(row) for row in rows]
        assert all(row.leaf for row in rows)
        leaves = [leaf_hash(row.leaf) for row in rows]
        head = Checkpoint(len(leaves), root(before).hex(), "then")
        result = verify_log(rows, [leaf.hex() for leaf in leaves], [head], [], lambda _d: None)
        assert result.intact, result.failure
        assert result.events_checked == 2_050
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text("UPDATE auditevent SET leaf = NULL"))
    finally:
        db.dispose()
