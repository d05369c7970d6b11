"""Amending an active agreement through the engine, on a real database (SQLite, or PostgreSQL
in the PostgreSQL pass): paid and in-flight instalments never move, the re-planned instalments
add up to the amended amount to the cent, the budget and the fund's allocations follow, and an
increase never over-commits an allocation, even when two grants race for its last dollars."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.clock import fiscal_year_of
from models.engine import apply_action
from models.errors import ActionRejected, GuardFailed
from models.fictional.script import Step, actor, steps
from models.governed import engine_window
from models.provisioning import create_user
from models.schedule import charged_fiscal_year, plan_reports
from models.tables import Amendment, AuditEvent, BudgetLine, FundAllocation, User
from tests.support.models_support import (
    World,
    advance,
    allocations,
    amendments,
    audit_events,
    grant,
    instalments,
    new_grant,
    reports,
    run_script,
    seeded_world,
    take,
)

TWO_YEARS = 1  # an application over two fiscal years (models.fictional.seeding)
ONE_YEAR = 0
REASON = "The project’s second site needs it."


@pytest.fixture
def world(tmp_path) -> World:
    return seeded_world(tmp_path)


def under_way(world: World, index: int = TWO_YEARS) -> tuple[int, datetime | None]:
    """A grant whose first instalments are paid and whose next one is in flight (initiated)."""
    grant_id = new_grant(world, index)
    step = advance(world, grant_id, "initiate_payment", occurrence=2)
    take(world, step, grant_id)
    return grant_id, step.at


def propose(world: World, grant_id: int, at: datetime | None, **terms: Any) -> int:
    proposer = actor(world.cast.payments_officer)
    step = Step("propose_amendment", proposer, terms, at)
    return take(world, step, grant_id).details["amendment_sequence"]


def amend(world: World, grant_id: int, at: datetime | None, **terms: Any) -> AuditEvent:
    """Propose, approve, sign and countersign an amendment; the countersignature's event."""
    number = {"sequence": propose(world, grant_id, at, **terms)}
    approver = actor(world.cast.approver)
    take(world, Step("approve_amendment", approver, number, at), grant_id)
    take(world, Step("sign_amendment", world.applicant_of(grant_id), number, at), grant_id)
    result = take(world, Step("countersign_amendment", approver, number, at), grant_id)
    return next(e for e in audit_events(world.db, grant_id) if e.id == result.event_id)


def paid_rows(world: World, grant_id: int) -> dict[int, dict[str, Any]]:
    return {
        i.sequence: i.model_dump()
        for i in instalments(world.db, grant_id)
        if i.state in ("released", "initiated")
    }


def committed(world: World) -> int:
    return sum(a.committed_cents for a in allocations(world.db, world.cast.fund.id).values())


def budget(world: World, grant_id: int) -> dict[int, int]:
    with world.db.reading() as session:
        rows = session.exec(select(BudgetLine).where(BudgetLine.grant_id == grant_id))
        return {line.fiscal_year: line.approved_cents or 0 for line in rows}


def charged_by_year(world: World, grant_id: int) -> dict[int, int]:
    years = sorted(y for y, cents in budget(world, grant_id).items() if cents)
    charged: dict[int, int] = {}
    for i in instalments(world.db, grant_id):
        year = charged_fiscal_year(i.kind, i.due_date, years)
        charged[year] = charged.get(year, 0) + i.amount_cents
    return charged


SCENARIOS: dict[str, Any] = {
    "increase": lambda g: {"approved_cents": g.approved_cents + 2_000_000},
    "decrease": lambda g: {"approved_cents": g.approved_cents - 1_000_000},
    "extension": lambda g: {"end_date": date(g.end_date.year, 9, 30).isoformat()},
    "reporting change": lambda g: {"annual_report_days": 120, "final_report_days": 90},
}
REASON_OF = {
    "approved_cents": "approved_cents_reason",
    "end_date": "end_date_reason",
    "annual_report_days": "report_schedule_reason",
    "final_report_days": "report_schedule_reason",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_an_amendment_re_plans_only_what_is_unpaid_and_the_money_stays_exact(world, scenario):
    grant_id, at = under_way(world)
    before = grant(world.db, grant_id)
    terms = SCENARIOS[scenario](before)
    terms.update({REASON_OF[name]: REASON for name in list(terms)})
    paid_before = paid_rows(world, grant_id)
    kept_reports = {
        r.sequence: r.model_dump() for r in reports(world.db, grant_id) if r.state != "due"
    }
    committed_before = committed(world)
    assert paid_before and any(row["state"] == "initiated" for row in paid_before.values())

    event = amend(world, grant_id, at, **terms)

    after = grant(world.db, grant_id)
    approved = terms.get("approved_cents", before.approved_cents)
    assert after.approved_cents == approved
    assert after.end_date == date.fromisoformat(terms.get("end_date", before.end_date.isoformat()))
    assert paid_rows(world, grant_id) == paid_before  # paid and in flight: untouched, row for row
    rows = instalments(world.db, grant_id)
    assert sum(i.amount_cents for i in rows) == approved  # to the cent
    assert len({i.sequence for i in rows}) == len(rows)
    assert all(i.amount_cents > 0 for i in rows)
    assert sum(budget(world, grant_id).values()) == approved
    assert charged_by_year(world, grant_id) == {
        y: c for y, c in budget(world, grant_id).items() if c
    }
    assert committed(world) - committed_before == approved - before.approved_cents
    for allocation in allocations(world.db, world.cast.fund.id).values():
        assert 0 <= allocation.committed_cents <= allocation.allocated_cents
    # Reports: the ones not yet submitted follow the amended schedule; none else moves.
    now_reports = reports(world.db, grant_id)
    assert {r.sequence: r.model_dump() for r in now_reports if r.state != "due"} == kept_reports
    planned = plan_reports(
        after.start_date, after.end_date, after.annual_report_days, after.final_report_days
    )
    assert [(r.kind, r.period_start, r.period_end, r.due_date) for r in now_reports] == [
        (p.kind, p.period_start, p.period_end, p.due_date) for p in planned
    ]
    assert [a.state for a in amendments(world.db, grant_id)] == ["in_force"]
    # The countersignature's event records the plans before and after, and people by id only.
    details = event.payload_summary["details"]
    assert sum(i["amount_cents"] for i in details["instalments_after"]) == approved
    assert sum(i["amount_cents"] for i in details["instalments_before"]) == before.approved_cents
    assert not [key for key in _keys(details) if "name" in key]
    assert event.actor_id == world.cast.approver.id


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_an_amended_grant_is_reported_on_and_closed_out_on_the_amended_amount(world):
    grant_id = new_grant(world, ONE_YEAR)
    results = run_script(world, grant_id, "amended")
    amended = grant(world.db, grant_id)
    assert amended.state == "closed"
    original = next(r for r in results if r.action == "approve")
    countersigned = next(r for r in results if r.action == "countersign_amendment")
    assert (
        amended.approved_cents
        > (
            next(
                e for e in audit_events(world.db, grant_id) if e.id == original.event_id
            ).payload_summary["approved_cents"]
        )
    )
    close = next(r for r in results if r.action == "close")
    assert close.details["approved_cents"] == amended.approved_cents
    assert close.details["paid_total_cents"] == amended.approved_cents
    assert all(i.state == "released" for i in instalments(world.db, grant_id))
    assert all(r.state == "accepted" for r in reports(world.db, grant_id))
    assert countersigned.details["commitment_changes_by_year"]


def test_an_increase_the_allocation_cannot_carry_is_refused_with_the_year_and_the_shortfall(
    world,
):
    grant_id, at = under_way(world)
    number = propose(
        world, grant_id, at, approved_cents=grant(world.db, grant_id).approved_cents + 5_000_000,
        approved_cents_reason=REASON,
    )  # fmt: skip
    with world.db.transaction() as session:
        for allocation in session.exec(select(FundAllocation)):
            allocation.allocated_cents = allocation.committed_cents  # nothing left anywhere
            session.add(allocation)
    with pytest.raises(GuardFailed) as refused:
        apply_action(
            world.db, grant_id, "approve_amendment", actor(world.cast.approver),
            {"sequence": number}, now=at,
        )  # fmt: skip
    assert refused.value.rule == "amendment_within_allocation"
    assert "the amendment would exceed the fund's allocation: fiscal year" in str(refused.value)
    assert "($0.00 available" in str(refused.value)


def test_who_proposed_an_amendment_may_not_approve_it(world):
    grant_id, at = under_way(world)
    both = create_user(
        world.db, name="Officer And Approver (fictional)", roles=["officer", "approver"]
    )
    step = Step(
        "propose_amendment", actor(both), {"end_date": "2029-09-30", "end_date_reason": REASON}, at
    )
    number = take(world, step, grant_id).details["amendment_sequence"]
    with pytest.raises(GuardFailed) as refused:
        apply_action(
            world.db, grant_id, "approve_amendment", actor(both), {"sequence": number}, now=at
        )
    assert refused.value.rule == "approver_not_amendment_proposer"
    assert amendments(world.db, grant_id)[0].state == "proposed"


def test_the_screening_officer_may_not_approve_an_amendment(world):
    grant_id, at = under_way(world)
    number = propose(world, grant_id, at, end_date="2029-09-30", end_date_reason=REASON)
    with world.db.transaction() as session:
        screener = session.get(User, world.cast.screening_officer.id)
        assert screener is not None
        screener.roles = [*screener.roles, "approver"]
        session.add(screener)
    with pytest.raises(GuardFailed) as refused:
        apply_action(
            world.db, grant_id, "approve_amendment", actor(screener), {"sequence": number}, now=at
        )
    assert refused.value.rule == "approver_not_screening_officer"


def test_a_second_open_amendment_is_refused_by_the_guard_and_by_the_database(world):
    grant_id, at = under_way(world)
    propose(world, grant_id, at, end_date="2029-09-30", end_date_reason=REASON)
    with pytest.raises(GuardFailed) as refused:
        propose(world, grant_id, at, annual_report_days=120, report_schedule_reason=REASON)
    assert refused.value.rule == "no_open_amendment"
    first = amendments(world.db, grant_id)[0]
    with pytest.raises(IntegrityError), world.db.transaction() as session, engine_window():
        session.add(
            Amendment(
                **{k: v for k, v in first.model_dump().items() if k not in ("id", "sequence")},
                sequence=2,
            )
        )


def test_a_withdrawn_amendment_changes_nothing_and_lets_another_be_proposed(world):
    grant_id, at = under_way(world)
    before = (grant(world.db, grant_id).model_dump(), paid_rows(world, grant_id), committed(world))
    number = propose(world, grant_id, at, approved_cents=1_000_000_00, approved_cents_reason=REASON)
    withdraw = Step(
        "withdraw_amendment", actor(world.cast.payments_officer),
        {"sequence": number, "reason": "Proposed in error."}, at,
    )  # fmt: skip
    take(world, withdraw, grant_id)
    after = (grant(world.db, grant_id).model_dump(), paid_rows(world, grant_id), committed(world))
    assert after == before
    assert propose(world, grant_id, at, end_date="2029-09-30", end_date_reason=REASON) == 2


# --------------------------------------------------------------------------- concurrency


def signed_increase(world: World, index: int, increase: int) -> tuple[int, int, datetime | None]:
    """A one-year grant with its initial payment made and an increase the organisation has
    signed, waiting for the Fund's countersignature."""
    grant_id = new_grant(world, index)
    step = advance(world, grant_id, "initiate_payment", occurrence=2)
    approved = grant(world.db, grant_id).approved_cents
    number = {"sequence": propose(world, grant_id, step.at, approved_cents=approved + increase,
                                  approved_cents_reason=REASON)}  # fmt: skip
    take(world, Step("approve_amendment", actor(world.cast.approver), number, step.at), grant_id)
    take(world, Step("sign_amendment", world.applicant_of(grant_id), number, step.at), grant_id)
    return grant_id, number["sequence"], step.at


def test_two_amendments_racing_for_the_last_of_an_allocation_one_wins(world, capsys):
    increase = 3_000_000
    racing = [signed_increase(world, index, increase) for index in (0, 2)]
    first_year = fiscal_year_of(grant(world.db, racing[0][0]).start_date)
    with world.db.transaction() as session:
        allocation = session.exec(
            select(FundAllocation).where(FundAllocation.fiscal_year == first_year)
        ).one()
        # Room for one increase and a half: the second must be refused, whichever comes first.
        allocation.allocated_cents = allocation.committed_cents + increase + increase // 2
        session.add(allocation)
    approver = actor(world.cast.approver)
    start = threading.Barrier(len(racing))

    def countersign(case: tuple[int, int, datetime | None]) -> str:
        grant_id, sequence, at = case
        start.wait(30)
        try:
            apply_action(
                world.db,
                grant_id,
                "countersign_amendment",
                approver,
                {"sequence": sequence},
                now=at,
            )
            return "applied"
        except ActionRejected as error:
            return f"refused:{error.code}"
        except Exception as error:  # noqa: BLE001 - counted and reported as unexpected
            return f"unexpected:{type(error).__name__}"

    with ThreadPoolExecutor(len(racing)) as pool:
        outcomes = Counter(pool.map(countersign, racing))
    final = allocations(world.db, world.cast.fund.id)[first_year]
    with capsys.disabled():
        print(
            f"\namendments racing on {world.db.engine.dialect.name}: {dict(outcomes)}, "
            f"{final.committed_cents - final.allocated_cents} cents over-committed at most"
        )
    assert outcomes == Counter({"applied": 1, "refused:rule-failed": 1})
    assert final.committed_cents <= final.allocated_cents
    states = sorted(amendments(world.db, grant_id)[0].state for grant_id, _, _ in racing)
    assert states == ["in_force", "signed"]
    for grant_id, _, _ in racing:
        assert (
            sum(i.amount_cents for i in instalments(world.db, grant_id))
            == grant(world.db, grant_id).approved_cents
        )


def test_close_out_waits_until_an_open_amendment_is_settled(world):
    grant_id = new_grant(world, ONE_YEAR)
    for step in steps(world.db, world.cast, grant_id):
        if step.action == "submit_report":
            propose(world, grant_id, step.at, end_date="2029-09-30", end_date_reason=REASON)
        if step.action == "begin_closeout":
            with pytest.raises(GuardFailed) as refused:
                take(world, step, grant_id)
            assert refused.value.failures == [
                (
                    "no_open_amendment",
                    "amendment 1 is still open (proposed): it must first be in force, "
                    "declined or withdrawn",
                )
            ]
            break
        take(world, step, grant_id)
    # Nothing can be amended once the final report is in: the approver declines it.
    number = {"sequence": 1, "reason": "The final report is in."}
    decline = Step("decline_amendment", actor(world.cast.approver), number, step.at)
    take(world, decline, grant_id)
    take(world, step, grant_id)
    assert grant(world.db, grant_id).state == "closing"
