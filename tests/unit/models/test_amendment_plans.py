"""Re-planning an amended agreement (``models.amendments``) over random plans: what is paid
stays, every fiscal year's instalments add up to its new approved line, and all of them to the
new approved amount, to the cent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.amendments import AmendmentPlanError, Payment, Terms, replan
from models.budget import approved_lines
from models.clock import fiscal_year_end, fiscal_year_start, fiscal_years_between
from models.money import basis_points_of
from models.schedule import HOLDBACK_DAYS_AFTER_END, charged_fiscal_year, plan_instalments
from models.tables import BudgetLine

money = settings(max_examples=300, deadline=None, database=None)
FIRST_YEAR = 2027
HOLDBACK_BPS = 1_000
INITIAL_BPS = 2_000


@st.composite
def amended_plans(draw):  # type: ignore[no-untyped-def]
    """An approved one- or two-year plan with its first regular instalments paid, and an
    amendment of its amount and end date (within three fiscal years)."""
    years = draw(st.integers(1, 2))
    start = fiscal_year_start(FIRST_YEAR)
    end = fiscal_year_end(FIRST_YEAR + years - 1)
    requested = [draw(st.integers(1_000_000, 50_000_000)) for _ in range(years)]
    approved = draw(st.integers(1_000_000, sum(requested)))
    budget = [
        BudgetLine(grant_id=1, fiscal_year=FIRST_YEAR + k, requested_cents=cents)
        for k, cents in enumerate(requested)
    ]
    lines = approved_lines(approved, budget)
    risk = draw(st.sampled_from(["low", "medium", "high"]))
    plan = plan_instalments(
        approved, lines, start, end, risk, INITIAL_BPS, HOLDBACK_BPS, initial_due=start
    )
    regular = [p for p in plan if p.kind != "holdback"]
    paid = regular[: draw(st.integers(0, len(regular)))]
    fixed = [Payment(p.kind, p.due_date, p.amount_cents) for p in paid]
    paid_cents = sum(p.amount_cents for p in fixed)
    new_amount = draw(st.integers(max(1, paid_cents), approved * 2))
    months = draw(st.sampled_from([0, 3, 6, 12]))
    new_end = end if months == 0 else _months_after(end, months)
    return start, lines, fixed, risk, Terms(new_amount, new_end, 90, 60)


def _months_after(day: date, months: int) -> date:
    first_of_next = day + timedelta(days=1)
    index = first_of_next.month - 1 + months
    return date(first_of_next.year + index // 12, index % 12 + 1, 1) - timedelta(days=1)


@money
@given(case=amended_plans())
def test_the_re_planned_instalments_add_up_to_each_year_and_the_new_amount(case):
    start, lines, fixed, risk, after = case
    try:
        result = replan(
            start=start,
            terms_after=after,
            lines_before=lines,
            fixed=fixed,
            unpaid_initial=None,
            risk_rating=risk,
            holdback_bps=HOLDBACK_BPS,
        )
    except AmendmentPlanError:
        # Only an increase with every payment of the agreement already made has nowhere to go.
        assert after.approved_cents > sum(lines.values())
        return
    paid = sum(p.amount_cents for p in fixed)
    assert paid + sum(part.amount_cents for part in result.parts) == after.approved_cents
    assert sum(result.lines.values()) == after.approved_cents
    assert all(part.amount_cents > 0 for part in result.parts)
    assert all(cents >= 0 for cents in result.lines.values())
    years = sorted(y for y, cents in result.lines.items() if cents > 0)
    charged: dict[int, int] = {}
    for payment in [*fixed, *result.parts]:
        year = charged_fiscal_year(payment.kind, payment.due_date, years)
        charged[year] = charged.get(year, 0) + payment.amount_cents
    assert charged == {y: cents for y, cents in result.lines.items() if cents > 0}
    term = set(fiscal_years_between(start, after.end_date))
    assert set(years) <= term
    holdbacks = [part for part in result.parts if part.kind == "holdback"]
    assert len(holdbacks) <= 1
    for holdback in holdbacks:
        assert holdback.amount_cents <= basis_points_of(after.approved_cents, HOLDBACK_BPS)
        assert holdback.due_date == after.end_date + timedelta(days=HOLDBACK_DAYS_AFTER_END)
    for part in result.parts:
        if part.kind != "holdback":
            assert start <= part.due_date <= after.end_date
            assert part.due_date not in {p.due_date for p in fixed}


def test_a_decrease_below_what_is_paid_is_refused():
    with pytest.raises(AmendmentPlanError, match="below what is paid or in flight"):
        replan(
            start=date(2027, 4, 1),
            terms_after=Terms(999, date(2028, 3, 31), 90, 60),
            lines_before={2027: 10_000},
            fixed=[Payment("initial", date(2027, 4, 1), 1_000)],
            unpaid_initial=None,
            risk_rating="low",
            holdback_bps=HOLDBACK_BPS,
        )


def test_an_extension_with_an_increase_moves_the_holdback_to_the_new_last_year():
    """One year, low risk, its only regular payment made: the increase goes to the year the
    extension adds, and the old holdback's money with it, so that year carries a payment and
    the holdback of the new amount."""
    result = replan(
        start=date(2027, 4, 1),
        terms_after=Terms(13_750_000, date(2028, 9, 30), 90, 60),
        lines_before={2027: 12_500_000},
        fixed=[Payment("initial", date(2027, 4, 1), 11_250_000)],
        unpaid_initial=None,
        risk_rating="low",
        holdback_bps=HOLDBACK_BPS,
    )
    assert result.lines == {2027: 11_250_000, 2028: 2_500_000}
    assert [(p.kind, p.due_date, p.amount_cents) for p in result.parts] == [
        ("periodic", date(2028, 4, 1), 1_125_000),
        ("holdback", date(2028, 12, 29), 1_375_000),
    ]
    assert result.line_changes({2027: 12_500_000}) == {2027: -1_250_000, 2028: 2_500_000}
