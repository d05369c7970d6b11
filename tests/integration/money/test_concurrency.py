"""Simultaneous releases and approvals through the engine's transaction, on SQLite and
PostgreSQL: nothing is paid twice and no allocation is over-committed.

A deliberately naive check-then-insert release, run the same way, does pay twice: proof that
the test can see over-disbursement when it happens.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import select

from models import fictional
from models.db import Database
from models.engine import apply_action
from models.errors import ActionRejected
from models.fictional.script import actor, steps
from models.provisioning import create_application
from models.tables import AuditEvent, FundAllocation, Grant, Instalment
from tests.support.postgres import postgres_schema

pytestmark = pytest.mark.both_databases  # parametrized over both itself

ATTEMPTS = 50


@contextmanager
def sqlite_database(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'money.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Iterator[Database]:
    source = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_schema()
    with source as url:
        database = Database(url)
        database.create_schema()
        yield database
        database.dispose()


def grant_until(db: Database, cast, index: int, stop_after: str, **match) -> Grant:  # type: ignore[no-untyped-def]
    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    for action, who, payload, at in steps(db, cast, grant.id):
        apply_action(db, grant.id, action, who, payload, now=at)
        if action == stop_after and all(payload.get(k) == v for k, v in match.items()):
            break
    return grant


def all_at_once(attempt: Callable[[int], None]) -> Counter:
    """Run ``attempt`` ATTEMPTS times at the same moment; count outcomes by kind."""
    start = threading.Barrier(ATTEMPTS)
    outcomes: Counter = Counter()

    def run(number: int) -> str:
        start.wait(30)
        try:
            attempt(number)
            return "applied"
        except ActionRejected as error:
            return f"refused:{error.code}"
        except Exception as error:  # noqa: BLE001 - counted and reported as unexpected
            return f"unexpected:{type(error).__name__}"

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        outcomes.update(pool.map(run, range(ATTEMPTS)))
    return outcomes


def disbursed(db: Database, grant_id: int) -> tuple[int, int, int]:
    """(cents paid according to the payment record, cents of released instalments, approved)."""
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        instalments = {
            i.id: i for i in session.exec(select(Instalment).where(Instalment.grant_id == grant_id))
        }
        releases = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant_id,
                AuditEvent.action == "release_payment",
                AuditEvent.outcome == "applied",
            )
        ).all()
    paid = sum(instalments[e.subject_id].amount_cents for e in releases)
    released = sum(i.amount_cents for i in instalments.values() if i.state == "released")
    return paid, released, grant.approved_cents or 0


def report(label: str, outcomes: Counter, over: int, what: str) -> None:
    unexpected = sum(n for kind, n in outcomes.items() if kind.startswith("unexpected"))
    print(
        f"\n{label}: {ATTEMPTS} attempts, {outcomes['applied']} {what}, {over} over-"
        f"{'disbursed' if what == 'released' else 'committed'} cents, {unexpected} unexpected "
        f"errors ({dict(outcomes)})"
    )


def test_fifty_simultaneous_releases_pay_an_instalment_once(db, capsys):
    cast = fictional.seed(db)
    grant = grant_until(db, cast, 0, "initiate_payment", sequence=1)
    finance = actor(cast.finance)

    outcomes = all_at_once(
        lambda _n: apply_action(db, grant.id, "release_payment", finance, {"sequence": 1})
    )
    paid, released, _approved = disbursed(db, grant.id)
    with capsys.disabled():
        report(f"release on {db.engine.dialect.name}", outcomes, paid - released, "released")
    assert outcomes["applied"] == 1
    assert paid == released > 0
    assert set(outcomes) <= {"applied", "refused:wrong-state"}


def naive_release(db: Database, grant_id: int, sequence: int, finance_id: int) -> None:
    """Check in one transaction, pay in another: the classic race, written on purpose."""
    with db.reading() as session:
        instalment = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == sequence
            )
        ).one()
        if instalment.state != "initiated":
            raise ActionRejected("already released")
        instalment_id = instalment.id
    threading.Event().wait(0.05)  # the gap between check and write that real systems have
    with db.transaction() as session:
        session.add(
            AuditEvent(
                grant_id=grant_id,
                subject="instalment",
                subject_id=instalment_id,
                actor_id=finance_id,
                actor_name="naive",
                role="finance",
                action="release_payment",
                from_state="initiated",
                to_state="released",
            )
        )


def test_a_naive_check_then_insert_release_pays_twice(db, capsys):
    cast = fictional.seed(db)
    grant = grant_until(db, cast, 0, "initiate_payment", sequence=1)
    outcomes = all_at_once(lambda _n: naive_release(db, grant.id, 1, cast.finance.id))
    paid, _released, _approved = disbursed(db, grant.id)
    with db.reading() as session:
        amount = (
            session.exec(
                select(Instalment).where(Instalment.grant_id == grant.id, Instalment.sequence == 1)
            )
            .one()
            .amount_cents
        )
    with capsys.disabled():
        report(f"naive release on {db.engine.dialect.name}", outcomes, paid - amount, "released")
    assert outcomes["applied"] > 1, "the naive variant should have paid more than once"
    assert paid > amount


def test_fifty_simultaneous_approvals_never_over_commit_an_allocation(db, capsys):
    cast = fictional.seed(db)
    grants = [grant_until(db, cast, index, "recommend") for index in range(ATTEMPTS)]
    with db.transaction() as session:
        allocations = session.exec(
            select(FundAllocation).where(FundAllocation.fund_id == cast.fund.id)
        ).all()
        requested = {g.id: session.get(Grant, g.id).requested_cents for g in grants}
        # Room for only some of the fifty in each fiscal year: the rest must be refused.
        for allocation in allocations:
            allocation.allocated_cents = 10 * max(requested.values())
            session.add(allocation)
    approver = actor(cast.approver)

    def approve(number: int) -> None:
        grant = grants[number]
        payload = {"approved_cents": requested[grant.id], "risk_rating": "low"}
        apply_action(db, grant.id, "approve", approver, payload)

    outcomes = all_at_once(approve)
    with db.reading() as session:
        allocations = session.exec(
            select(FundAllocation).where(FundAllocation.fund_id == cast.fund.id)
        ).all()
        approved = session.exec(select(Grant).where(Grant.state == "approved")).all()
    over = sum(max(0, a.committed_cents - a.allocated_cents) for a in allocations)
    with capsys.disabled():
        report(f"approvals on {db.engine.dialect.name}", outcomes, over, "approved")
    assert over == 0
    assert outcomes["applied"] == len(approved) > 0
    assert outcomes["refused:rule-failed"] == ATTEMPTS - len(approved) > 0
    committed = sum(a.committed_cents for a in allocations)
    assert committed == sum(g.approved_cents for g in approved)
