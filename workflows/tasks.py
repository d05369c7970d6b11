"""Prefect tasks of an action run: the transition, then its documents."""

from __future__ import annotations

import hashlib
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from sqlmodel import func, select

from documents import KINDS, build_document, render_document
from models.context import Actor
from models.engine import TransitionResult, apply_action
from models.tables import AuditEvent, Fund, Grant, Organisation, StoredDocument
from workflows.runtime import database, document_store
from workflows.snapshot import document_context, document_details

FORMATS = ("pdf", "docx")


def current_flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


@task(name="apply-transition", cache_policy=NONE)
def apply_transition(
    grant_id: int,
    action: str,
    actor: Actor,
    payload: dict[str, Any],
    idempotency_key: str,
    now: Any = None,
) -> TransitionResult:
    """Side effect: one database transaction (guards, state change, audit event)."""
    return apply_action(
        database(),
        grant_id,
        action,
        actor,
        payload,
        now=now,
        idempotency_key=idempotency_key,
        flow_run_id=current_flow_run_id(),
    )


def document_language(kind: str, organisation: Organisation, fund: Fund) -> str:
    audience = KINDS[kind].audience
    return organisation.preferred_language if audience == "applicant" else fund.staff_language


# retries=2 runs the rendering up to three times: WeasyPrint and the store are the parts of
# a run that touch fonts and the disk, where a transient failure is worth another try.
@task(name="render-and-store-document", retries=2, retry_delay_seconds=1, cache_policy=NONE)
def render_and_store(result: TransitionResult, kind: str) -> list[dict[str, Any]]:
    """Side effect: files written to the document store and one row per format.

    Idempotent: the key is derived from the audit event, kind, language and format, so a
    retried or replayed run finds the rows it already wrote.
    """
    db = database()
    store = document_store()
    stored: list[dict[str, Any]] = []
    with db.transaction() as session:
        grant = session.get(Grant, result.grant_id)
        assert grant is not None
        fund = session.get(Fund, grant.fund_id)
        organisation = session.get(Organisation, grant.organisation_id)
        assert fund is not None and organisation is not None
        language = document_language(kind, organisation, fund)
        event = session.get(AuditEvent, result.event_id)
        assert event is not None
        details = document_details(session, grant.id, kind, language, result.details)  # type: ignore[arg-type]
        context = document_context(session, grant.id, kind, language, event.occurred_at, details)  # type: ignore[arg-type]
        content = build_document(context)
        for fmt in FORMATS:
            key = hashlib.sha256(f"{result.event_id}:{kind}:{language}:{fmt}".encode()).hexdigest()
            existing = session.exec(
                select(StoredDocument).where(StoredDocument.idempotency_key == key)
            ).first()
            if existing is None:
                data = render_document(content, fmt)
                saved = store.put(data, fmt)
                version = 1 + (
                    session.exec(
                        select(func.max(StoredDocument.version)).where(
                            StoredDocument.grant_id == grant.id,
                            StoredDocument.kind == kind,
                            StoredDocument.subject_key == result.subject_key,
                            StoredDocument.language == language,
                            StoredDocument.format == fmt,
                        )
                    ).one()
                    or 0
                )
                subject = f"_{result.subject_key}" if result.subject_key else ""
                existing = StoredDocument(
                    grant_id=grant.id,  # type: ignore[arg-type]
                    kind=kind,
                    subject_key=result.subject_key,
                    version=version,
                    language=language,
                    format=fmt,
                    sha256=saved.sha256,
                    size_bytes=saved.size_bytes,
                    storage_key=saved.key,
                    filename=f"{grant.reference}_{kind}{subject}_v{version}.{language}.{fmt}",
                    template_version=KINDS[kind].template_version,
                    flow_run_id=current_flow_run_id(),
                    audit_event_id=result.event_id,
                    idempotency_key=key,
                )
                session.add(existing)
                session.flush()
                session.add(
                    AuditEvent(
                        grant_id=grant.id,
                        subject="document",
                        subject_id=existing.id,
                        actor_name="grantflow",
                        role="system",
                        action="document_stored",
                        payload_summary={
                            "document_id": existing.id,
                            "kind": kind,
                            "format": fmt,
                            "language": language,
                            "version": existing.version,
                            "sha256": existing.sha256,
                            "size_bytes": existing.size_bytes,
                            "produced_by_event": result.event_id,
                        },
                        flow_run_id=existing.flow_run_id,
                    )
                )
            stored.append(stored_summary(existing))
    return stored


def stored_summary(document: StoredDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "kind": document.kind,
        "subject_key": document.subject_key,
        "format": document.format,
        "language": document.language,
        "version": document.version,
        "sha256": document.sha256,
        "filename": document.filename,
        "download_url": f"/api/v1/documents/{document.id}/file",
    }
