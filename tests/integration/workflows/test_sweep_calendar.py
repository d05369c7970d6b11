"""Deadlines that keep themselves: grants swept through a simulated calendar.

A two-year grant whose first report comes in late, and an offer nobody signs, are driven by
the demo's script on the fund's calendar; before each dated step the daily sweep (a real
Prefect flow run) runs on every deadline day since (``service.demo_runner.sweep_until``).
What the sweep did is read back from the database: reminders once each, the overdue notice,
the payments it held and the acceptance that resumed them, the lapse and the allocation it gave
back, and a day swept twice changing nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import func, select

from models import deadlines, fictional
from models.clock import utcnow
from models.deadlines import OFFER_WARNING_DAYS, REPORT_REMINDER_DAYS, fund_today
from models.fictional.script import steps
from models.notifications import organisation_recipients
from models.provisioning import create_application
from models.tables import (
    AuditEvent,
    FundAllocation,
    Grant,
    Instalment,
    Notification,
    OutcomeReport,
    StoredDocument,
    SweepRun,
)
from service.demo_runner import Calendar, sweep_until
from tests.support.prefect_probes import task_names_of
from workflows.actions import run_action_inline
from workflows.sweep import run_sweep, swept_today

pytestmark = pytest.mark.usefixtures("prefect_harness")

TWO_YEARS = 1  # application_for(1): a two-fiscal-year project (an annual and a final report)


def drive_on_the_calendar(db: Any, cast: Any, index: int, variant: str) -> tuple[int, Calendar]:
    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    calendar = Calendar(last_swept=fund_today(utcnow()))
    for action, who, payload, at in steps(db, cast, grant.id, variant):  # type: ignore[arg-type]
        if at is not None:
            day_before = fund_today(at) - timedelta(days=1)
            asyncio.run(sweep_until(db, grant.id, day_before, calendar))  # type: ignore[arg-type]
        asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))  # type: ignore[arg-type]
    asyncio.run(sweep_until(db, grant.id, calendar.last_swept + timedelta(days=45), calendar))  # type: ignore[arg-type]
    return grant.id, calendar  # type: ignore[return-value]


def events(db: Any, grant_id: int, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.grant_id == grant_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


def messages(db: Any, grant_id: int) -> Counter:
    with db.reading() as session:
        rows = session.exec(select(Notification).where(Notification.grant_id == grant_id))
        return Counter(n.kind for n in rows)


def everything(db: Any) -> tuple:
    """What a sweep could change, in one comparable value."""
    with db.reading() as session:
        return (
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
            session.exec(select(func.count()).select_from(Notification)).one(),
            session.exec(select(func.count()).select_from(StoredDocument)).one(),
            tuple(session.exec(select(Grant.id, Grant.state).order_by(Grant.id))),
            tuple(session.exec(select(Instalment.id, Instalment.state).order_by(Instalment.id))),
            tuple(
                session.exec(
                    select(OutcomeReport.id, OutcomeReport.state).order_by(OutcomeReport.id)
                )
            ),
            tuple(session.exec(select(FundAllocation.committed_cents).order_by(FundAllocation.id))),
        )


def test_a_two_year_grant_is_reminded_chased_held_and_resumed_by_the_sweep(installation):
    db = installation
    cast = fictional.seed(db)
    # The script rates even-numbered grants medium risk (two payments a year), so one payment
    # falls due while report 1 is overdue: a first draft makes this grant the second.
    organisation, application = fictional.application_for(0, cast)
    create_application(db, organisation.id, application)
    grant_id, calendar = drive_on_the_calendar(db, cast, TWO_YEARS, "late_report")

    with db.reading() as session:
        assert session.get(Grant, grant_id).state == "closed"
        reports = list(
            session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == grant_id))
        )
        contacts = len(
            organisation_recipients(session, session.get(Grant, grant_id).organisation_id)
        )
        sweeps = session.exec(select(func.count()).select_from(SweepRun)).one()
    assert len(reports) == 2 and contacts >= 1
    assert calendar.sweeps == sweeps > 5

    # Report 1 (late) was reminded once at each point, 30 and 7 days before its due date;
    # report 2, submitted the day its period ended, before its reminders were due, never was.
    reminders = events(db, grant_id, "remind_report")
    assert Counter(e.payload_summary["sequence"] for e in reminders) == {
        1: len(REPORT_REMINDER_DAYS)
    }
    assert sorted(e.payload_summary["details"]["days_before"] for e in reminders) == sorted(
        REPORT_REMINDER_DAYS
    )
    # Report 1 came in late: one overdue notice, which held the regular instalments not yet
    # paid; accepting the report resumed exactly those, and they were paid.
    (overdue,) = events(db, grant_id, "record_overdue_report")
    held = overdue.payload_summary["details"]["held_instalments"]
    assert overdue.payload_summary["sequence"] == 1 and held
    resumed = [
        e.payload_summary["details"].get("resumed_instalments")
        for e in events(db, grant_id, "accept_report")
    ]
    assert resumed[0] == held and resumed[1] is None
    assert all(e.role == "system" and e.actor_name == "grantflow" for e in (*reminders, overdue))
    with db.reading() as session:
        paid = {
            i.sequence: i.state
            for i in session.exec(select(Instalment).where(Instalment.grant_id == grant_id))
        }
    assert all(paid[sequence] == "released" for sequence in held)

    # The organisation was told each time, every contact once; the documents are stored.
    told = messages(db, grant_id)
    assert told["report_reminder"] == len(reminders) * contacts
    assert told["report_overdue"] == contacts
    with db.reading() as session:
        kinds = Counter(
            d.kind
            for d in session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant_id))
        )
        unsent = session.exec(
            select(func.count()).select_from(Notification).where(Notification.status != "sent")
        ).one()
    assert kinds["report_reminder"] == 2 * len(reminders)  # PDF and DOCX
    assert kinds["overdue_notice"] == 2
    assert unsent == 0

    # Sweeping a day again changes nothing: not the last day, not one already past.
    before = everything(db)
    asyncio.run(run_sweep(calendar.last_swept))
    asyncio.run(run_sweep(reports[0].due_date + timedelta(days=1)))
    assert everything(db) == before


def test_an_unsigned_offer_is_warned_then_lapses_and_its_allocation_returns(installation):
    db = installation
    cast = fictional.seed(db)
    with db.reading() as session:
        committed_before = sum(session.exec(select(FundAllocation.committed_cents)))
    grant_id, _ = drive_on_the_calendar(db, cast, 0, "offer_lapsed")

    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        committed_after = sum(session.exec(select(FundAllocation.committed_cents)))
        lapse_documents = session.exec(
            select(StoredDocument.format).where(
                StoredDocument.grant_id == grant_id, StoredDocument.kind == "lapse_notice"
            )
        ).all()
    assert grant.state == "lapsed"
    assert committed_after == committed_before
    (lapse,) = events(db, grant_id, "lapse")
    assert lapse.role == "system"
    assert lapse.payload_summary["details"]["released_commitment_cents"] == grant.approved_cents
    assert sorted(lapse_documents) == ["docx", "pdf"]
    told = messages(db, grant_id)
    assert told["offer_expiring"] >= 1 and told["offer_lapsed"] == told["offer_expiring"]

    before = everything(db)
    asyncio.run(run_sweep(grant.offer_expires_on + timedelta(days=1)))
    assert everything(db) == before


def offered(db: Any, cast: Any, index: int) -> Grant:
    """A grant approved on the script's days and never signed (no sweep in between)."""
    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    for action, who, payload, at in steps(db, cast, grant.id, "offer_lapsed"):  # type: ignore[arg-type]
        asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))  # type: ignore[arg-type]
    with db.reading() as session:
        return session.get(Grant, grant.id)


def test_a_sweep_scoped_to_one_grant_acts_on_that_grant_alone(installation):
    """The demo drives grants side by side, each on its own calendar: a grant's sweep lapses
    its own unsigned offer and leaves another grant's, equally past its deadline, to the
    installation's sweep; only the installation's sweep counts as the day's."""
    db = installation
    cast = fictional.seed(db)
    first, second = offered(db, cast, 0), offered(db, cast, 2)
    assert first.state == second.state == "approved"
    past_both = max(first.offer_expires_on, second.offer_expires_on) + timedelta(days=1)

    scoped = asyncio.run(run_sweep(past_both, grant_id=first.id))
    assert scoped.grant_id == first.id and scoped.finished_at is not None
    assert scoped.counts["lapsed"] == 1 and "digests" not in scoped.counts
    assert states(db, first.id, second.id) == ("lapsed", "approved")
    assert [e.grant_id for e in lapses(db)] == [first.id]
    assert not told_of_lapse(db, second.id)

    # A scoped sweep of the fund's today is not the day's sweep; the installation's is.
    now = deadlines.sweep_moment(fund_today(utcnow())) + timedelta(minutes=1)
    asyncio.run(run_sweep(fund_today(now), grant_id=second.id))
    assert not swept_today(now)
    installation_sweep = asyncio.run(run_sweep(past_both))
    assert installation_sweep.grant_id is None and installation_sweep.counts["lapsed"] == 1
    assert states(db, first.id, second.id) == ("lapsed", "lapsed")
    assert [e.grant_id for e in lapses(db)] == [first.id, second.id]  # each lapsed once
    assert told_of_lapse(db, second.id)
    asyncio.run(run_sweep(fund_today(now)))
    assert swept_today(now)


# The task each count of a sweep comes from.
KIND_TASKS = {
    "lapsed": "lapse-offers",
    "closed_incomplete": "close-incomplete-applications",
    "reminded": "remind-reports",
    "overdue": "record-overdue-reports",
    "offers_warned": "warn-expiring-offers",
    "cure_warned": "warn-cure-periods",
    "payments_due": "payments-due",
    "digests": "staff-digests",
}


def sweep_tasks(run: SweepRun, wait_for: str | None = None) -> set[str]:
    """The names of the task runs Prefect recorded for the sweep's flow run; with
    ``wait_for``, read again until that one is among them (task runs reach Prefect's API a
    moment after the flow ends, through its event feed)."""
    deadline = time.monotonic() + 60
    while True:
        state, tasks = asyncio.run(task_names_of(run.flow_run_id))  # type: ignore[arg-type]
        if wait_for is None or wait_for in tasks or time.monotonic() > deadline:
            assert state == "Completed", (run.flow_run_id, state)
            return tasks
        time.sleep(0.5)


def test_a_sweep_runs_a_deadlines_task_only_on_a_day_when_something_of_its_kind_is_due(
    installation,
):
    """A grant's sweep of a day when nothing of it is due is one flow run and no task run; the
    day its unsigned offer has lapsed, the sweep runs lapse-offers and no other kind's task.
    Every kind is still counted (zero) in the sweep's record."""
    db = installation
    cast = fictional.seed(db)
    grant = offered(db, cast, 0)
    quiet_day = grant.offer_expires_on - timedelta(days=OFFER_WARNING_DAYS + 1)
    assert not deadlines.offer_warning_due(grant, quiet_day)
    lapse_day = grant.offer_expires_on + timedelta(days=1)

    quiet = asyncio.run(run_sweep(quiet_day, grant_id=grant.id))
    assert quiet.finished_at is not None
    assert set(quiet.counts) >= set(KIND_TASKS) - {"digests"}
    assert not any(quiet.counts.values()), quiet.counts
    lapsed = asyncio.run(run_sweep(lapse_day, grant_id=grant.id))
    assert lapsed.counts["lapsed"] == 1 and states(db, grant.id) == ("lapsed",)

    # Read once the later sweep's task runs are in: the quiet sweep's, had it any, came before.
    lapse_tasks = sweep_tasks(lapsed, wait_for="lapse-offers")
    assert lapse_tasks & set(KIND_TASKS.values()) == {"lapse-offers"}, lapse_tasks
    assert sweep_tasks(quiet) == set()


def states(db: Any, *grant_ids: int) -> tuple[str, ...]:
    with db.reading() as session:
        return tuple(session.get(Grant, grant_id).state for grant_id in grant_ids)


def lapses(db: Any) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "lapse").order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


def told_of_lapse(db: Any, grant_id: int) -> int:
    return messages(db, grant_id)["offer_lapsed"]
