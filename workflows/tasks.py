"""Prefect tasks of an action run: the transition, then its documents."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from sqlmodel import Session, select

from documents import FORMATS, KINDS, StoredFile, build_document
from documents.context_codec import encode_context
from documents.issuing import issue_document
from models.context import Actor
from models.document_snapshots import keep_snapshot
from models.engine import TransitionResult, apply_action, record_denial
from models.errors import ActionRejected, NotPermitted
from models.requests import engine_key
from models.stored_documents import (
    record_stored_document,
    settle_owed_document,
    stored_document_key,
)
from models.tables import (
    ActionRequest,
    AuditEvent,
    Fund,
    Grant,
    Organisation,
    OwedDocument,
    StoredDocument,
    User,
)
from workflows.faults import fail_rendering_if_asked
from workflows.runtime import database, document_store
from workflows.snapshot import document_context, document_details

logger = logging.getLogger("grantflow.tasks")


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.name, tuple(user.roles), user.organisation_id)  # type: ignore[arg-type]


def current_flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


@dataclass(frozen=True)
class Refused:
    """The engine refused the request; the refusal is already on the audit trail.

    Returned, not raised: a raised domain error would put its message (which may name people
    or quote the payload) into Prefect's task-run state and logs.
    """

    error: ActionRejected


@task(name="apply-transition", cache_policy=NONE, persist_result=False)
def apply_transition(request_id: int) -> TransitionResult | Refused:
    """Side effect: one database transaction (guards, state change, audit event).

    The request and its user are read from grantflow's database, the user with the roles
    they hold now; nothing the flow run carries but the request's id is trusted.
    """
    db = database()
    with db.reading() as session:
        request = session.get(ActionRequest, request_id)
        assert request is not None
        user = session.get(User, request.user_id)
        assert user is not None
    actor = actor_of(user)
    try:
        if not user.active:
            raise NotPermitted(
                f"user {user.id} was revoked before request {request_id} was carried out"
            )
        return apply_action(
            db,
            request.grant_id,
            request.action,
            actor,
            request.payload,
            now=request.as_of,
            idempotency_key=engine_key(request),
            flow_run_id=current_flow_run_id(),
        )
    except ActionRejected as error:
        # The refused change left nothing behind; the refusal itself is on the record.
        record_denial(
            db, request.grant_id, request.action, actor, error, flow_run_id=current_flow_run_id()
        )
        return Refused(error)


def document_language(kind: str, organisation: Organisation, fund: Fund) -> str:
    if KINDS[kind].to_the_organisation:
        return organisation.preferred_language
    return fund.staff_language


class DocumentNotProduced(RuntimeError):
    """A document could not be produced; it stays owed. Says ids and the error type only."""


def _subject_key(event: AuditEvent) -> str:
    """'' for the grant itself, else e.g. 'instalment-2': which instalment or report."""
    if event.subject == "grant":
        return ""
    return f"{event.subject}-{event.payload_summary.get('sequence')}"


def _note_failure(event_id: int, kind: str, error: BaseException) -> None:
    with database().transaction() as session:
        owed = session.exec(
            select(OwedDocument).where(
                OwedDocument.audit_event_id == event_id, OwedDocument.kind == kind
            )
        ).first()
        if owed is not None:
            owed.attempts += 1
            owed.last_error = f"{type(error).__name__}: {error}"[:500]
            session.add(owed)


# retries=2 runs the rendering up to three times: WeasyPrint and the store are the parts of
# a run that touch fonts and the disk, where a transient failure is worth another try. After
# the third failure the document stays owed, and the owed-documents flow tries again later.
@task(
    name="render-and-store-document",
    retries=2,
    retry_delay_seconds=1,
    cache_policy=NONE,
    persist_result=False,
)
def render_and_store(event_id: int, kind: str) -> list[dict[str, Any]]:
    """Side effect: files written to the document store, one row per format, and the owed
    document settled, in one transaction.

    Idempotent: the key is derived from the audit event, kind, language and format, so a
    retried or replayed run finds the rows it already wrote.
    """
    try:
        return _render_and_store(event_id, kind)
    except Exception as error:
        # The error's text stays in grantflow's database (it may quote a name or a title);
        # Prefect's state and logs get the ids and the error's type only.
        _note_failure(event_id, kind, error)
        raise DocumentNotProduced(
            f"{kind} for audit event {event_id}: {type(error).__name__}"
        ) from None


def _render_and_store(event_id: int, kind: str) -> list[dict[str, Any]]:
    """Read what the document says, render and store the missing files outside any write
    transaction (the store may be the database itself, and rendering takes a while), then
    record their rows, the snapshot and the settled owed row in one transaction."""
    db = database()
    store = document_store()
    with db.reading() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None and event.grant_id is not None
        grant = session.get(Grant, event.grant_id)
        assert grant is not None
        fund = session.get(Fund, grant.fund_id)
        organisation = session.get(Organisation, grant.organisation_id)
        assert fund is not None and organisation is not None
        language = document_language(kind, organisation, fund)
        subject_key = _subject_key(event)
        recorded = dict(event.payload_summary.get("details", {}))
        details = document_details(session, grant.id, kind, language, recorded)  # type: ignore[arg-type]
        context = document_context(session, grant.id, kind, language, event.occurred_at, details)  # type: ignore[arg-type]
        missing = [
            fmt
            for fmt in FORMATS
            if _stored(session, stored_document_key(event_id, kind, language, fmt)) is None
        ]
    files: dict[str, StoredFile] = {}
    if missing:
        content = build_document(context)
        for fmt in missing:
            fail_rendering_if_asked(kind)
            files[fmt] = store.put(issue_document(content, fmt), fmt)
    stored: list[dict[str, Any]] = []
    with db.transaction() as session:
        grant = session.get(Grant, event.grant_id)
        assert grant is not None
        rendered_now = False
        for fmt in FORMATS:
            key = stored_document_key(event_id, kind, language, fmt)
            existing = _stored(session, key)
            if existing is None:
                # Rows are never deleted: a row seen above is still here.
                rendered_now = True
                existing = record_stored_document(
                    session,
                    grant,
                    kind=kind,
                    subject_key=subject_key,
                    language=language,
                    fmt=fmt,
                    stored=files[fmt],
                    template_version=KINDS[kind].template_version,
                    produced_by_event=event_id,
                    idempotency_key=key,
                    flow_run_id=current_flow_run_id(),
                )
            stored.append(stored_summary(existing))
        if rendered_now:
            # The content these files were rendered from, for a copy in the other language
            # later. Only when rendered now: rows a re-run finds were made from content that
            # today's rows may no longer hold.
            keep_snapshot(session, event_id, kind, grant.id, encode_context(context))  # type: ignore[arg-type]
        settle_owed_document(session, event_id, kind)
    return stored


def _stored(session: Session, key: str) -> StoredDocument | None:
    return session.exec(select(StoredDocument).where(StoredDocument.idempotency_key == key)).first()


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


def send_step_messages(event_id: int) -> dict[str, int]:
    """Send the messages a step wrote (to staff at once, to the organisation once its
    documents are stored). Never fails the step: what is not sent now stays in the outbox and
    is sent by the next delivery (``serve``, workers, the daily sweep).

    A plain call in the step's flow run, not a Prefect task: the outbox is the record of what
    was sent, and a task run cost each step a Prefect client and three recorded states for
    nothing grantflow reads (``benchmarks/action_cost.py``)."""
    from workflows.delivery import deliver_due

    try:
        return deliver_due(event_id=event_id).as_dict()
    except Exception as error:  # noqa: BLE001 - e.g. bad mail settings; the outbox keeps them
        logger.warning(
            "messages of audit event %s not sent now: %s", event_id, type(error).__name__
        )
        return {}
