"""The close-out netting rule: the holdback pays what the instalments did not cover, never more,
and whatever the instalments paid beyond the expenditure is owed back."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.budget import release_by_year
from models.money import basis_points_of
from models.settlement import HoldbackSettlement, repayment_due_by, settle_holdback

money = settings(max_examples=200, deadline=None, database=None)

APPROVED = 25_000_000
HOLDBACK = 2_500_000
PAID = APPROVED - HOLDBACK  # every regular instalment released


@pytest.mark.parametrize(
    ("expenditure", "expected"),
    [
        # E >= P + H: the whole holdback is payable
        (APPROVED, HoldbackSettlement(HOLDBACK, HOLDBACK, 0, 0)),
        (APPROVED + 1_000_000, HoldbackSettlement(HOLDBACK, HOLDBACK, 0, 0)),
        # P <= E < P + H: the holdback pays the difference, the rest is withheld
        (PAID + 500_000, HoldbackSettlement(HOLDBACK, 500_000, 2_000_000, 0)),
        (APPROVED - 1, HoldbackSettlement(HOLDBACK, HOLDBACK - 1, 1, 0)),
        # E == P exactly: nothing payable, nothing owed
        (PAID, HoldbackSettlement(HOLDBACK, 0, HOLDBACK, 0)),
        # E < P: the holdback is withheld in full and the difference is owed back
        (PAID - 1, HoldbackSettlement(HOLDBACK, 0, HOLDBACK, 1)),
        (20_000_000, HoldbackSettlement(HOLDBACK, 0, HOLDBACK, 2_500_000)),
        (0, HoldbackSettlement(HOLDBACK, 0, HOLDBACK, PAID)),
    ],
    ids=["spent-all", "overspent", "partial", "one-cent-short", "spent-paid", "one-cent-under",
         "underspent", "spent-nothing"],
)  # fmt: skip
def test_the_holdback_pays_only_what_the_instalments_did_not_cover(expenditure, expected):
    assert settle_holdback(PAID, expenditure, HOLDBACK) == expected


@pytest.mark.parametrize(
    ("expenditure", "expected"),
    [
        (PAID + 7, HoldbackSettlement(0, 0, 0, 0)),
        (PAID, HoldbackSettlement(0, 0, 0, 0)),
        (PAID - 7, HoldbackSettlement(0, 0, 0, 7)),
    ],
)
def test_without_a_holdback_only_a_repayment_can_arise(expenditure, expected):
    assert settle_holdback(PAID, expenditure, 0) == expected


def test_negative_figures_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        settle_holdback(PAID, -1, HOLDBACK)


def test_a_repayment_is_due_thirty_days_after_close_out_begins():
    assert repayment_due_by(date(2028, 6, 15)) == date(2028, 7, 15)


CENTS = st.integers(min_value=0, max_value=500_000_000)


@money
@given(paid=CENTS, expenditure=CENTS, holdback=CENTS)
def test_the_holdback_splits_into_payable_and_withheld_and_nothing_is_negative(
    paid, expenditure, holdback
):
    settled = settle_holdback(paid, expenditure, holdback)
    assert settled.planned_cents == holdback
    assert settled.payable_cents + settled.withheld_cents == holdback
    assert 0 <= settled.payable_cents <= holdback
    assert settled.withheld_cents >= 0
    assert settled.repayment_cents >= 0
    assert settled.payable_cents == 0 or settled.repayment_cents == 0


@st.composite
def close_outs(draw) -> tuple[int, int, int, int]:
    """An approved amount, its holdback at some rate, and an expenditure around it."""
    approved = draw(st.integers(min_value=1, max_value=185_000_000))
    holdback = basis_points_of(approved, draw(st.integers(min_value=0, max_value=5_000)))
    expenditure = draw(st.integers(min_value=0, max_value=approved * 2))
    return approved, approved - holdback, holdback, expenditure


@money
@given(close_outs())
def test_the_recipient_keeps_what_it_spent_and_never_more_than_approved(figures):
    approved, paid, holdback, expenditure = figures
    settled = settle_holdback(paid, expenditure, holdback)
    net = paid + settled.payable_cents - settled.repayment_cents
    assert net == min(expenditure, approved)
    if expenditure <= approved:
        assert net == expenditure
    assert paid + settled.payable_cents <= approved


# --------------------------------------------------------------------------- giving back


LINES = {2027: 10_000_000, 2028: 15_000_000}


def test_commitment_is_given_back_latest_fiscal_year_first():
    assert release_by_year(LINES, 2_500_000) == {2028: 2_500_000}
    assert release_by_year(LINES, 20_000_000) == {2028: 15_000_000, 2027: 5_000_000}
    assert release_by_year(LINES, 0) == {}


def test_what_was_already_given_back_is_not_given_back_twice():
    # a holdback withheld at close-out took 14,000,000 from 2028; a termination then gives back
    # the last 1,000,000 of 2028 and moves on to 2027
    assert release_by_year(LINES, 3_000_000, already_released=14_000_000) == {
        2028: 1_000_000,
        2027: 2_000_000,
    }
    assert release_by_year(LINES, 5_000_000, already_released=25_000_000) == {}


@money
@given(
    lines=st.dictionaries(st.integers(2026, 2030), CENTS, min_size=1, max_size=3),
    first=CENTS,
    second=CENTS,
)
def test_giving_back_in_two_steps_equals_giving_back_at_once(lines, first, second):
    once = release_by_year(lines, first + second)
    one = release_by_year(lines, first)
    two = release_by_year(lines, second, already_released=first)
    for year, approved in lines.items():
        assert one.get(year, 0) + two.get(year, 0) == once.get(year, 0) <= approved
    assert sum(once.values()) == min(first + second, sum(lines.values()))
