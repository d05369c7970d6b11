"""``grantflow documents migrate-store --to database`` on a copy of the session's closed grant:
every served document copied into the database, verified, and nothing copied twice."""

from __future__ import annotations

from typer.testing import CliRunner

from documents.audit.verification import verify
from documents.storage import DatabaseDocumentStore, LocalDocumentStore
from documents.store_migration import migrate_to_database
from models.db import Database
from models.tables import StoredDocument
from tests.support.databases import copied_database, kept


def test_local_documents_move_into_the_database_once_and_verify(closed_grant, tmp_path):
    from sqlmodel import select

    db = Database(kept(copied_database(closed_grant.url, tmp_path)))
    local = LocalDocumentStore(closed_grant.root / "documents")
    with db.reading() as session:
        keys = {
            d.storage_key for d in session.exec(select(StoredDocument)) if d.withdrawn_at is None
        }
    first = migrate_to_database(db, local)
    again = migrate_to_database(db, local)
    assert (first.copied, first.already_there, first.missing) == (len(keys), 0, [])
    assert (again.copied, again.already_there) == (0, len(keys))
    rows = DatabaseDocumentStore(db)
    for key in keys:
        assert rows.read(key) == local.read(key)
    assert verify(db, files=rows).intact


def test_the_command_copies_and_says_how_many(closed_grant, tmp_path, monkeypatch):
    from service.cli import app
    from workflows.runtime import reset_caches

    url = kept(copied_database(closed_grant.url, tmp_path))
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", url)
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(closed_grant.root / "documents"))
    reset_caches()
    try:
        result = CliRunner().invoke(app, ["documents", "migrate-store", "--to", "database"])
        refused = CliRunner().invoke(app, ["documents", "migrate-store", "--to", "s3"])
    finally:
        reset_caches()
    assert result.exit_code == 0, result.output
    assert "documents copied: " in result.output and "missing locally: 0" in result.output
    assert refused.exit_code == 2
