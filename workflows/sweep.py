"""The daily deadline sweep: deadlines nobody has to remember.

A Prefect flow (``grantflow-sweep``), one task per kind of deadline:

- ``lapse-offers``: an offer unsigned past its deadline lapses (the approved amount goes back
  to the fund's allocation; the lapse notice goes to the organisation);
- ``close-incomplete-applications``: an information request unanswered past its cure period
  closes the application;
- ``remind-reports``: a reminder (with its document) 30 and 7 days before a report is due;
- ``record-overdue-reports``: the overdue notice the day after, which holds the regular
  instalments until the report is accepted;
- ``warn-expiring-offers``, ``warn-cure-periods``: the organisation is told a week before its
  offer lapses, three days before its cure period ends;
- ``payments-due``: officers are told an instalment has become payable;
- ``staff-digests``: one message a day to staff who chose a digest;
- ``deliver-messages``: everything written is sent.

A kind's task runs only on a day when something of its kind is due (its finder, a read, says
so first): a scoped sweep of a quiet day is one flow run with no task run, where it was eight.

Each task acts as grantflow's own ``system`` actor through ``models.engine.apply_action``, so
the declaration's rules hold and every change is audited. Everything is keyed by subject,
deadline and kind (the engine's idempotency key, the outbox's ``dedupe_key``): sweeping a day
twice changes nothing. Rules are windows (``models.deadlines``), so a sweep that missed days
finds what those days would have found: it catches up by construction, and records which days
it covered (``SweepRun``).

A sweep may be scoped to one grant (``SweepRun.grant_id``): it then keeps only that grant's
deadlines and sends what is due, and writes no staff digests (a digest is the day's summary of
everything waiting, which only the installation's sweep makes). ``grantflow demo`` gives each
of the grants it runs side by side its own simulated calendar this way. Only installation-wide
sweeps count as the day's sweep (``swept_today``) or as the days caught up.

Prefect holds ids only: a scheduled run has no parameters (it sweeps the fund's today); a run
started by ``grantflow sweep --as-of`` (or the demo) carries a ``SweepRun`` id and its token,
and the day and scope are read from grantflow's database, never from Prefect.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE
from sqlmodel import Session, select

from models import deadlines, lifecycle, notifications
from models.clock import utcnow
from models.context import Actor
from models.engine import apply_action, record_denial
from models.errors import ActionRejected
from models.provisioning import system_actor
from models.tables import Fund, Grant, Instalment, Notification, OutcomeReport, SweepRun, User
from workflows.delivery import DIGEST, DeliveryCounts, deliver_due, messages_due
from workflows.owed_documents import produce_owed
from workflows.runtime import database
from workflows.tasks import actor_of, current_flow_run_id

logger = logging.getLogger("grantflow.sweep")
SWEEP_FLOW_NAME = "grantflow-sweep"
SWEEP_ENTRYPOINT = f"{__name__}:sweep_flow"
# The deployment's schedule: every day at the sweep's hour on the fund's calendar.
SWEEP_CRON = f"0 {deadlines.SWEEP_HOUR} * * *"
SWEEP_TIME_ZONE = deadlines.FUND_TIME_ZONE.key
LIVE = ("active", "closing")


class SweepRefused(RuntimeError):
    """A sweep run whose parameters are not a recorded sweep's id and token."""


# ------------------------------------------------------------------------- the sweep's day


def open_sweep(as_of: date | None = None, grant_id: int | None = None) -> SweepRun:
    """Record a sweep of ``as_of`` (the fund's today by default), of the whole installation or
    of one grant, and the days it catches up (since the last finished sweep of that scope)."""
    day = as_of or deadlines.fund_today(utcnow())
    with database().transaction() as session:
        last = session.exec(
            select(SweepRun.as_of)
            .where(
                SweepRun.finished_at.is_not(None),  # type: ignore[union-attr]
                SweepRun.grant_id == grant_id,
            )
            .order_by(SweepRun.as_of.desc())  # type: ignore[attr-defined]
        ).first()
        run = SweepRun(
            as_of=day,
            grant_id=grant_id,
            caught_up_from=(last + timedelta(days=1)) if last is not None and last < day else day,
            token=secrets.token_hex(16),
        )
        session.add(run)
        session.flush()
        return run


def _verified(sweep_id: Any, token: Any) -> SweepRun:
    if sweep_id is None and token is None:
        return open_sweep()  # a scheduled run: today
    if not isinstance(sweep_id, int) or not isinstance(token, str):
        raise SweepRefused("a sweep run carries a recorded sweep's id and token, or nothing")
    with database().reading() as session:
        run = session.get(SweepRun, sweep_id)
    if run is None or not hmac.compare_digest(run.token, token) or run.finished_at is not None:
        raise SweepRefused(f"sweep {sweep_id} is not an open sweep with this token")
    return run


# ---------------------------------------------------------------------------- the tasks


def _system() -> Actor:
    return actor_of(system_actor(database()))


def _act(
    grant_id: int,
    action: str,
    payload: dict[str, Any],
    key: str,
    now: datetime,
    events: list[int],
) -> bool:
    """Take a system action under its sweep key; False when refused (already recorded)."""
    try:
        result = apply_action(
            database(),
            grant_id,
            action,
            _system(),
            payload,
            now=now,
            idempotency_key=f"sweep:{key}",
            flow_run_id=current_flow_run_id(),
        )
    except ActionRejected as error:
        # The candidates were chosen by the same rules; a refusal means the grant moved
        # meanwhile. It is on the record (models.denials) and the next sweep looks again.
        record_denial(database(), grant_id, action, _system(), error)
        return False
    if not result.replayed:
        events.append(result.event_id)
    return not result.replayed


def _rows(query: Any) -> list[Any]:
    with database().reading() as session:
        return list(session.exec(query))


def _within(query: Any, grant_column: Any, scope: int | None) -> Any:
    """``query`` narrowed to the scoped grant's rows (unchanged for an installation sweep)."""
    return query if scope is None else query.where(grant_column == scope)


def _grants_in(state: str, scope: int | None) -> list[Grant]:
    return _rows(_within(select(Grant).where(Grant.state == state), Grant.id, scope))


def _waiting_for_information(scope: int | None) -> tuple[list[Grant], dict[int, Fund]]:
    with database().reading() as session:
        waiting = list(
            session.exec(_within(select(Grant).where(Grant.state == "needs_info"), Grant.id, scope))
        )
        funds = {f.id: f for f in session.exec(select(Fund))}
    return waiting, funds  # type: ignore[return-value]


# Each kind of deadline has a finder (what is due on the day, read-only) and a task acting on
# what it finds, which asks the finder again (the engine re-checks every rule anyway). The flow
# asks each finder first and runs the kind's task only when something is due, so a day holding
# nothing for a kind records no task run of it in Prefect; the sweep's counts (its SweepRun and
# its flow's result) still name every kind.


def offers_lapsed(day: date, scope: int | None) -> list[Grant]:
    return [grant for grant in _grants_in("approved", scope) if deadlines.offer_lapsed(grant, day)]


@task(name="lapse-offers", cache_policy=NONE, persist_result=False)
def lapse_offers(day: date, events: list[int], scope: int | None = None) -> int:
    now = deadlines.sweep_moment(day)
    done = 0
    for grant in offers_lapsed(day, scope):
        key = f"lapse:grant-{grant.id}:{grant.offer_expires_on}"
        done += _act(grant.id, "lapse", {}, key, now, events)
    return done


def applications_past_cure(day: date, scope: int | None) -> list[Grant]:
    now = deadlines.sweep_moment(day)
    waiting, funds = _waiting_for_information(scope)
    return [g for g in waiting if deadlines.cure_period_over(g, funds[g.fund_id], now)]


@task(name="close-incomplete-applications", cache_policy=NONE, persist_result=False)
def close_incomplete_applications(day: date, events: list[int], scope: int | None = None) -> int:
    now = deadlines.sweep_moment(day)
    done = 0
    for grant in applications_past_cure(day, scope):
        key = f"close_incomplete:grant-{grant.id}:{grant.info_requested_at}"
        done += _act(grant.id, "close_incomplete", {}, key, now, events)
    return done


def _live_reports(scope: int | None) -> list[OutcomeReport]:
    live = select(Grant.id).where(Grant.state.in_(LIVE))  # type: ignore[attr-defined]
    return _rows(
        _within(
            select(OutcomeReport).where(
                OutcomeReport.grant_id.in_(live),  # type: ignore[attr-defined]
                OutcomeReport.state.in_(("due", "returned")),  # type: ignore[attr-defined]
            ),
            OutcomeReport.grant_id,
            scope,
        )
    )


def reminders_due(day: date, scope: int | None) -> list[tuple[OutcomeReport, int]]:
    """Each live report with a reminder point on the day, and that point (days before due)."""
    points = ((report, deadlines.reminder_point(report, day)) for report in _live_reports(scope))
    return [(report, point) for report, point in points if point is not None]


@task(name="remind-reports", cache_policy=NONE, persist_result=False)
def remind_reports(day: date, events: list[int], scope: int | None = None) -> int:
    now = deadlines.sweep_moment(day)
    done = 0
    for report, point in reminders_due(day, scope):
        key = f"remind_report:report-{report.id}:{report.due_date}:{point}"
        done += _act(
            report.grant_id, "remind_report", {"sequence": report.sequence}, key, now, events
        )
    return done


def reports_overdue(day: date, scope: int | None) -> list[OutcomeReport]:
    return [report for report in _live_reports(scope) if deadlines.report_overdue(report, day)]


@task(name="record-overdue-reports", cache_policy=NONE, persist_result=False)
def record_overdue_reports(day: date, events: list[int], scope: int | None = None) -> int:
    now = deadlines.sweep_moment(day)
    done = 0
    for report in reports_overdue(day, scope):
        key = f"record_overdue_report:report-{report.id}:{report.due_date}"
        payload = {"sequence": report.sequence}
        done += _act(report.grant_id, "record_overdue_report", payload, key, now, events)
    return done


def _notify(write: Callable[[Session], int]) -> int:
    with database().transaction() as session:
        return write(session)


def offers_to_warn(day: date, scope: int | None) -> list[Grant]:
    return [g for g in _grants_in("approved", scope) if deadlines.offer_warning_due(g, day)]


def _warn_organisation(grant: Grant, kind: str, key: str, deadline: date, day: date) -> int:
    """Tell the grant's organisation's contacts, in a transaction of its own, that
    ``deadline`` nears (keyed: a contact told already is not told again); how many were new."""
    return _notify(
        lambda session: notifications.notify_organisation(
            session, grant, kind, key, deadline=deadline, days=(deadline - day).days
        )
    )


@task(name="warn-expiring-offers", cache_policy=NONE, persist_result=False)
def warn_expiring_offers(day: date, scope: int | None = None) -> int:
    done = 0
    for grant in offers_to_warn(day, scope):
        expires = grant.offer_expires_on
        key = f"offer_expiring:grant-{grant.id}:{expires}"
        done += _warn_organisation(grant, "offer_expiring", key, expires, day)  # type: ignore[arg-type]
    return done


def cure_periods_to_warn(day: date, scope: int | None) -> list[tuple[Grant, date]]:
    """Each application waiting for information whose cure period's warning falls on the day,
    and the last day of its cure period."""
    waiting, funds = _waiting_for_information(scope)
    warned = []
    for grant in waiting:
        fund = funds[grant.fund_id]
        if deadlines.cure_warning_due(grant, fund, day):
            ends = deadlines.cure_period_ends(grant, fund)
            assert ends is not None
            warned.append((grant, deadlines.fund_today(ends)))
    return warned


@task(name="warn-cure-periods", cache_policy=NONE, persist_result=False)
def warn_cure_periods(day: date, scope: int | None = None) -> int:
    done = 0
    for grant, last_day in cure_periods_to_warn(day, scope):
        key = f"cure_period_ending:grant-{grant.id}:{grant.info_requested_at}"
        done += _warn_organisation(grant, "cure_period_ending", key, last_day, day)
    return done


def instalments_payable(day: date, scope: int | None) -> list[Instalment]:
    live = select(Grant.id).where(Grant.state.in_(LIVE))  # type: ignore[attr-defined]
    scheduled = select(Instalment).where(
        Instalment.grant_id.in_(live),  # type: ignore[attr-defined]
        Instalment.state == "scheduled",
    )
    return [
        instalment
        for instalment in _rows(_within(scheduled, Instalment.grant_id, scope))
        if deadlines.instalment_payable(instalment, day)
    ]


@task(name="payments-due", cache_policy=NONE, persist_result=False)
def payments_due(day: date, scope: int | None = None) -> int:
    """Officers are told of each instalment that has become payable and waits for them."""
    done = 0
    for instalment in instalments_payable(day, scope):

        def write(session: Session, instalment: Instalment = instalment) -> int:
            grant = session.get(Grant, instalment.grant_id)
            fund = session.get(Fund, grant.fund_id) if grant is not None else None
            if grant is None or fund is None:
                return 0
            role = lifecycle.SWEEP_NOTICES["payment_to_initiate"]
            return notifications.notify_staff(
                session,
                grant,
                "payment_to_initiate",
                f"payment_to_initiate:instalment-{instalment.id}:{instalment.due_date}",
                notifications.staff_holding(session, role),
                role,
                fund.staff_language,
                subject_key=f"instalment-{instalment.sequence}",
                deadline=instalment.due_date,
            )

        done += _notify(write)
    return done


def digests_due(_day: date, _scope: int | None) -> bool:
    """Whether any staff member's notices wait to be put in a digest (any day, any scope)."""
    with database().reading() as session:
        return bool(
            session.exec(select(Notification.id).where(Notification.status == "digest")).first()
        )


@task(name="staff-digests", cache_policy=NONE, persist_result=False)
def staff_digests(day: date) -> int:
    """One message per staff member who chose a digest, listing what waits for them."""
    written = 0
    with database().transaction() as session:
        waiting = list(
            session.exec(
                select(Notification)
                .where(Notification.status == "digest")
                .order_by(Notification.id)  # type: ignore[arg-type]
            )
        )
        by_user: dict[int, list[Notification]] = {}
        for line in waiting:
            by_user.setdefault(line.recipient_user_id or 0, []).append(line)
        for user_id, lines in by_user.items():
            user = session.get(User, user_id)
            if user is None:
                continue
            digest = Notification(
                kind=DIGEST,
                recipient_role=lines[0].recipient_role,
                recipient_user_id=user_id,
                address=lines[0].address,
                language=lines[0].language,
                dedupe_key=f"{DIGEST}:user-{user_id}:{day}:{lines[0].id}",
                message_id=notifications.new_message_id(),
            )
            session.add(digest)
            session.flush()
            for line in lines:
                line.status = "digested"
                line.digest_id = digest.id
                session.add(line)
            written += 1
    return written


@task(name="deliver-messages", cache_policy=NONE, persist_result=False)
def deliver_messages() -> dict[str, int]:
    return deliver_due().as_dict()


# ------------------------------------------------------------------------------ the flow


def _finish(run_id: int, counts: dict[str, int]) -> None:
    with database().transaction() as session:
        run = session.get(SweepRun, run_id)
        assert run is not None
        run.counts = counts
        run.finished_at = utcnow()
        run.flow_run_id = current_flow_run_id()
        session.add(run)


async def _sweep(sweep_id: int | None, token: str | None) -> dict[str, int]:
    run = await asyncio.to_thread(_verified, sweep_id, token)
    day, scope = run.as_of, run.grant_id
    events: list[int] = []
    counts: dict[str, int] = {}

    async def when_due(finder: Callable[[date, int | None], Any], act: Any, *args: Any) -> int:
        """The kind's task run when its finder finds something due on the day; else 0."""
        if not await asyncio.to_thread(finder, day, scope):
            return 0
        return await asyncio.to_thread(act, day, *args)

    counts["lapsed"] = await when_due(offers_lapsed, lapse_offers, events, scope)
    counts["closed_incomplete"] = await when_due(
        applications_past_cure, close_incomplete_applications, events, scope
    )
    counts["reminded"] = await when_due(reminders_due, remind_reports, events, scope)
    counts["overdue"] = await when_due(reports_overdue, record_overdue_reports, events, scope)
    for event_id in events:  # the lapse and overdue notices, the reminders (and their messages)
        await produce_owed(event_id)
    counts["offers_warned"] = await when_due(offers_to_warn, warn_expiring_offers, scope)
    counts["cure_warned"] = await when_due(cure_periods_to_warn, warn_cure_periods, scope)
    counts["payments_due"] = await when_due(instalments_payable, payments_due, scope)
    if scope is None:  # the day's digest sums up everything waiting: the installation's sweep
        counts["digests"] = await when_due(digests_due, staff_digests)
    delivered = DeliveryCounts().as_dict()
    if await asyncio.to_thread(messages_due):
        delivered = await asyncio.to_thread(deliver_messages)
    counts.update({f"messages_{name}": value for name, value in delivered.items()})
    await asyncio.to_thread(_finish, run.id, counts)  # type: ignore[arg-type]
    return counts


@flow(
    name=SWEEP_FLOW_NAME,
    description="Keep the fund's deadlines: lapse offers, remind and chase reports, hold and "
    "resume payments, tell people what waits for them.",
    persist_result=False,
    validate_parameters=False,
)
async def sweep_flow(sweep_id: int | None = None, token: str | None = None) -> dict[str, int]:
    return await _sweep(sweep_id, token)


def sweep_run_name(day: date, grant_id: int | None = None) -> str:
    scope = "" if grant_id is None else f" · grant {grant_id}"
    return f"sweep · {day.isoformat()}{scope}"


async def run_sweep(as_of: date | None = None, grant_id: int | None = None) -> SweepRun:
    """Sweep ``as_of`` (today by default) in this process, as one flow run, for the whole
    installation or for the grant ``grant_id`` alone; the finished ``SweepRun`` (its counts,
    its flow run's id)."""
    from workflows.actions import run_gate

    run = await asyncio.to_thread(open_sweep, as_of, grant_id)
    named = sweep_flow.with_options(flow_run_name=sweep_run_name(run.as_of, run.grant_id))
    async with run_gate():
        await named(run.id, run.token)
    return await asyncio.to_thread(_reload, run.id)  # type: ignore[arg-type]


def _reload(sweep_id: int) -> SweepRun:
    with database().reading() as session:
        run = session.get(SweepRun, sweep_id)
    assert run is not None
    return run


def swept_today(now: datetime | None = None) -> bool:
    """Whether a sweep of the fund's today has finished, or today's sweep is not due yet
    (before ``SWEEP_HOUR`` on the fund's clock)."""
    now = now or utcnow()
    today = deadlines.fund_today(now)
    if now < deadlines.sweep_moment(today):
        return True
    with database().reading() as session:
        finished = session.exec(
            select(SweepRun.id).where(
                SweepRun.as_of == today,
                SweepRun.grant_id.is_(None),  # type: ignore[union-attr]
                SweepRun.finished_at.is_not(None),  # type: ignore[union-attr]
            )
        ).first()
    return finished is not None


async def catch_up(now: datetime | None = None) -> SweepRun | None:
    """Sweep today now when today's sweep is due and none has finished (a service that was
    down at the scheduled hour); None when there was nothing to catch up."""
    now = now or utcnow()
    if await asyncio.to_thread(swept_today, now):
        return None
    return await run_sweep(deadlines.fund_today(now))


def screen_sweep_parameters(parameters: dict[str, Any]) -> str | None:
    """Why a sweep deployment's run is not grantflow's (None when it is): it carries nothing
    (a scheduled run) or exactly a sweep's id and token."""
    if not parameters or set(parameters) == {"sweep_id", "token"}:
        return None
    return "a sweep run carries nothing, or a sweep's id and token"
