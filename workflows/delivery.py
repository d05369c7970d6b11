"""Sending the notification outbox (``models.notifications`` writes it).

Each notification is claimed by one process (a conditional update from ``pending``), composed
from the grant as it is now (``documents.messages``; the body is never stored), sent through
the installation's transport (``workflows.mail``: files in ``<data>/outbox``, or SMTP), and
marked sent with its ``message_sent`` audit event (kind, recipient role, Message-ID; never the
address or the body). Notifications go in batches (a step's few, or ``BATCH`` of a backlog):
one transaction claims the batch, one records every outcome.

A transient failure (the SMTP server is down, a 4xx reply) puts it back with a growing delay;
nothing was delivered, so the retry is the first delivery, under the same Message-ID. A
permanent one (a 5xx reply) fails it, audited. A claim older than ``STALE_CLAIM`` (its process
died mid-batch) is taken again: the one case where a message may arrive twice, under one
Message-ID, which mail clients show once (and the outbox writes once).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import or_, update
from sqlmodel import Session, select

from documents import KINDS
from documents.messages import ComposedMessage, MessageFacts, compose, compose_digest
from documents.storage import DocumentStore
from models import lifecycle, notifications
from models.clock import as_utc, utcnow
from models.db import data_dir
from models.provisioning import system_actor
from models.tables import (
    AuditEvent,
    Contact,
    Grant,
    Instalment,
    Notification,
    OutcomeReport,
    OwedDocument,
    StoredDocument,
    User,
)
from models.visibility import system_role
from workflows.mail import (
    MailTransport,
    PermanentMailError,
    sender_address,
    transport_from_environment,
)
from workflows.runtime import database, document_store

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 12  # about a day of retries with the delays below
# Notifications claimed, sent and recorded together: a step writes a few; a backlog goes in
# batches so that a process dying mid-batch leaves few to be sent again.
BATCH = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=4)
DIGEST = "staff_digest"
BASE_URL_VARIABLE = "GRANTFLOW_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """Where the pages are, for the links in messages (``GRANTFLOW_BASE_URL``)."""
    return (os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).rstrip("/")


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min... up to 4 h between attempts."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass
class DeliveryCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def _due_ids(session: Session, now: datetime, event_id: int | None, limit: int) -> list[int]:
    stale = now - STALE_CLAIM
    query = select(Notification.id).where(
        or_(
            (Notification.status == "pending") & (Notification.next_attempt_at <= now),  # type: ignore[arg-type,operator]
            (Notification.status == "sending") & (Notification.claimed_at < stale),  # type: ignore[arg-type,operator]
        )
    )
    if event_id is not None:
        query = query.where(Notification.audit_event_id == event_id)
    return list(session.exec(query.order_by(Notification.id).limit(limit)))  # type: ignore[arg-type]


def messages_due(now: datetime | None = None) -> bool:
    """Whether any notification waits to be sent by ``now`` (or was claimed by a process that
    stopped before sending it): what ``deliver_due`` would try."""
    moment = as_utc(now or utcnow())
    with database().reading() as session:
        return bool(_due_ids(session, moment, None, 1))


def _claim_all(notification_ids: Sequence[int], now: datetime) -> list[int]:
    """Take for this process, in one transaction, those of the notifications no other process
    took first (a conditional update each); their ids, in the order given."""
    stale = now - STALE_CLAIM
    claimed = []
    with database().transaction() as session:
        for notification_id in notification_ids:
            taken = session.execute(
                update(Notification)
                .where(
                    Notification.id == notification_id,  # type: ignore[arg-type]
                    or_(
                        Notification.status == "pending",  # type: ignore[arg-type]
                        (Notification.status == "sending") & (Notification.claimed_at < stale),  # type: ignore[arg-type,operator]
                    ),
                )
                .values(status="sending", claimed_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(notification_id)
    return claimed


# ----------------------------------------------------------------------------- composing


def _facts(session: Session, notification: Notification) -> MessageFacts:
    grant = session.get(Grant, notification.grant_id) if notification.grant_id else None
    reference = grant.reference if grant is not None else ""
    link = f"{base_url()}/grants/{grant.id}" if grant is not None else f"{base_url()}/"
    to_organisation = notification.recipient_contact_id is not None
    report_sequence = report_kind = instalment_sequence = None
    kind, _, number = notification.subject_key.partition("-")
    if kind == "report" and number.isdigit() and grant is not None:
        report = session.exec(
            select(OutcomeReport).where(
                OutcomeReport.grant_id == grant.id, OutcomeReport.sequence == int(number)
            )
        ).first()
        report_sequence = int(number)
        report_kind = report.kind if report is not None else None
        deadline = notification.deadline or (report.due_date if report is not None else None)
    elif kind == "instalment" and number.isdigit() and grant is not None:
        instalment = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant.id, Instalment.sequence == int(number)
            )
        ).first()
        instalment_sequence = int(number)
        deadline = notification.deadline or (
            instalment.due_date if instalment is not None else None
        )
    else:
        deadline = notification.deadline
    return MessageFacts(
        reference=reference,
        link=link,
        project_title=grant.project_title if grant is not None and to_organisation else "",
        document_titles=tuple(
            KINDS[d.kind].title(notification.language) for d in _attachments(session, notification)
        )
        if to_organisation
        else (),
        report_sequence=report_sequence,
        report_kind=report_kind,
        instalment_sequence=instalment_sequence,
        deadline=deadline,
        days=notification.days,
    )


def _attachments(session: Session, notification: Notification) -> list[StoredDocument]:
    """The organisation's own documents of the step it announces, in its language, as PDF."""
    if notification.audit_event_id is None or notification.recipient_contact_id is None:
        return []
    rows = session.exec(
        select(StoredDocument)
        .where(
            StoredDocument.audit_event_id == notification.audit_event_id,
            StoredDocument.format == "pdf",
            StoredDocument.language == notification.language,
        )
        .order_by(StoredDocument.id)  # type: ignore[arg-type]
    ).all()
    return [d for d in rows if d.kind in KINDS and KINDS[d.kind].to_the_organisation]


def _recipient_name(session: Session, notification: Notification) -> str:
    if notification.recipient_contact_id is not None:
        contact = session.get(Contact, notification.recipient_contact_id)
        return contact.name if contact is not None else ""
    user = session.get(User, notification.recipient_user_id or 0)
    return user.name if user is not None else ""


def _composed(session: Session, notification: Notification, name: str) -> ComposedMessage:
    if notification.kind == DIGEST:
        lines = session.exec(
            select(Notification)
            .where(Notification.digest_id == notification.id)
            .order_by(Notification.id)  # type: ignore[arg-type]
        ).all()
        entries = [(line.kind, _facts(session, line)) for line in lines]
        return compose_digest(notification.language, entries, name)
    return compose(notification.kind, notification.language, _facts(session, notification), name)


def build_message(
    session: Session, notification: Notification, store: DocumentStore
) -> EmailMessage:
    """The email of ``notification``, as it is sent (and as the outbox file holds it)."""
    name = _recipient_name(session, notification)
    composed = _composed(session, notification, name)
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = formataddr((name, notification.address))
    message["Subject"] = composed.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notification.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Grantflow-Kind"] = notification.kind
    message.set_content(composed.body)
    for document in _attachments(session, notification):
        message.add_attachment(
            store.read(document.storage_key),
            maintype="application",
            subtype="pdf",
            filename=document.filename,
        )
    # After the attachments: making the message multipart moves Content-* headers inward.
    message["Content-Language"] = notification.language
    return message


# ------------------------------------------------------------------------------ sending


def _record_all(outcomes: Sequence[tuple[int, str, str | None]], now: datetime) -> None:
    """Mark each notification (id, outcome, error) sent, failed or due again, in one
    transaction, with an audit event for each that ended (sent or failed)."""
    if not outcomes:
        return
    system = system_actor(database())
    with database().transaction() as session:
        for notification_id, outcome, error in sorted(outcomes):
            notification = session.get(Notification, notification_id)
            assert notification is not None
            _apply_outcome(session, notification, outcome, now, error, system)


def _apply_outcome(
    session: Session,
    notification: Notification,
    outcome: str,
    now: datetime,
    error: str | None,
    system: User,
) -> None:
    notification.attempts += 1
    notification.last_error = error[:300] if error else None
    if outcome == "retry" and notification.attempts >= MAX_ATTEMPTS:
        outcome = "failed"
    if outcome == "retry":
        notification.status = "pending"
        notification.next_attempt_at = now + retry_delay(notification.attempts)
    else:
        notification.status = outcome
        notification.sent_at = now if outcome == "sent" else None
        session.add(
            AuditEvent(
                grant_id=notification.grant_id,
                subject="notification",
                subject_id=notification.id,
                actor_id=system.id,
                actor_name=system.name,
                role=system_role(),
                action="message_sent" if outcome == "sent" else "message_failed",
                outcome="applied" if outcome == "sent" else "failed",
                payload_summary={
                    "kind": notification.kind,
                    "recipient_role": notification.recipient_role,
                    "message_id": notification.message_id,
                    "language": notification.language,
                },
                occurred_at=now,
            )
        )
    session.add(notification)


def _failure(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _composed_messages(
    notification_ids: Sequence[int], outcomes: list[tuple[int, str, str | None]]
) -> list[tuple[int, EmailMessage]]:
    """Each notification's email, composed in one read; one that cannot be composed is due
    again (``outcomes`` says why), the others still go."""
    messages = []
    store = document_store()
    with database().reading() as session:
        for notification_id in notification_ids:
            try:
                notification = session.get(Notification, notification_id)
                assert notification is not None
                messages.append((notification_id, build_message(session, notification, store)))
            except Exception as error:  # noqa: BLE001 - composing failed: try again later, said why
                outcomes.append((notification_id, "retry", _failure(error)))
    return messages


def deliver_batch(
    notification_ids: Sequence[int], transport: MailTransport, now: datetime
) -> dict[int, str]:
    """Send those of the notifications this process wins the claim of: each id's outcome,
    "sent", "retry", "failed" or "taken" (another process has it).

    The claims are one transaction and the outcomes another, whatever the batch's size (a
    transaction's session and commit cost more than the updates in it). A process that dies
    between a send and the outcomes' commit leaves its batch claimed; after ``STALE_CLAIM``
    another sends it again under the same Message-IDs (the outbox keeps the first file; mail
    clients show one message)."""
    claimed = _claim_all(notification_ids, now)
    outcomes: list[tuple[int, str, str | None]] = []
    try:
        for notification_id, message in _composed_messages(claimed, outcomes):
            try:
                transport.send(message)
            except PermanentMailError as error:
                outcomes.append((notification_id, "failed", _failure(error)))
            except Exception as error:  # noqa: BLE001 - transient or unforeseen: try again later
                outcomes.append((notification_id, "retry", _failure(error)))
            else:
                outcomes.append((notification_id, "sent", None))
    finally:
        _record_all(outcomes, now)
    result = dict.fromkeys(notification_ids, "taken")
    result.update((notification_id, outcome) for notification_id, outcome, _ in outcomes)
    return result


def deliver_due(
    now: datetime | None = None,
    *,
    transport: MailTransport | None = None,
    event_id: int | None = None,
    limit: int = 500,
) -> DeliveryCounts:
    """Send every notification due by ``now`` (those of one audit event with ``event_id``),
    ``BATCH`` at a time."""
    moment = as_utc(now or utcnow())
    mail = transport or transport_from_environment(data_dir())
    with database().reading() as session:
        due = _due_ids(session, moment, event_id, limit)
    counts = DeliveryCounts()
    for start in range(0, len(due), BATCH):
        for outcome in deliver_batch(due[start : start + BATCH], mail, moment).values():
            if outcome == "sent":
                counts.sent += 1
            elif outcome == "retry":
                counts.retrying += 1
            elif outcome == "failed":
                counts.failed += 1
    return counts


def announce_step(event_id: int) -> int:
    """Once a step's documents are all stored, write the organisation's message about them
    (when some are its own); returns how many messages were written."""
    with database().transaction() as session:
        event = session.get(AuditEvent, event_id)
        if event is None or event.outcome != "applied":
            return 0
        action = lifecycle.action(event.action)
        if action is None or not any(KINDS[k].to_the_organisation for k in action.documents):
            return 0
        still_owed = session.exec(
            select(OwedDocument.id).where(
                OwedDocument.audit_event_id == event_id,
                OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
            )
        ).first()
        if still_owed is not None:
            return 0  # told once they are all there (the owed-documents flow calls again)
        return notifications.after_documents(session, event)
