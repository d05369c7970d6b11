"""A grant over two Ontario fiscal years (April to March) commits its amount against each
year's allocation; what will never be paid goes back to the year it came from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.budget import fiscal_label
from models.clock import utcnow
from models.engine import apply_action
from models.errors import GuardFailed
from models.fictional.cast import FUND
from models.fictional.script import Step, actor, steps
from models.fictional.seeding import application_for
from models.money import format_cad
from models.provisioning import create_fund
from models.schedule import charged_fiscal_year, funded_years
from models.tables import BudgetLine
from tests.support.models_support import (
    World,
    advance,
    allocations,
    grant,
    instalments,
    new_grant,
    seeded_world,
    take,
)

FUND_CODE = "TWOYEAR"
# Two-year demo applications (odd indexes) ask for per_year in the first year and
# per_year + 1,234 cents in the second (models.fictional.seeding.application_for).
FIRST_GRANT = 1  # 15,000,000 + 15,001,234 cents
SECOND_GRANT = 3  # 20,000,000 + 20,001,234 cents
FIRST_YEAR_ALLOCATION = 40_000_000
SECOND_YEAR_ALLOCATION = 20_000_000


@pytest.fixture
def world(tmp_path) -> World:
    return seeded_world(tmp_path)


def two_year_fund(world: World) -> tuple[int, int, int]:
    """A fund with room in the grants' first fiscal year and little in the second."""
    first_year, second_year = sorted(application_for(FIRST_GRANT, world.cast)[1]["budget"])
    fund = create_fund(
        world.db,
        code=FUND_CODE,
        name_en="Two-year test fund (fictional)",
        name_fr="Fonds d’essai sur deux ans (fictif)",
        call_deadline=utcnow() + timedelta(days=90),
        signer_name=FUND.signer_name,
        signer_title=FUND.signer_title,
        signer_email=FUND.signer_email,
        notice_address=FUND.notice_address,
        notice_email=FUND.notice_email,
        allocations={first_year: FIRST_YEAR_ALLOCATION, second_year: SECOND_YEAR_ALLOCATION},
    )
    assert fund.id is not None
    return fund.id, first_year, second_year


def committed(world: World, fund_id: int) -> dict[int, int]:
    return {year: a.committed_cents for year, a in allocations(world.db, fund_id).items()}


def budget(world: World, grant_id: int) -> dict[int, BudgetLine]:
    with world.db.reading() as session:
        lines = session.exec(select(BudgetLine).where(BudgetLine.grant_id == grant_id))
        return {line.fiscal_year: line for line in lines}


def charged(world: World, grant_id: int) -> dict[int, int]:
    """Cents the grant's instalments charge to each fiscal year, as Schedule E shows them."""
    years = funded_years(
        {y: line.approved_cents or 0 for y, line in budget(world, grant_id).items()}
    )
    totals: dict[int, int] = {}
    for instalment in instalments(world.db, grant_id):
        year = charged_fiscal_year(instalment.kind, instalment.due_date, years)
        totals[year] = totals.get(year, 0) + instalment.amount_cents
    return totals


def approved_grant(world: World, index: int) -> int:
    grant_id = new_grant(world, index, fund_code=FUND_CODE)
    take(world, advance(world, grant_id, "approve"), grant_id)
    return grant_id


def test_approval_commits_each_fiscal_years_share_and_refuses_a_year_without_room(world):
    fund_id, first, second = two_year_fund(world)
    grant_id = approved_grant(world, FIRST_GRANT)

    lines = budget(world, grant_id)
    assert {year: line.approved_cents for year, line in lines.items()} == {
        first: 15_000_000,
        second: 15_001_234,
    }
    assert committed(world, fund_id) == {first: 15_000_000, second: 15_001_234}
    assert charged(world, grant_id) == committed(world, fund_id)

    refused_id = new_grant(world, SECOND_GRANT, fund_code=FUND_CODE)
    approve = advance(world, refused_id, "approve")
    with pytest.raises(GuardFailed) as refused:
        take(world, approve, refused_id)

    available = SECOND_YEAR_ALLOCATION - 15_001_234
    needed = 20_001_234
    assert refused.value.rule == "within_allocation"
    assert str(refused.value) == (
        f"approval would exceed the fund's allocation: fiscal year {fiscal_label(second)} is "
        f"short by {format_cad(needed - available)} ({format_cad(available)} available, "
        f"{format_cad(needed)} needed) [within_allocation]"
    )
    assert fiscal_label(first) not in str(refused.value)
    assert fiscal_label(second) == f"{second}-{(second + 1) % 100:02d}"
    assert grant(world.db, refused_id).state == "recommended"
    assert committed(world, fund_id) == {first: 15_000_000, second: 15_001_234}


def test_terminating_before_any_payment_gives_back_both_years(world):
    fund_id, first, second = two_year_fund(world)
    grant_id = new_grant(world, FIRST_GRANT, fund_code=FUND_CODE)
    advance(world, grant_id, "initiate_payment")
    assert grant(world.db, grant_id).state == "active"
    assert committed(world, fund_id) == {first: 15_000_000, second: 15_001_234}

    result = apply_action(
        world.db, grant_id, "terminate", actor(world.cast.approver), {"reason": "Dissolved."}
    )

    assert result.details["released_commitment_by_year"] == {
        fiscal_label(second): 15_001_234,
        fiscal_label(first): 15_000_000,
    }
    assert committed(world, fund_id) == {first: 0, second: 0}


def closed_out_underspent(world: World, underspent: int) -> int:
    """A new grant of the fund taken through the demo script to ``begin_closeout`` (taken),
    its final report ``underspent`` cents short of the approved amount."""
    grant_id = new_grant(world, FIRST_GRANT, fund_code=FUND_CODE)
    for action, who, payload, at in steps(world.db, world.cast, grant_id):
        if action == "submit_report" and payload["sequence"] == 2:  # the final report
            payload = {**payload, "expenditure_cents": payload["expenditure_cents"] - underspent}
        take(world, Step(action, who, payload, at), grant_id)
        if action == "begin_closeout":
            return grant_id
    raise AssertionError("the script never reached close-out")


def test_a_withheld_holdback_and_a_later_termination_give_back_only_the_last_year(world):
    fund_id, first, second = two_year_fund(world)
    underspent = 1_000_000  # less than the holdback: 2,000,123 of it stays payable

    grant_id = closed_out_underspent(world, underspent)

    after_closeout = committed(world, fund_id)
    assert after_closeout == {first: 15_000_000, second: 15_001_234 - underspent}
    reduced = next(i for i in instalments(world.db, grant_id) if i.kind == "holdback")
    # 10% of 30,001,234 cents, rounded down, was planned
    assert (reduced.state, reduced.amount_cents, reduced.planned_cents) == (
        "scheduled",
        3_000_123 - underspent,
        3_000_123,
    )

    result = apply_action(
        world.db, grant_id, "terminate", actor(world.cast.approver), {"reason": "Dissolved."}
    )

    # the payable rest of the holdback is never paid either; the first year keeps what was
    # paid against it, and nothing is given back twice
    assert result.details["released_commitment_by_year"] == {
        fiscal_label(second): 3_000_123 - underspent
    }
    assert result.details["holdback_withheld_cents"] == 3_000_123
    assert committed(world, fund_id) == {first: 15_000_000, second: 15_001_234 - 3_000_123}


def test_a_holdback_withheld_in_full_goes_back_to_the_last_year(world):
    fund_id, first, second = two_year_fund(world)

    grant_id = closed_out_underspent(world, 5_000_000)

    assert committed(world, fund_id) == {first: 15_000_000, second: 15_001_234 - 3_000_123}
    withheld = next(i for i in instalments(world.db, grant_id) if i.kind == "holdback")
    assert (withheld.state, withheld.amount_cents) == ("withheld", 0)
