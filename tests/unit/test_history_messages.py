"""An applicant's history lists the messages sent to its organisation, not staff's."""

from __future__ import annotations

from models.tables import AuditEvent
from models.visibility import applying_role
from service.authz import HistoryView
from service.routes.grants import told_of


def message(role: str) -> AuditEvent:
    return AuditEvent(
        grant_id=1,
        subject="notification",
        subject_id=7,
        actor_name="grantflow",
        role="system",
        action="message_sent",
        payload_summary={"kind": "k", "recipient_role": role, "message_id": "<m@grantflow>"},
    )


def test_applicants_see_their_own_messages_and_staff_see_all():
    applicant = HistoryView(False, ("reviewer",), False, staff_messages=False)
    staff = HistoryView(True, (), True)
    assert told_of(message(applying_role()), applicant)
    assert not told_of(message("officer"), applicant)
    assert told_of(message("officer"), staff) and told_of(message(applying_role()), staff)
    step = AuditEvent(grant_id=1, actor_name="x", role="officer", action="submit")
    assert told_of(step, applicant)
