"""Recording a stored document: its row, numbered and named, and its ``document_stored``
audit event, in the caller's transaction; and settling the document a step owed.

The workflow that renders documents and the tests that build an installation's log record
documents through here, so the audit trail they hash is the same.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlmodel import Session, func, select

from models.clock import utcnow
from models.tables import AuditEvent, Grant, OwedDocument, StoredDocument


class StoredBytes(Protocol):
    """Where a document store put the bytes (``documents.StoredFile`` is one)."""

    @property
    def key(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def size_bytes(self) -> int: ...


def stored_document_key(event_id: int, kind: str, language: str, fmt: str) -> str:
    """The idempotency key of the ``kind`` document of audit event ``event_id`` in ``language``
    and ``fmt``: whoever renders it (the step, a retry, a copy asked for in the other
    language) finds the row already stored under it."""
    return hashlib.sha256(f"{event_id}:{kind}:{language}:{fmt}".encode()).hexdigest()


def next_version(
    session: Session, grant_id: int, kind: str, subject_key: str, language: str, fmt: str
) -> int:
    """1 for the first document of its kind, subject, language and format; then one more."""
    latest = session.exec(
        select(func.max(StoredDocument.version)).where(
            StoredDocument.grant_id == grant_id,
            StoredDocument.kind == kind,
            StoredDocument.subject_key == subject_key,
            StoredDocument.language == language,
            StoredDocument.format == fmt,
        )
    ).one()
    return 1 + (latest or 0)


def record_stored_document(
    session: Session,
    grant: Grant,
    *,
    kind: str,
    subject_key: str,
    language: str,
    fmt: str,
    stored: StoredBytes,
    template_version: str,
    produced_by_event: int,
    idempotency_key: str,
    flow_run_id: str | None,
) -> StoredDocument:
    """Add the row of a document whose bytes are ``stored`` (its next version, its readable
    file name) and the ``document_stored`` event that records its SHA-256; return the row."""
    version = next_version(session, grant.id, kind, subject_key, language, fmt)  # type: ignore[arg-type]
    subject = f"_{subject_key}" if subject_key else ""
    document = StoredDocument(
        grant_id=grant.id,  # type: ignore[arg-type]
        kind=kind,
        subject_key=subject_key,
        version=version,
        language=language,
        format=fmt,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        storage_key=stored.key,
        filename=f"{grant.reference}_{kind}{subject}_v{version}.{language}.{fmt}",
        template_version=template_version,
        flow_run_id=flow_run_id,
        audit_event_id=produced_by_event,
        idempotency_key=idempotency_key,
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
            payload_summary={
                "document_id": document.id,
                "kind": kind,
                "format": fmt,
                "language": language,
                "version": document.version,
                "sha256": document.sha256,
                "size_bytes": document.size_bytes,
                "produced_by_event": produced_by_event,
            },
            flow_run_id=document.flow_run_id,
        )
    )
    return document


def settle_owed_document(session: Session, event_id: int, kind: str) -> None:
    """Mark the ``kind`` document that audit event ``event_id`` owed as stored (if owed)."""
    owed = session.exec(
        select(OwedDocument).where(
            OwedDocument.audit_event_id == event_id,
            OwedDocument.kind == kind,
            OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if owed is not None:
        owed.stored_at = utcnow()
        session.add(owed)
