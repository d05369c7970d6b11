"""The exports' queries and the organisation's ZIP on the database the tier runs on (SQLite,
and PostgreSQL in its pass): grants taken through the engine by the demo's script, documents
kept in a store that is not a folder (``InMemoryDocumentStore``, read in small chunks).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from models.clock import fiscal_year_of
from models.tables import Grant, Instalment, OutcomeReport, StoredDocument
from service.exports.lists import GrantFilters, csv_list
from service.exports.organisation import write_organisation_export
from service.users import operator
from tests.support.memory_store import InMemoryDocumentStore
from tests.support.models_support import World, new_grant, run_script

LETTER = b"%PDF-1.7 a fictional letter " + bytes(range(256)) * 20  # several chunks
MEMO = b"%PDF-1.7 a fictional staff memo"


@pytest.fixture(scope="module")
def grants(world: World) -> dict[str, int]:
    closed = new_grant(world, 0)
    run_script(world, closed)
    declined = new_grant(world, 1)
    run_script(world, declined, "declined_at_approval")
    return {"closed": closed, "declined": declined}


@pytest.fixture(scope="module")
def store(world: World, grants: dict[str, int]) -> InMemoryDocumentStore:
    """A letter to the organisation and a staff memo on the closed grant, in the store."""
    files = InMemoryDocumentStore()
    with world.db.transaction() as session:
        for kind, data in (("decision_letter", LETTER), ("approval_memo", MEMO)):
            stored = files.put(data, "pdf")
            session.add(
                StoredDocument(
                    grant_id=grants["closed"],
                    kind=kind,
                    version=1,
                    language="en",
                    format="pdf",
                    sha256=stored.sha256,
                    size_bytes=stored.size_bytes,
                    storage_key=stored.key,
                    filename=f"{kind}.pdf",
                    template_version="test",
                    idempotency_key=f"export-test-{kind}",
                )
            )
    return files


def rows_of(world: World, name: str, **filters: object) -> list[dict[str, str]]:
    from service.authz import visible_grants

    with world.db.reading() as session:
        statement = GrantFilters(**filters).applied(visible_grants(operator(), select(Grant)))  # type: ignore[arg-type]
        data = csv_list(session, name, statement).to_bytes()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_lists_follow_the_filters(world: World, grants: dict[str, int]) -> None:
    closed = grants["closed"]
    with world.db.reading() as session:
        grant = session.get(Grant, closed)
        instalments = session.exec(
            select(Instalment).where(Instalment.grant_id == closed).order_by(Instalment.sequence)
        ).all()
        reports = session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == closed)).all()
    assert [r["grant_id"] for r in rows_of(world, "grants", state="closed")] == [str(closed)]
    assert [r["grant_id"] for r in rows_of(world, "grants", stage="close_out")] == [str(closed)]
    by_org = rows_of(world, "grants", organisation_id=grant.organisation_id)
    assert [r["grant_id"] for r in by_org] == [str(closed)]
    assert len(rows_of(world, "grants", fund="ILIF")) == 2
    assert rows_of(world, "grants", fund="NONE") == []
    payments = rows_of(world, "payments", state="closed")
    assert [(p["sequence"], p["amount_cents"]) for p in payments] == [
        (str(i.sequence), str(i.amount_cents)) for i in instalments
    ]
    assert [p["fiscal_year"] for p in payments] == [
        str(fiscal_year_of(i.due_date)) for i in instalments
    ]
    assert len(rows_of(world, "reports", state="closed")) == len(reports) > 0
    assert rows_of(world, "payments", state="declined") == []


def test_the_organisation_export_from_a_store_that_is_not_a_folder(
    world: World, grants: dict[str, int], store: InMemoryDocumentStore, tmp_path: Path
) -> None:
    with world.db.reading() as session:
        grant = session.get(Grant, grants["closed"])
    out = tmp_path / "export.zip"
    summary = write_organisation_export(world.db, grant.organisation_id, out, store)
    assert summary.grants == 1 and summary.documents == 1
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    letter = folder / "documents" / grant.reference / "decision_letter.pdf"
    assert letter.read_bytes() == LETTER
    assert not list(folder.rglob("approval_memo.pdf"))  # a staff document stays out
    record = json.loads((folder / f"records/grant-{grant.reference}.json").read_text("utf-8"))
    assert [r["aggregates"] for r in record["outcome_reports"]] == [
        r.aggregates for r in _reports(world, grant.id)
    ]
    result = subprocess.run(
        [sys.executable, "-I", "verify.py"], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_a_corrupted_document_stops_the_export_and_leaves_nothing(
    world: World, grants: dict[str, int], store: InMemoryDocumentStore, tmp_path: Path
) -> None:
    from documents.storage import StorageIntegrityError

    with world.db.reading() as session:
        grant = session.get(Grant, grants["closed"])
        letter = session.exec(
            select(StoredDocument).where(StoredDocument.kind == "decision_letter")
        ).one()
    original = store.blobs[letter.storage_key]
    store.blobs[letter.storage_key] = original[:-1] + b"!"
    try:
        out = tmp_path / "export.zip"
        with pytest.raises(StorageIntegrityError):
            write_organisation_export(world.db, grant.organisation_id, out, store)
        assert list(tmp_path.iterdir()) == []
    finally:
        store.blobs[letter.storage_key] = original


def _reports(world: World, grant_id: int) -> list[OutcomeReport]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(OutcomeReport)
                .where(OutcomeReport.grant_id == grant_id)
                .order_by(OutcomeReport.sequence)
            ).all()
        )


def test_an_organisation_without_grants_exports_its_registration(
    world: World, grants: dict[str, int], store: InMemoryDocumentStore, tmp_path: Path
) -> None:
    with world.db.reading() as session:
        used = set(session.exec(select(Grant.organisation_id)).all())
    empty = next(o for o in world.cast.organisations if o.id not in used)
    out = tmp_path / "empty.zip"
    summary = write_organisation_export(world.db, empty.id, out, store)  # type: ignore[arg-type]
    assert (summary.grants, summary.documents) == (0, 0)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        organisation = json.loads(archive.read("records/organisation.json"))
        grants_csv = archive.read("csv/grants.csv").decode("utf-8-sig")
    assert organisation["legal_name"] == empty.legal_name
    assert not [n for n in names if n.startswith(("records/grant-", "documents/"))]
    assert grants_csv.startswith("id,reference,") and grants_csv.count("\r\n") == 1


def test_an_unknown_organisation_is_refused_and_nothing_is_written(
    world: World, store: InMemoryDocumentStore, tmp_path: Path
) -> None:
    from models.errors import NotFound

    with pytest.raises(NotFound, match="organisation 999999 does not exist"):
        write_organisation_export(world.db, 999_999, tmp_path / "x.zip", store)
    assert list(tmp_path.iterdir()) == []
