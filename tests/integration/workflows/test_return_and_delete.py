"""Return and delete at close, end to end: grants driven through real flow runs to close (or
termination) with a unique marker in each deletable field, then the whole database (every
column of every table) and the whole document store (PDF text, DOCX XML, every other file)
searched for it. Run on SQLite and, with GRANTFLOW_TEST_DATABASE=postgresql, on PostgreSQL.

The fictional organisations' agreements (models.fictional.rows.DATA_AGREEMENTS) cover every
choice at close: index 0 keeps, 1 returns and deletes (notes to its governance body), 2
returns and deletes (notes to auditors too), 3 destroys (notes to no one).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import stat
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from documents.audit.verification import verify
from documents.storage import LocalDocumentStore
from models import fictional
from models.checkpoints import AuditStore
from models.data_return import return_file_name
from models.db import Database
from models.fictional.script import Step, actor, steps
from models.provisioning import create_application
from models.tables import (
    AuditEvent,
    Contact,
    Grant,
    Instalment,
    OutcomeReport,
    ReviewAssignment,
    ReviewScore,
    StoredDocument,
)
from tests.support.databases import database_url, use_installation
from tests.support.reading import pdf_text, without_spaces
from workflows.actions import run_action_inline
from workflows.runtime import reset_caches

pytestmark = pytest.mark.usefixtures("prefect_harness")


@dataclass
class Markers:
    rationale: str
    notes: str
    conflicts: list[str]

    def all(self) -> list[str]:
        return [self.rationale, self.notes, *self.conflicts]


@dataclass
class Ended:
    db: Database
    root: Path
    grant: Grant
    markers: Markers
    event: AuditEvent  # the close or terminate event


def _marker(what: str) -> str:
    # Letters and digits only: PDF text extraction keeps a word like this whole.
    return f"{what}{uuid.uuid4().hex[:14]}"


def _planted(step: Step, markers: Markers, conflict_index: list[int]) -> Step:
    if step.action == "declare_conflict":
        note = markers.conflicts[conflict_index[0]]
        conflict_index[0] += 1
        return Step(step.action, step.actor, {"kind": "indirect", "note": note}, step.at)
    if step.action in ("recommend", "not_recommend"):
        payload = {**step.payload, "rationale": f"Panel view {markers.rationale} agreed."}
        payload["deliberation_notes"] = f"Discussion {markers.notes} sealed."
        return Step(step.action, step.actor, payload, step.at)
    return step


def _drive(index: int, end: str, directory: Path) -> Iterator[Ended]:
    with database_url(directory) as url, pytest.MonkeyPatch.context() as patch:
        db = use_installation(patch, directory, url)
        cast = fictional.seed(db)
        organisation, application = fictional.application_for(index, cast)
        grant = create_application(db, organisation.id, application)
        markers = Markers(
            _marker("rationale"),
            _marker("notes"),
            [_marker(f"conflict{n}") for n in range(len(cast.reviewers))],
        )
        counter = [0]
        outcome = None
        for step in steps(db, cast, grant.id):
            if end == "terminate" and step.action == "initiate_payment":
                reason = {"reason": "The organisation asked to end the agreement early."}
                step = Step("terminate", actor(cast.approver), reason, step.at)
            step = _planted(step, markers, counter)
            outcome = asyncio.run(
                run_action_inline(
                    grant.id, grant.reference, step.action, step.actor, step.payload, now=step.at
                )
            )
            if step.action == "terminate":
                break
        assert (
            outcome is not None
            and outcome.grant_state
            == {
                "close": "closed",
                "terminate": "terminated",
            }[end]
        )
        with db.reading() as session:
            ended = session.get(Grant, grant.id)
            event = session.exec(
                select(AuditEvent)
                .where(AuditEvent.grant_id == grant.id, AuditEvent.action == end)
                .where(AuditEvent.outcome == "applied")
            ).one()
        try:
            yield Ended(db, directory, ended, markers, event)  # type: ignore[arg-type]
        finally:
            db.dispose()
            reset_caches()


def database_text(db: Database) -> str:
    """Every value of every row of every table, as one text."""
    parts: list[str] = []
    with db.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def store_texts(root: Path, *, skip: str | None = None) -> dict[str, str]:
    """Each file under ``root`` as text: a PDF's text, a DOCX's XML, anything else decoded."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if skip and name.startswith(skip):
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            texts[name] = without_spaces(pdf_text(data))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(BytesIO(data)) as archive:
                texts[name] = "".join(
                    archive.read(member).decode("utf-8", "replace") for member in archive.namelist()
                )
        else:
            texts[name] = data.decode("utf-8", "replace")
    return texts


def found_in(texts: dict[str, str], marker: str) -> list[str]:
    return [name for name, text in texts.items() if marker in text]


def data_return(ended: Ended) -> dict[str, Any]:
    return ended.event.payload_summary["details"]["data_return"]


def audit_intact(ended: Ended) -> None:
    result = verify(
        ended.db, AuditStore(ended.root / "audit"), LocalDocumentStore(ended.root / "documents")
    )
    assert result.intact, result.failures


def kept_records_intact(ended: Ended) -> None:
    with ended.db.reading() as session:
        grant = session.get(Grant, ended.grant.id)
        assert grant is not None and grant.approved_cents and grant.project_description
        for model in (Instalment, ReviewAssignment, ReviewScore):
            assert session.exec(select(model).where(model.grant_id == grant.id)).all(), model
        assert session.exec(
            select(Contact).where(Contact.organisation_id == grant.organisation_id)
        ).all()
        documents = session.exec(
            select(StoredDocument).where(StoredDocument.grant_id == grant.id)
        ).all()
        reports = session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == grant.id))
        assert all(r.aggregates for r in reports if r.state == "accepted")
    store = LocalDocumentStore(ended.root / "documents")
    kept = [d for d in documents if d.withdrawn_at is None]
    for kind in ("grant_agreement", "executed_agreement"):
        assert any(d.kind == kind for d in kept), kind
    for document in kept:
        store.read(document.storage_key)  # there, and its bytes match their digest
    withdrawn = {d.kind for d in documents if d.withdrawn_at is not None}
    assert withdrawn <= {"review_summary"}


@pytest.fixture(
    scope="module", params=[1, 2, 3], ids=["return-governance", "return-auditors", "destroy"]
)
def closed_under_agreement(request, tmp_path_factory) -> Iterator[Ended]:
    yield from _drive(request.param, "close", tmp_path_factory.mktemp(f"close-{request.param}"))


def test_deleted_content_is_found_nowhere_and_the_audit_trail_still_verifies(
    closed_under_agreement: Ended,
) -> None:
    ended = closed_under_agreement
    database = database_text(ended.db)
    files = store_texts(ended.root / "documents", skip="returns/")
    for marker in ended.markers.all():
        assert marker not in database, marker
        assert not found_in(files, marker), marker
    record = data_return(ended)
    assert record["deleted"]["review_rationale"] == 1
    assert record["deleted"]["deliberation_notes"] == 1
    assert record["deleted"]["conflict_notes"] == len(ended.markers.conflicts)
    assert record["deleted"]["documents"] == len(record["withdrawn_documents"]) >= 2
    assert record["deleted"]["request_payloads"] == 1 + len(ended.markers.conflicts)
    assert record["deleted"]["document_snapshots"] >= 1
    assert "audit_trail" in record["kept"] and "agreement_documents" in record["kept"]
    # The record holds names and counts, never what was written.
    for marker in ended.markers.all():
        assert marker not in json.dumps(ended.event.payload_summary)
    kept_records_intact(ended)
    audit_intact(ended)


def test_the_return_package_holds_what_the_agreement_returns(closed_under_agreement: Ended):
    ended = closed_under_agreement
    record = data_return(ended)
    package_path = ended.root / "documents" / return_file_name(ended.grant.reference)
    if record["at_close"] == "destroy":
        assert record["return_file"] is None and record["returned"] == {}
        assert not package_path.exists()
        return
    assert record["at_close"] == "return_and_delete"
    assert record["return_file"] == return_file_name(ended.grant.reference)
    assert stat.S_IMODE(package_path.stat().st_mode) == 0o600
    assert hashlib.sha256(package_path.read_bytes()).hexdigest() == record["return_sha256"]
    package = json.loads(package_path.read_text(encoding="utf-8"))
    assert ended.markers.rationale in package["review_rationale"]
    assert ended.markers.notes in package["deliberation_notes"]
    notes = [c["note"] for c in package["conflict_notes"]]
    assert sorted(notes) == sorted(ended.markers.conflicts)
    assert record["returned"] == {
        "review_rationale": 1,
        "deliberation_notes": 1,
        "conflict_notes": len(ended.markers.conflicts),
    }
    # No panel member is named in what goes back to the organisation.
    assert all(set(c) == {"member", "kind", "note"} for c in package["conflict_notes"])


def test_keep_deletes_nothing(tmp_path: Path) -> None:
    for ended in _drive(0, "close", tmp_path):
        record = data_return(ended)
        assert record["at_close"] == "keep" and record["deleted"] == {}
        database = database_text(ended.db)
        assert all(marker in database for marker in ended.markers.all())
        assert found_in(store_texts(ended.root / "documents"), ended.markers.rationale)
        language, text = certificate_text(ended)
        assert CERTIFICATE_SAYS[("keep", language)] in text, text
        audit_intact(ended)


def test_a_terminated_grant_is_returned_and_deleted_too(tmp_path: Path) -> None:
    for ended in _drive(1, "terminate", tmp_path):
        record = data_return(ended)
        assert record["at_close"] == "return_and_delete"
        assert record["deleted"]["review_rationale"] == 1
        database = database_text(ended.db)
        files = store_texts(ended.root / "documents", skip="returns/")
        for marker in ended.markers.all():
            assert marker not in database and not found_in(files, marker), marker
        package = json.loads(
            (ended.root / "documents" / record["return_file"]).read_text(encoding="utf-8")
        )
        assert ended.markers.notes in package["deliberation_notes"]
        kept_records_intact(ended)
        audit_intact(ended)


CERTIFICATE_SAYS = {
    ("return_and_delete", "en"): "returned to the organisation and then deleted",
    ("return_and_delete", "fr"): "remis à l’organisme, puis effacé",
    ("destroy", "en"): "deleted from the Fund’s records on",
    ("destroy", "fr"): "effacé des dossiers du Fonds le",
    ("keep", "en"): "keeps the community review’s content",
}


def certificate_text(ended: Ended) -> tuple[str, str]:
    with ended.db.reading() as session:
        certificate = session.exec(
            select(StoredDocument).where(
                StoredDocument.grant_id == ended.grant.id,
                StoredDocument.kind == "closeout_certificate",
                StoredDocument.format == "pdf",
            )
        ).one()
    data = LocalDocumentStore(ended.root / "documents").read(certificate.storage_key)
    # Lines joined, and a word broken at its hyphen across two lines made whole again.
    return certificate.language, " ".join(pdf_text(data).split()).replace("- ", "-")


def test_the_close_out_certificate_says_what_was_returned_deleted_and_kept(
    closed_under_agreement: Ended,
) -> None:
    ended = closed_under_agreement
    record = data_return(ended)
    language, text = certificate_text(ended)
    assert CERTIFICATE_SAYS[(record["at_close"], language)] in text, text
    assert f"(version {record['agreement_version']})" in text
    conflicts = len(ended.markers.conflicts)
    noted = {"en": "conflict-of-interest notes", "fr": "notes sur les conflits d’intérêts"}
    assert f"{noted[language]} ({conflicts})" in text
    kept = {"en": "the project description included", "fr": "description du projet comprise"}
    assert kept[language] in text


def test_the_organisations_export_hands_the_return_package_over(
    closed_under_agreement: Ended, tmp_path: Path
) -> None:
    """The package reaches the organisation through its signing authority's export, exactly as
    written and checked against the digest its close recorded; a changed package stops the
    export, with nothing written."""
    import zipfile

    from models.data_return import ReturnPackageAltered
    from service.exports.organisation import write_organisation_export
    from workflows.runtime import document_store

    ended = closed_under_agreement
    record = data_return(ended)
    out = tmp_path / "export.zip"
    write_organisation_export(ended.db, ended.grant.organisation_id, out, document_store())
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        grant_record = json.loads(archive.read(f"records/grant-{ended.grant.reference}.json"))
        returned = [n for n in names if n.startswith("returned/")]
        if record["at_close"] == "destroy":
            assert returned == [] and grant_record["returned_package"] is None
            return
        assert returned == [f"returned/{ended.grant.reference}-returned-data.json"]
        assert grant_record["returned_package"] == returned[0]
        package = archive.read(returned[0])
    assert hashlib.sha256(package).hexdigest() == record["return_sha256"]
    assert ended.markers.notes in package.decode("utf-8")

    package_path = ended.root / "documents" / record["return_file"]
    original = package_path.read_bytes()
    package_path.write_bytes(original.replace(b"returned_at", b"returned_on"))
    altered = tmp_path / "altered.zip"
    try:
        with pytest.raises(ReturnPackageAltered):
            write_organisation_export(
                ended.db, ended.grant.organisation_id, altered, document_store()
            )
    finally:
        package_path.write_bytes(original)
    assert not altered.exists()
