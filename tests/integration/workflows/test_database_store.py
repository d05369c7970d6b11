"""A grant through its whole lifecycle with GRANTFLOW_DOCUMENT_STORE=database: nothing lands on
the local disk, and a process with another, empty data directory reads every document, the
return package and the dossier from the database alone. SQLite and (GRANTFLOW_TEST_DATABASE=
postgresql) PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import func, select

from documents.storage import StoreMismatch, check_store_matches
from models import fictional
from models.blobs import DocumentBlob
from models.data_return import return_file_name, returned_package
from models.db import Database
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import Grant, StoredDocument
from service.prefect_server import free_port
from tests.support.databases import copied_database, database_url, use_installation
from tests.support.serving import clean_env
from workflows.actions import run_action_inline
from workflows.runtime import document_store, reset_caches

pytestmark = pytest.mark.usefixtures("prefect_harness")
REPO = Path(__file__).resolve().parents[3]
RETURNS_AND_DELETES = 1  # the fictional organisation whose agreement returns and deletes


@dataclass
class Closed:
    db: Database
    url: str
    root: Path
    grant: Grant


@pytest.fixture(scope="module")
def closed(tmp_path_factory) -> Iterator[Closed]:
    root = tmp_path_factory.mktemp("database-store")
    with database_url(root) as url, pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRANTFLOW_DOCUMENT_STORE", "database")
        db = use_installation(patch, root, url)
        cast = fictional.seed(db)
        organisation, application = fictional.application_for(RETURNS_AND_DELETES, cast)
        grant = create_application(db, organisation.id, application)
        outcome = None
        for action, who, payload, at in steps(db, cast, grant.id):
            outcome = asyncio.run(
                run_action_inline(grant.id, grant.reference, action, who, payload, now=at)
            )
        assert outcome is not None and outcome.grant_state == "closed"
        with db.reading() as session:
            ended = session.get(Grant, grant.id)
        try:
            yield Closed(db, url, root, ended)  # type: ignore[arg-type]
        finally:
            db.dispose()
            reset_caches()


def documents_of(closed: Closed) -> list[StoredDocument]:
    with closed.db.reading() as session:
        return list(
            session.exec(select(StoredDocument).where(StoredDocument.grant_id == closed.grant.id))
        )


def test_nothing_of_the_grant_lands_in_the_local_folder(closed):
    local = closed.root / "documents"
    assert not local.exists() or not [p for p in local.rglob("*") if p.is_file()]
    with closed.db.reading() as session:
        rows = session.exec(select(func.count()).select_from(DocumentBlob)).one()
    served = [d for d in documents_of(closed) if d.withdrawn_at is None]
    assert len(served) >= 20 and rows >= len({d.storage_key for d in served})


def test_another_process_with_an_empty_data_dir_reads_every_document(closed, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    env = clean_env(
        other,
        GRANTFLOW_DATABASE_URL=closed.url,
        GRANTFLOW_DOCUMENT_STORE="database",
        GRANTFLOW_DOCUMENT_DIR=str(other / "documents"),
    )
    reader = (
        "import hashlib, sys\n"
        "from sqlmodel import select\n"
        "from models.tables import StoredDocument\n"
        "from workflows.runtime import database, document_store\n"
        "store = document_store()\n"
        "with database().reading() as session:\n"
        f"    rows = session.exec(select(StoredDocument).where(StoredDocument.grant_id == "
        f"{closed.grant.id})).all()\n"
        "for row in rows:\n"
        "    if row.withdrawn_at is None:\n"
        "        data = store.read(row.storage_key)\n"
        "        streamed = b''.join(store.stream(row.storage_key))\n"
        "        assert hashlib.sha256(data).hexdigest() == row.sha256 and streamed == data\n"
        "        print('read', row.id)\n"
        "    else:\n"
        "        assert not store.exists(row.storage_key), row.storage_key\n"
    )
    read = subprocess.run(
        [sys.executable, "-c", reader], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert read.returncode == 0, read.stderr
    served = [d for d in documents_of(closed) if d.withdrawn_at is None]
    assert read.stdout.count("read ") == len(served)

    verified = subprocess.run(
        [sys.executable, "-m", "service.cli", "audit", "verify"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stderr
    assert "audit trail intact" in verified.stdout

    dossier = tmp_path / "dossier.zip"
    exported = subprocess.run(
        [sys.executable, "-m", "service.cli", "audit", "export"]
        + ["--grant", closed.grant.reference, "--out", str(dossier)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(dossier) as archive:
        shipped = [n for n in archive.namelist() if n.split("/")[-2:-1] == ["documents"]]
    assert len(shipped) == len(served)
    assert not [p for p in other.rglob("*") if p.is_file() and p.suffix in (".pdf", ".docx")]


def test_the_return_package_and_withdrawn_files_are_rows(closed, tmp_path, monkeypatch):
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(tmp_path / "empty" / "documents"))
    with closed.db.reading() as session:
        package = returned_package(session, closed.grant)
        row = session.get(DocumentBlob, return_file_name(closed.grant.reference))
    assert package is not None and row is not None
    assert hashlib.sha256(package).hexdigest() == row.sha256
    withdrawn = [d for d in documents_of(closed) if d.withdrawn_at is not None]
    assert withdrawn
    reset_caches()
    try:
        store = document_store()
        for document in withdrawn:
            assert not store.exists(document.storage_key)
    finally:
        reset_caches()


def test_a_process_set_to_the_local_folder_is_refused_where_documents_are_rows(closed):
    with pytest.raises(StoreMismatch, match="set GRANTFLOW_DOCUMENT_STORE=database"):
        check_store_matches(closed.db, "local")
    check_store_matches(closed.db, "database")  # where they are: no complaint


def test_the_database_store_is_refused_while_a_document_is_only_on_a_local_disk(closed, tmp_path):
    with copied_database(closed.url, tmp_path) as url:
        db = Database(url)
        try:
            served = next(d for d in documents_of(closed) if d.withdrawn_at is None)
            with db.transaction() as session:
                session.delete(session.get(DocumentBlob, served.storage_key))
            with pytest.raises(StoreMismatch, match="migrate-store --to database") as refused:
                check_store_matches(db, "database")
            assert served.storage_key in str(refused.value)
        finally:
            db.dispose()


def test_a_worker_whose_store_is_out_of_reach_exits_2_before_taking_a_run(closed, tmp_path):
    env = clean_env(
        tmp_path / "worker",
        GRANTFLOW_DATABASE_URL=closed.url,
        GRANTFLOW_DOCUMENT_STORE="local",  # the others keep documents in the database
        PREFECT_API_URL="http://127.0.0.1:9/api",  # never reached: it stops before
    )
    worker = subprocess.run(
        [sys.executable, "-m", "service.cli", "worker", "--until-idle"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 2, worker.stdout + worker.stderr
    assert "document store:" in worker.stderr
    assert "GRANTFLOW_DOCUMENT_STORE=database" in worker.stderr.replace("\n", "")


def test_serve_whose_store_is_out_of_reach_stops_and_says_why(closed, tmp_path):
    env = clean_env(
        tmp_path / "serve",
        GRANTFLOW_DATABASE_URL=closed.url,
        GRANTFLOW_DOCUMENT_STORE="local",  # the others keep documents in the database
        PREFECT_API_URL="http://127.0.0.1:9/api",  # not needed: it stops before any run
    )
    served = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert served.returncode == 1, served.stdout + served.stderr
    said = served.stderr.replace("\n", "")
    assert "serve failed:" in said
    assert "GRANTFLOW_DOCUMENT_STORE=database" in said
