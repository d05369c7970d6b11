"""The sweep at intake, and the staff digest.

An information request left unanswered: the organisation is warned three days before its cure
period ends, and the day after, the application is closed by grantflow's own actor and the
organisation told. A staff member who chose the daily digest gets one message listing what
waits for them instead of one message each (``grantflow users notify-by``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from models import fictional
from models.deadlines import CURE_WARNING_DAYS, cure_period_ends, fund_today
from models.engine import apply_action
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import AuditEvent, Fund, Grant, Notification
from service.cli import app
from workflows.delivery import deliver_due
from workflows.sweep import run_sweep

pytestmark = pytest.mark.usefixtures("prefect_harness")


def to_information_request(db, cast, index: int) -> int:  # type: ignore[no-untyped-def]
    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    for action, who, payload, at in steps(db, cast, grant.id, "info_requested"):  # type: ignore[arg-type]
        apply_action(db, grant.id, action, who, payload, now=at)  # type: ignore[arg-type]
        if action == "request_info":
            return grant.id  # type: ignore[return-value]
    raise AssertionError("the script never requests information")


def kinds(db, grant_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        rows = session.exec(select(Notification).where(Notification.grant_id == grant_id))
        return sorted(n.kind for n in rows)


def test_an_unanswered_information_request_is_warned_then_closed(installation):
    db = installation
    cast = fictional.seed(db)
    grant_id = to_information_request(db, cast, 0)
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        last_day = fund_today(cure_period_ends(grant, session.get(Fund, grant.fund_id)))
    assert "cure_period_ending" not in kinds(db, grant_id)

    asyncio.run(run_sweep(last_day - timedelta(days=CURE_WARNING_DAYS)))
    asyncio.run(run_sweep(last_day))  # still open on its last day; warned once only
    warned = kinds(db, grant_id).count("cure_period_ending")
    assert warned >= 1
    with db.reading() as session:
        assert session.get(Grant, grant_id).state == "needs_info"

    asyncio.run(run_sweep(last_day + timedelta(days=1)))
    with db.reading() as session:
        assert session.get(Grant, grant_id).state == "incomplete"
        (closed,) = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant_id, AuditEvent.action == "close_incomplete"
            )
        ).all()
        sent = session.exec(
            select(Notification).where(Notification.kind == "application_closed_incomplete")
        ).all()
    assert closed.role == "system" and closed.to_state == "incomplete"
    assert closed.payload_summary["details"]["cure_period_ended_on"] == last_day.isoformat()
    assert kinds(db, grant_id).count("cure_period_ending") == warned
    assert len(sent) == warned and {n.status for n in sent} == {"sent"}


def test_a_staff_member_who_chose_the_digest_gets_one_message_a_day(installation):
    db = installation
    cast = fictional.seed(db)
    officer = cast.screening_officer
    chosen = CliRunner().invoke(app, ["users", "notify-by", "--email", officer.email, "digest"])
    assert chosen.exit_code == 0, chosen.output
    refused = CliRunner().invoke(app, ["users", "notify-by", "--email", officer.email, "weekly"])
    assert refused.exit_code == 2 and "each or digest" in refused.output

    for index in (0, 1):  # two submissions to screen
        organisation, application = fictional.application_for(index, cast)
        grant = create_application(db, organisation.id, application)
        action, who, payload, at = next(steps(db, cast, grant.id))  # type: ignore[arg-type]
        apply_action(db, grant.id, action, who, payload, now=at)  # type: ignore[arg-type]
    deliver_due()
    with db.reading() as session:
        mine = session.exec(
            select(Notification).where(Notification.recipient_user_id == officer.id)
        ).all()
        others = session.exec(
            select(Notification).where(
                Notification.kind == "application_to_screen",
                Notification.recipient_user_id != officer.id,
            )
        ).all()
    assert [n.status for n in mine] == ["digest", "digest"]  # held for the digest
    assert others and {n.status for n in others} == {"sent"}  # the other officer: each

    today = fund_today(mine[0].created_at)
    asyncio.run(run_sweep(today))
    asyncio.run(run_sweep(today))  # a second sweep of the day sends no second digest
    with db.reading() as session:
        digests = session.exec(
            select(Notification).where(Notification.kind == "staff_digest")
        ).all()
        lines = session.exec(
            select(Notification).where(Notification.recipient_user_id == officer.id)
        ).all()
    (digest,) = digests
    assert digest.status == "sent" and digest.address == officer.email
    listed = [n for n in lines if n.kind == "application_to_screen"]
    assert {n.status for n in listed} == {"digested"}
    assert {n.digest_id for n in listed} == {digest.id}
