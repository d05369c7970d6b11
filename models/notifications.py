"""Who is told what, and when: the notification outbox's rules.

A notification is one message to one person (``tables.Notification``), written in the
transaction of what it announces or by the sweep under its key, and sent later by the delivery
(``workflows.delivery``). Its ``dedupe_key`` makes it exist once however often its cause is
seen again; its Message-ID is fixed when it is written, so a retry is the same message.

What is declared (``models.lifecycle``): the staff notices each action raises
(``STAFF_NOTICES``), the message the organisation gets for a step's documents
(``ORGANISATION_MESSAGES``). Bodies are never stored: the delivery composes them from the
grant when it sends.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import lifecycle
from models.tables import (
    AuditEvent,
    Contact,
    Grant,
    Notification,
    Organisation,
    ReviewAssignment,
    ReviewScore,
    User,
)
from models.visibility import applying_role, may_sign_in

STAFF_LANGUAGES = ("en", "fr")


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@grantflow>"


def _add_once(session: Session, notification: Notification) -> bool:
    """Write ``notification`` unless one with its key exists; True when written."""
    exists = session.exec(
        select(Notification.id).where(Notification.dedupe_key == notification.dedupe_key)
    ).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(notification)
            session.flush()
    except IntegrityError:
        return False  # written meanwhile by another process: it exists once
    return True


# ------------------------------------------------------------------------- the organisation


def organisation_recipients(session: Session, organisation_id: int) -> list[Contact]:
    """The organisation's contacts on file with an address, lead contact first."""
    contacts = session.exec(
        select(Contact).where(Contact.organisation_id == organisation_id).order_by(Contact.id)  # type: ignore[arg-type]
    ).all()
    return [c for c in contacts if (c.email or "").strip()]


def notify_organisation(
    session: Session,
    grant: Grant,
    kind: str,
    key: str,
    *,
    event_id: int | None = None,
    subject_key: str = "",
    deadline: date | None = None,
    days: int | None = None,
) -> int:
    """One message of ``kind`` to each of the grant's organisation's contacts, in its
    language; ``key`` names the cause (each contact gets it once). Returns how many were new."""
    organisation = session.get(Organisation, grant.organisation_id)
    assert organisation is not None
    written = 0
    for contact in organisation_recipients(session, grant.organisation_id):
        written += _add_once(
            session,
            Notification(
                kind=kind,
                grant_id=grant.id,
                subject_key=subject_key,
                audit_event_id=event_id,
                recipient_role=applying_role(),
                recipient_contact_id=contact.id,
                address=contact.email.strip(),
                language=organisation.preferred_language,
                deadline=deadline,
                days=days,
                dedupe_key=f"{key}:contact-{contact.id}",
                message_id=new_message_id(),
            ),
        )
    return written


# -------------------------------------------------------------------------------- staff


def staff_holding(session: Session, role: str) -> list[User]:
    """Active staff holding ``role`` who sign in with an address (who can be told)."""
    users = session.exec(select(User).where(User.active).order_by(User.id)).all()  # type: ignore[arg-type]
    return [u for u in users if role in u.roles and u.email and may_sign_in(u.roles)]


def staff_language(user: User, fund_language: str) -> str:
    chosen = user.language or fund_language
    return chosen if chosen in STAFF_LANGUAGES else "en"


def notify_staff(
    session: Session,
    grant: Grant,
    kind: str,
    key: str,
    users: list[User],
    role: str,
    fund_language: str,
    *,
    subject_key: str = "",
    event_id: int | None = None,
    deadline: date | None = None,
) -> int:
    """One message of ``kind`` to each of ``users`` (or a line of their daily digest, as
    each chose); ``key`` names the cause. Returns how many were new."""
    written = 0
    for user in users:
        written += _add_once(
            session,
            Notification(
                kind=kind,
                grant_id=grant.id,
                subject_key=subject_key,
                audit_event_id=event_id,
                recipient_role=role,
                recipient_user_id=user.id,
                address=(user.email or "").strip(),
                language=staff_language(user, fund_language),
                deadline=deadline,
                dedupe_key=f"{key}:user-{user.id}",
                message_id=new_message_id(),
                status="digest" if user.notify_by == "digest" else "pending",
            ),
        )
    return written


def _panel_complete(session: Session, grant_id: int) -> bool:
    """Every seated member without a conflict has scored: the panel can recommend."""
    seats = session.exec(select(ReviewAssignment).where(ReviewAssignment.grant_id == grant_id))
    scoring = {a.reviewer_id for a in seats if a.conflict == "none"}
    scored = set(
        session.exec(select(ReviewScore.reviewer_id).where(ReviewScore.grant_id == grant_id))
    )
    return bool(scoring) and scoring <= scored


def after_action(session: Session, grant: Grant, event: AuditEvent, fund_language: str) -> int:
    """The messages an applied action raises at once, in its own transaction: the staff
    notices declared for it, and the organisation's message for a step without documents."""
    written = 0
    subject_key = "" if event.subject == "grant" else f"{event.subject}-{_sequence(event)}"
    for notice in lifecycle.STAFF_NOTICES:
        if notice.after != event.action:
            continue
        if notice.when_panel_complete:
            if not _panel_complete(session, grant.id):  # type: ignore[arg-type]
                continue
            coordinator = session.get(User, grant.coordinator_id or 0)
            reachable = coordinator is not None and coordinator.active and coordinator.email
            users = [coordinator] if reachable else []  # type: ignore[list-item]
            key = f"{notice.kind}:grant-{grant.id}"
        else:
            users = staff_holding(session, notice.role)
            key = f"{notice.kind}:event-{event.id}"
        written += notify_staff(
            session,
            grant,
            notice.kind,
            key,
            users,
            notice.role,
            fund_language,
            subject_key=subject_key,
            event_id=event.id,
        )
    action = lifecycle.action(event.action)
    # A step with documents tells the organisation once they are stored (after_documents).
    message = None if action is None or action.documents else lifecycle.organisation_message(action)
    if message:
        written += notify_organisation(
            session,
            grant,
            message,
            f"{message}:event-{event.id}",
            event_id=event.id,
            subject_key=subject_key,
            deadline=_deadline_of(event),
        )
    return written


def _sequence(event: AuditEvent) -> object:
    return event.payload_summary.get("sequence")


def after_documents(session: Session, event: AuditEvent) -> int:
    """The organisation's message for a step whose documents (some of them its own) are all
    stored: one per contact, the documents attached when it is sent."""
    grant = session.get(Grant, event.grant_id)
    assert grant is not None
    kind = lifecycle.organisation_message(lifecycle.require_action(event.action)) or DOCUMENTS_READY
    subject_key = "" if event.subject == "grant" else f"{event.subject}-{_sequence(event)}"
    return notify_organisation(
        session,
        grant,
        kind,
        f"{kind}:event-{event.id}",
        event_id=event.id,
        subject_key=subject_key,
        deadline=_deadline_of(event),
        days=_days_of(event),
    )


def _deadline_of(event: AuditEvent) -> date | None:
    """The deadline a step's message names: when the lapsed offer expired, when the cure
    period ended (a report's due date is read from the report)."""
    details = event.payload_summary.get("details", {})
    for name in ("offer_expires_on", "cure_period_ended_on"):
        if isinstance(details.get(name), str):
            return date.fromisoformat(details[name])
    return None


def _days_of(event: AuditEvent) -> int | None:
    details = event.payload_summary.get("details", {})
    for name in ("days_before", "days_overdue"):
        if isinstance(details.get(name), int):
            return int(details[name])
    return None


DOCUMENTS_READY = lifecycle.DOCUMENTS_READY
