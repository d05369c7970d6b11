"""Every message of a grant's whole lifecycle, delivered once through a real SMTP server.

A French organisation's grant goes from submission to close-out on the fund's calendar, its
report late (reminders, the overdue notice), the daily sweep running on each deadline day, and
the loopback SMTP server (aiosmtpd) down from the signature to the first payment. What arrived
is compared with what the audit trail says people had to be told, worked out here from the
declaration's rules, not from the outbox: each expected message once, none twice, in the
recipient's language, the organisation's with its documents attached.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from documents import KINDS
from models import fictional
from models.clock import utcnow
from models.deadlines import fund_today
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import AuditEvent, Contact, Notification, StoredDocument, User
from service.demo_runner import Calendar, sweep_until
from workflows.actions import run_action_inline
from workflows.delivery import deliver_due

pytestmark = pytest.mark.usefixtures("prefect_harness")

FRENCH = 2  # application_for(2): Cercle de guérison Aurore boréale, in French, one year
STAFF_TOLD = {  # action -> (message, role told), as the declaration says
    "submit": ("application_to_screen", "officer"),
    "recommend": ("approval_pending", "approver"),
    "initiate_payment": ("payment_to_release", "finance"),
    "submit_report": ("report_to_review", "officer"),
}
ORGANISATION_TOLD = {
    "remind_report": "report_reminder",
    "record_overdue_report": "report_overdue",
}
ORGANISATION_TOLD_WITHOUT_DOCUMENTS = {
    "close_incomplete": "application_closed_incomplete",
    "return_report": "report_returned",
    "accept_report": "report_accepted",
    "hold_payment": "payment_held",
}


def expected_messages(db: Any, grant_id: int) -> Counter:
    """(kind, address) of every message the trail says was owed to someone."""
    with db.reading() as session:
        trail = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant_id, AuditEvent.outcome == "applied"
            )
        ).all()
        organisation_id = _organisation_of(session, grant_id)
        contacts = [
            c.email
            for c in session.exec(select(Contact).order_by(Contact.id))  # type: ignore[arg-type]
            if c.organisation_id == organisation_id
        ]
        staff = {
            role: [u.email for u in session.exec(select(User)) if role in u.roles and u.email]
            for role in ("officer", "approver", "finance")
        }
        coordinator = _coordinator(session, grant_id)
    expected: Counter = Counter()
    for event in trail:
        kinds = {d for d in _documents_of(event.action)}
        if any(KINDS[k].to_the_organisation for k in kinds):
            kind = ORGANISATION_TOLD.get(event.action, "documents_ready")
            expected.update((kind, address) for address in contacts)
        elif event.action in ORGANISATION_TOLD_WITHOUT_DOCUMENTS:
            kind = ORGANISATION_TOLD_WITHOUT_DOCUMENTS[event.action]
            expected.update((kind, address) for address in contacts)
        if event.action in STAFF_TOLD:
            kind, role = STAFF_TOLD[event.action]
            expected.update((kind, address) for address in staff[role])
    expected[("panel_ready", coordinator)] += 1
    return expected


def _documents_of(action: str) -> tuple[str, ...]:
    from models.lifecycle import ACTIONS_BY_KEY

    declared = ACTIONS_BY_KEY.get(action)
    return declared.documents if declared is not None else ()


def _organisation_of(session: Any, grant_id: int) -> int:
    from models.tables import Grant

    return session.get(Grant, grant_id).organisation_id


def _coordinator(session: Any, grant_id: int) -> str:
    from models.tables import Grant

    grant = session.get(Grant, grant_id)
    return session.get(User, grant.coordinator_id).email


def test_a_whole_lifecycle_delivers_each_message_once_in_its_language(
    installation, smtp_server, monkeypatch
):
    monkeypatch.setenv("GRANTFLOW_SMTP_URL", smtp_server.url)
    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(FRENCH, cast)
    assert organisation.preferred_language == "fr"
    grant = create_application(db, organisation.id, application)
    calendar = Calendar(last_swept=fund_today(utcnow()))
    for action, who, payload, at in steps(db, cast, grant.id, "late_report"):  # type: ignore[arg-type]
        if action == "sign":
            smtp_server.stop()  # down from the signature...
        if at is not None:
            asyncio.run(sweep_until(db, grant.id, fund_today(at) - timedelta(days=1), calendar))  # type: ignore[arg-type]
        asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))  # type: ignore[arg-type]
        if action == "initiate_payment" and not smtp_server.running:
            smtp_server.start()  # ...to the first payment
    with db.reading() as session:
        waiting = session.exec(select(Notification).where(Notification.status == "pending")).all()
    assert waiting, "messages written while the server was down wait for it"
    assert all(n.attempts >= 1 and n.last_error for n in waiting)

    # The next deliveries (serve and workers run one every few seconds) send what waited.
    later = utcnow() + timedelta(hours=6)
    assert deliver_due(now=later).sent == len(waiting)
    assert deliver_due(now=later + timedelta(hours=6)).sent == 0

    received = smtp_server.messages
    ids = [m["Message-ID"] for m in received]
    assert len(ids) == len(set(ids)), "a message arrived twice"
    got = Counter((m["X-Grantflow-Kind"], m["To"].addresses[0].addr_spec) for m in received)
    assert got == expected_messages(db, grant.id)  # type: ignore[arg-type]

    contacts = {c.email for c in cast_contacts(db, organisation.id)}
    for message in received:
        to_organisation = message["To"].addresses[0].addr_spec in contacts
        assert message["Content-Language"] == ("fr" if to_organisation else "en")
        assert message["Auto-Submitted"] == "auto-generated"
        if not to_organisation:  # staff are told the reference and the link only
            assert grant.project_title not in message.get_content()
    with db.reading() as session:
        notifications = session.exec(select(Notification)).all()
        sent_events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "message_sent")
        ).all()
        stored = {d.filename for d in session.exec(select(StoredDocument))}
    assert {n.status for n in notifications} == {"sent"}
    assert sorted(e.payload_summary["message_id"] for e in sent_events) == sorted(ids)
    assert all("address" not in e.payload_summary for e in sent_events)
    # The organisation's messages carry the step's documents, in French, as stored.
    overdue = [m for m in received if m["X-Grantflow-Kind"] == "report_overdue"]
    assert overdue and "rapport" in overdue[0]["Subject"].lower()
    attached = [
        part.get_filename()
        for m in received
        for part in m.iter_attachments()
        if part.get_filename()
    ]
    assert attached and set(attached) <= stored
    assert all(name.endswith(".fr.pdf") for name in attached)


def cast_contacts(db: Any, organisation_id: int) -> list[Contact]:
    with db.reading() as session:
        return list(session.exec(select(Contact).where(Contact.organisation_id == organisation_id)))
