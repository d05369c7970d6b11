"""Recording an accepted request, and answering a repeated one from its record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.engine import fingerprint
from models.requests import engine_key, find_request, new_request, same_request
from models.tables import ActionRequest, AuditEvent, Grant, OwedDocument, StoredDocument
from workflows.runtime import database
from workflows.tasks import stored_summary


class ActionOutcome(BaseModel):
    """What a carried-out request answers: the service's ``ActionResult`` is this model."""

    model_config = ConfigDict(frozen=True)

    grant_id: int
    reference: str
    action: str
    subject: str
    subject_id: int | None
    from_state: str | None
    to_state: str | None
    grant_state: str
    event_id: int
    flow_run_id: str | None
    replayed: bool = Field(description="True when an Idempotency-Key repeated an earlier request")
    documents: list[dict[str, Any]] = Field(default_factory=list)
    documents_pending: list[str] = Field(
        default_factory=list,
        description="Document kinds the step committed but could not produce yet; they are "
        "retried until stored",
    )


def accept_request(
    grant_id: int,
    action: str,
    user_id: int,
    payload: dict[str, Any] | None,
    idempotency_key: str | None,
    as_of: datetime | None = None,
) -> ActionRequest:
    """Record the request (or find the caller's own earlier one under the same key).

    The key belongs to its caller: another user's request under the same key is a different
    request, neither a collision nor a way to learn what that user asked.
    """
    db = database()
    request_hash = fingerprint(action, payload)
    if idempotency_key:
        with db.reading() as session:
            earlier = find_request(session, user_id, idempotency_key)
        if earlier is not None:
            same_request(earlier, grant_id, action, request_hash)
            return earlier
    try:
        with db.transaction() as session:
            request = new_request(
                grant_id=grant_id,
                action=action,
                user_id=user_id,
                payload=payload,
                request_hash=request_hash,
                idempotency_key=idempotency_key,
                as_of=as_of,
            )
            session.add(request)
        return request
    except IntegrityError:
        # A twin request with the same key committed first: it is this request.
        assert idempotency_key
        with db.reading() as session:
            earlier = find_request(session, user_id, idempotency_key)
        assert earlier is not None
        same_request(earlier, grant_id, action, request_hash)
        return earlier


def earlier_request(
    user_id: int, grant_id: int, action: str, payload: dict[str, Any] | None, key: str
) -> ActionRequest | None:
    """The caller's request under ``key``, if they made one (raises if it asked otherwise)."""
    with database().reading() as session:
        earlier = find_request(session, user_id, key)
    if earlier is not None:
        same_request(earlier, grant_id, action, fingerprint(action, payload))
    return earlier


def note_flow_run(request_id: int, flow_run_id: str) -> None:
    with database().transaction() as session:
        request = session.get(ActionRequest, request_id)
        if request is not None and request.flow_run_id != flow_run_id:
            request.flow_run_id = flow_run_id
            session.add(request)


def note_outcome(request_id: int, status: str, event_id: int | None = None) -> None:
    """What became of the request: ``applied`` (with its audit event) or ``refused``."""
    with database().transaction() as session:
        request = session.get(ActionRequest, request_id)
        if request is not None:
            request.status = status
            request.audit_event_id = event_id
            session.add(request)


def event_documents(event_id: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents a step stored, and the kinds it still owes."""
    with database().reading() as session:
        stored = session.exec(
            select(StoredDocument)
            .where(StoredDocument.audit_event_id == event_id)
            .order_by(StoredDocument.id)  # type: ignore[arg-type]
        ).all()
        owed = session.exec(
            select(OwedDocument.kind)
            .where(
                OwedDocument.audit_event_id == event_id,
                OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(OwedDocument.id)  # type: ignore[arg-type]
        ).all()
    return [stored_summary(d) for d in stored], list(owed)


def previous_outcome(request: ActionRequest) -> ActionOutcome | None:
    """The answer this request already got, without running anything again.

    The engine refuses to apply a request twice in any case; answering here also saves the
    repeat a flow run of its own.
    """
    with database().reading() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.idempotency_key == engine_key(request))
        ).first()
        if event is None:
            return None
        grant = session.get(Grant, request.grant_id)
        assert grant is not None
    documents, pending = event_documents(event.id)  # type: ignore[arg-type]
    return ActionOutcome(
        grant_id=request.grant_id,
        reference=grant.reference,
        action=request.action,
        subject=event.subject,
        subject_id=event.subject_id,
        from_state=event.from_state,
        to_state=event.to_state,
        grant_state=event.payload_summary.get("grant_state", grant.state),
        event_id=event.id,  # type: ignore[arg-type]
        flow_run_id=event.flow_run_id,
        replayed=True,
        documents=documents,
        documents_pending=pending,
    )
