"""Sending the notification outbox (``models.notifications`` writes it).

Each notification is claimed by one process (a conditional update from ``pending``), composed
from the grant as it is now (``documents.messages``; the body is never stored), sent through
the installation's transport (``workflows.mail``: files in ``<data>/outbox``, or SMTP), and
marked sent in one transaction with its ``message_sent`` audit event (kind, recipient role,
Message-ID; never the address or the body).

A transient failure (the SMTP server is down, a 4xx reply) puts it back with a growing delay;
nothing was delivered, so the retry is the first delivery, under the same Message-ID. A
permanent one (a 5xx reply) fails it, audited. A claim older than ``STALE_CLAIM`` (its process
died mid-send) is taken again: the one case where a message may arrive twice, under one
Message-ID, which mail clients show once.
"""

from __future__ import annotations

import os
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
    TransientMailError,
    sender_address,
    transport_from_environment,
)
from workflows.runtime import database, document_store

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 12  # about a day of retries with the delays below
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


def _claim(notification_id: int, now: datetime) -> bool:
    """Take the notification for this process; False when another took it first."""
    stale = now - STALE_CLAIM
    with database().transaction() as session:
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
        return taken.rowcount == 1  # type: ignore[attr-defined]


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


def _composed(session: Session, notification: Notification) -> ComposedMessage:
    name = _recipient_name(session, notification)
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
    composed = _composed(session, notification)
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = formataddr((_recipient_name(session, notification), notification.address))
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


def _record(notification_id: int, outcome: str, now: datetime, error: str | None) -> None:
    """Mark the notification sent, failed or due again, with its audit event when it ends."""
    system = system_actor(database())
    with database().transaction() as session:
        notification = session.get(Notification, notification_id)
        assert notification is not None
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


def deliver_one(notification_id: int, transport: MailTransport, now: datetime) -> str:
    """Send one notification if this process wins its claim: "sent", "retry", "failed" or
    "taken" (another process has it)."""
    if not _claim(notification_id, now):
        return "taken"
    try:
        with database().reading() as session:
            notification = session.get(Notification, notification_id)
            assert notification is not None
            message = build_message(session, notification, document_store())
        transport.send(message)
    except TransientMailError as error:
        _record(notification_id, "retry", now, f"{type(error).__name__}: {error}")
        return "retry"
    except PermanentMailError as error:
        _record(notification_id, "failed", now, f"{type(error).__name__}: {error}")
        return "failed"
    except Exception as error:  # noqa: BLE001 - composing failed: try again later, said why
        _record(notification_id, "retry", now, f"{type(error).__name__}: {error}")
        return "retry"
    _record(notification_id, "sent", now, None)
    return "sent"


def deliver_due(
    now: datetime | None = None,
    *,
    transport: MailTransport | None = None,
    event_id: int | None = None,
    limit: int = 500,
) -> DeliveryCounts:
    """Send every notification due by ``now`` (those of one audit event with ``event_id``)."""
    moment = as_utc(now or utcnow())
    mail = transport or transport_from_environment(data_dir())
    with database().reading() as session:
        due = _due_ids(session, moment, event_id, limit)
    counts = DeliveryCounts()
    for notification_id in due:
        outcome = deliver_one(notification_id, mail, moment)
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
