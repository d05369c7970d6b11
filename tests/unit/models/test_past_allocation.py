"""What the past-dated fictional projects ask of the fund's yearly allocations
(``tests/support/past_lifecycle.py``), which the scale-out test and benchmark size the fund by."""

from __future__ import annotations

from collections import Counter

from models.fictional.cast import FUND
from tests.support.past_lifecycle import past_allocation_cents, past_application


def test_the_fictional_funds_allocation_holds_44_past_projects_and_not_45() -> None:
    assert past_allocation_cents(44) <= FUND.annual_allocation_cents < past_allocation_cents(45)


def test_the_allocation_for_100_projects_is_their_busiest_fiscal_years_total() -> None:
    years: Counter[int] = Counter()
    for index in range(100):
        for fiscal_year, cents in past_application(index)["budget"].items():
            years[fiscal_year] += cents
    assert len(years) >= 3  # the projects are spread over several fiscal years
    assert past_allocation_cents(100) == max(years.values())
    assert all(cents < past_allocation_cents(100) for cents in sorted(years.values())[:-1])
    assert past_allocation_cents(0) == 0
