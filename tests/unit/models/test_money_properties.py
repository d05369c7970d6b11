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
    """Approved on the start day: the initial payment takes in the first half-year's payment;
    each fiscal year is paid its budget, the holdback counting against the last."""
    instalments = plan_instalments(
        25_000_001,
        {2027: 12_500_000, 2028: 12_500_001},
        date(2027, 4, 1),
        date(2029, 3, 31),
        "medium",
        2_000,
        1_000,
    )
    assert [(i.kind, i.due_date, i.amount_cents, i.fiscal_year) for i in instalments] == [
        ("initial", date(2027, 4, 1), 5_000_000 + 3_750_000, 2027),
        ("periodic", date(2027, 10, 1), 3_750_000, 2027),
        ("periodic", date(2028, 4, 1), 5_000_001, 2028),
        ("periodic", date(2028, 10, 1), 5_000_000, 2028),
        ("holdback", date(2029, 6, 29), 2_500_000, 2028),
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
