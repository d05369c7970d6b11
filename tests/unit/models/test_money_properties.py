"""Money arithmetic over random amounts: parts always sum to the whole, to the cent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.clock import fiscal_year_end, fiscal_year_start, fiscal_years_between
from models.money import basis_points_of, format_cad, split_evenly, split_proportionally
from models.schedule import (
    FINAL_REPORT_DAYS_AFTER_END,
    HOLDBACK_DAYS_AFTER_END,
    MAX_INITIAL_BPS,
    PERIODS_PER_YEAR,
    plan_instalments,
    plan_reports,
)

money = settings(max_examples=200, deadline=None, database=None)

FIRST_YEAR = 2027
CENTS = st.integers(min_value=1, max_value=200_000_000)
WEIGHTS = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8)


@st.composite
def projects(draw) -> tuple[date, date, list[int]]:
    """A project spanning one to three Ontario fiscal years, and those years."""
    years = draw(st.integers(min_value=1, max_value=3))
    last_year = FIRST_YEAR + years - 1
    last_start = fiscal_year_end(FIRST_YEAR) - timedelta(days=1)
    start = draw(st.dates(fiscal_year_start(FIRST_YEAR), last_start))
    earliest_end = max(start + timedelta(days=1), fiscal_year_start(last_year))
    end = draw(st.dates(earliest_end, fiscal_year_end(last_year)))
    return start, end, fiscal_years_between(start, end)


@st.composite
def approved_budgets(draw) -> tuple[int, dict[int, int], date, date]:
    """An approved amount and its budget per fiscal year, any year possibly $0."""
    approved = draw(CENTS)
    start, end, years = draw(projects())
    cuts = sorted(
        draw(st.lists(st.integers(0, approved), min_size=len(years) - 1, max_size=len(years) - 1))
    )
    bounds = [0, *cuts, approved]
    budget = {year: bounds[i + 1] - bounds[i] for i, year in enumerate(years)}
    return approved, budget, start, end


RATES = {
    "risk": st.sampled_from(sorted(PERIODS_PER_YEAR)),
    "initial_bps": st.integers(min_value=0, max_value=3_000),
    "holdback_bps": st.integers(min_value=0, max_value=2_000),
}


@money
@given(plan=approved_budgets(), **RATES)
def test_instalments_sum_to_the_approved_amount_and_none_is_negative(
    plan, risk, initial_bps, holdback_bps
):
    approved, budget, start, end = plan
    instalments = plan_instalments(approved, budget, start, end, risk, initial_bps, holdback_bps)
    assert sum(i.amount_cents for i in instalments) == approved
    assert all(i.amount_cents > 0 for i in instalments)
    assert [i.sequence for i in instalments] == list(range(1, len(instalments) + 1))


@money
@given(plan=approved_budgets(), **RATES)
def test_the_holdback_is_the_rate_rounded_down_and_absent_when_it_is_zero(
    plan, risk, initial_bps, holdback_bps
):
    approved, budget, start, end = plan
    instalments = plan_instalments(approved, budget, start, end, risk, initial_bps, holdback_bps)
    holdbacks = [i for i in instalments if i.kind == "holdback"]
    expected = approved * holdback_bps // 10_000
    if expected == 0:
        assert holdbacks == []
    else:
        assert [(h.amount_cents, h.due_date) for h in holdbacks] == [
            (expected, end + timedelta(days=HOLDBACK_DAYS_AFTER_END))
        ]
        assert instalments[-1] == holdbacks[0]


@money
@given(plan=approved_budgets(), **RATES)
def test_the_initial_payment_is_at_most_twenty_percent_and_due_at_the_start(
    plan, risk, initial_bps, holdback_bps
):
    approved, budget, start, end = plan
    instalments = plan_instalments(approved, budget, start, end, risk, initial_bps, holdback_bps)
    initials = [i for i in instalments if i.kind == "initial"]
    expected = approved * min(initial_bps, MAX_INITIAL_BPS) // 10_000
    assert sum(i.amount_cents for i in initials) == expected
    assert expected * 10_000 <= approved * MAX_INITIAL_BPS
    if initials:
        assert initials == [instalments[0]]
        assert initials[0].due_date == start


@money
@given(plan=approved_budgets(), **RATES)
def test_periodic_payments_fall_inside_the_project_in_order_and_follow_the_risk_rating(
    plan, risk, initial_bps, holdback_bps
):
    approved, budget, start, end = plan
    instalments = plan_instalments(approved, budget, start, end, risk, initial_bps, holdback_bps)
    periodic = [i for i in instalments if i.kind == "periodic"]
    dues = [i.due_date for i in periodic]
    assert dues == sorted(dues)
    assert all(start <= due <= end for due in dues)
    per_year = [
        sum(1 for d in dues if fiscal_year_start(y) <= d <= fiscal_year_end(y)) for y in budget
    ]
    assert all(count <= PERIODS_PER_YEAR[risk] for count in per_year)


@money
@given(plan=approved_budgets(), **RATES)
def test_each_fiscal_year_is_paid_its_share_of_the_budget(plan, risk, initial_bps, holdback_bps):
    approved, budget, start, end = plan
    instalments = plan_instalments(approved, budget, start, end, risk, initial_bps, holdback_bps)
    rest = approved - basis_points_of(approved, holdback_bps)
    rest -= basis_points_of(approved, min(initial_bps, MAX_INITIAL_BPS))
    shares = split_proportionally(rest, list(budget.values()))
    for (year, _), share in zip(sorted(budget.items()), shares, strict=True):
        paid = sum(
            i.amount_cents
            for i in instalments
            if i.kind == "periodic"
            and fiscal_year_start(year) <= i.due_date <= fiscal_year_end(year)
        )
        assert paid == share


@money
@given(total=st.integers(min_value=0, max_value=10**12), weights=WEIGHTS)
def test_a_proportional_split_sums_exactly_and_each_part_is_within_a_cent_of_its_share(
    total, weights
):
    parts = split_proportionally(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part >= 0
        if weight_sum:
            exact_floor = total * weight // weight_sum
            assert exact_floor <= part <= exact_floor + 1
            if weight == 0:
                assert part == 0


@money
@given(total=st.integers(min_value=0, max_value=10**12), parts=st.integers(1, 48))
def test_an_even_split_sums_exactly_and_gives_leftover_cents_to_the_earliest_parts(total, parts):
    split = split_evenly(total, parts)
    assert sum(split) == total
    assert len(split) == parts
    assert max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True)


@money
@given(project=projects())
def test_reports_end_with_one_final_report_due_sixty_days_after_the_project(project):
    start, end, years = project
    reports = plan_reports(start, end)
    assert [r.kind for r in reports] == ["annual"] * (len(years) - 1) + ["final"]
    final = reports[-1]
    assert final.period_end == end
    assert final.due_date == end + timedelta(days=FINAL_REPORT_DAYS_AFTER_END)
    for annual, year in zip(reports[:-1], years, strict=False):
        assert annual.period_end == fiscal_year_end(year)
        assert annual.due_date == fiscal_year_end(year) + timedelta(days=90)
    assert reports[0].period_start == start
    assert [r.sequence for r in reports] == list(range(1, len(reports) + 1))


@money
@given(amount=st.integers(min_value=0, max_value=10**12), bps=st.integers(0, 10_000))
def test_basis_points_round_down_and_never_exceed_the_amount(amount, bps):
    share = basis_points_of(amount, bps)
    assert 0 <= share <= amount
    assert share * 10_000 <= amount * bps < (share + 1) * 10_000


def test_a_worked_example_of_the_payment_plan():
    instalments = plan_instalments(
        25_000_001,
        {2027: 12_500_000, 2028: 12_500_001},
        date(2027, 4, 1),
        date(2029, 3, 31),
        "medium",
        2_000,
        1_000,
    )
    assert [(i.kind, i.due_date, i.amount_cents) for i in instalments] == [
        ("initial", date(2027, 4, 1), 5_000_000),
        ("periodic", date(2027, 4, 1), 4_375_000),
        ("periodic", date(2027, 10, 1), 4_375_000),
        ("periodic", date(2028, 4, 1), 4_375_001),
        ("periodic", date(2028, 10, 1), 4_375_000),
        ("holdback", date(2029, 6, 29), 2_500_000),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: split_evenly(-1, 2), "cannot split a negative amount"),
        (lambda: split_evenly(10, 0), "need at least one part"),
        (lambda: split_proportionally(-1, [1]), "cannot split a negative amount"),
        (lambda: split_proportionally(10, []), "weights must be a non-empty list"),
        (lambda: split_proportionally(10, [1, -1]), "weights must be a non-empty list"),
        (lambda: basis_points_of(-1, 10), "amounts and rates must not be negative"),
        (
            lambda: plan_instalments(0, {2027: 0}, date(2027, 4, 1), date(2028, 3, 1), "low", 0, 0),
            "a payment plan needs a positive approved amount",
        ),
        (
            lambda: plan_instalments(
                10, {2027: 9}, date(2027, 4, 1), date(2028, 3, 1), "low", 0, 0
            ),
            "the approved budget must add up to the approved amount",
        ),
    ],
)
def test_money_functions_refuse_negative_or_inconsistent_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_amounts_display_in_canadian_dollars():
    assert format_cad(185_000_000) == "$1,850,000.00"
    assert format_cad(1) == "$0.01"
    assert format_cad(-12_345) == "-$123.45"
