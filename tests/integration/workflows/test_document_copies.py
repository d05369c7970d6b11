"""Copies in the other official language on the database of the pass (SQLite, PostgreSQL):
made once, from the content kept when the step stored the original, even when asked for twice
at the same moment.

On a copy of the session's closed grant (its files copied too), never the grant itself.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import select

from documents import KINDS
from documents.audit.verification import verify
from models.document_snapshots import DocumentSnapshot
from models.tables import AuditEvent, StoredDocument, User
from service.authz import document_readers
from tests.support.databases import copied_database, use_installation
from tests.support.reading import docx_text, pdf_text, squash
from workflows.document_copies import COPY_REQUESTED, render_other_language_copy
from workflows.runtime import database, document_store, reset_caches


@dataclass(frozen=True)
class Installation:
    db: Any
    certificate: StoredDocument  # the English close-out certificate (PDF)
    applicant: User


@pytest.fixture
def installation_copy(closed_grant, tmp_path, monkeypatch) -> Iterator[Installation]:
    shutil.copytree(closed_grant.root / "documents", tmp_path / "documents")
    with copied_database(closed_grant.url, tmp_path) as url:
        db = use_installation(monkeypatch, tmp_path, url)
        with db.reading() as session:
            certificate = session.exec(
                select(StoredDocument).where(
                    StoredDocument.grant_id == closed_grant.grant.id,
                    StoredDocument.kind == "closeout_certificate",
                    StoredDocument.format == "pdf",
                )
            ).one()
        applicant = closed_grant.cast.applicants[closed_grant.grant.organisation_id]
        yield Installation(db, certificate, applicant)
        database().dispose()
        reset_caches()


def _copy_events(db: Any) -> list[AuditEvent]:
    with db.reading() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == COPY_REQUESTED)))


def test_the_copy_is_rendered_from_the_kept_content_and_verifies(installation_copy):
    found = installation_copy
    assert found.certificate.language == "en"
    with found.db.reading() as session:
        assert session.get(
            DocumentSnapshot, (found.certificate.audit_event_id, "closeout_certificate")
        )

    copy = render_other_language_copy(found.certificate.id, found.applicant, document_readers)  # type: ignore[arg-type]

    assert copy.made_now and copy.language == "fr"
    assert [d.format for d in copy.documents] == ["pdf", "docx"]
    title = KINDS["closeout_certificate"].title_fr
    store = document_store()
    for document, read in zip(copy.documents, (pdf_text, docx_text), strict=True):
        assert document.audit_event_id == found.certificate.audit_event_id
        assert squash(title) in squash(read(store.read(document.storage_key)))
    assert len(_copy_events(found.db)) == 1
    result = verify(found.db, files=store)
    assert result.intact, result.failure


def test_two_requests_writing_at_the_same_moment_make_one_copy(installation_copy, monkeypatch):
    """Both render, then both open their write transaction before either stores anything:
    SQLite lets the second in only once the first committed (it finds the rows); PostgreSQL
    lets both in, and the second's insert fails on the key the first stored (it re-reads)."""
    import workflows.document_copies as copies_module

    found = installation_copy
    both_writing = threading.Barrier(2, timeout=60)
    record = copies_module._record

    def record_together(*arguments: Any) -> Any:
        both_writing.wait()
        return record(*arguments)

    monkeypatch.setattr(copies_module, "_record", record_together)

    def ask(_: int) -> Any:
        return render_other_language_copy(found.certificate.id, found.applicant, document_readers)  # type: ignore[arg-type]

    with ThreadPoolExecutor(2) as pool:
        copies = list(pool.map(ask, range(2)))

    assert [c.made_now for c in copies].count(True) == 1
    assert {tuple(d.id for d in c.documents) for c in copies} == {
        tuple(d.id for d in copies[0].documents)
    }
    assert len(_copy_events(found.db)) == 1
    with found.db.reading() as session:
        french = session.exec(
            select(StoredDocument).where(
                StoredDocument.kind == "closeout_certificate", StoredDocument.language == "fr"
            )
        ).all()
    assert len(french) == 2
