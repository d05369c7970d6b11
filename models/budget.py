"""Budget per Ontario fiscal year and its commitment against the fund's allocations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from models.money import split_proportionally
from models.tables import BudgetLine, FundAllocation


def fiscal_label(fiscal_year: int) -> str:
    return f"{fiscal_year}-{(fiscal_year + 1) % 100:02d}"


def approved_lines(approved_cents: int, budget: Sequence[BudgetLine]) -> dict[int, int]:
    """The approved amount spread over the requested budget's fiscal years, in proportion."""
    ordered = sorted(budget, key=lambda line: line.fiscal_year)
    shares = split_proportionally(approved_cents, [line.requested_cents for line in ordered])
    return {line.fiscal_year: share for line, share in zip(ordered, shares, strict=True)}


def allocation_shortfalls(
    lines: Mapping[int, int], allocations: Mapping[int, FundAllocation]
) -> list[tuple[int, int, int, int]]:
    """(fiscal year, shortfall, available, needed) for every year the allocation cannot cover."""
    shortfalls = []
    for fiscal_year, needed in sorted(lines.items()):
        allocation = allocations.get(fiscal_year)
        available = (
            0 if allocation is None else (allocation.allocated_cents - allocation.committed_cents)
        )
        if needed > available:
            shortfalls.append((fiscal_year, needed - available, available, needed))
    return shortfalls


def _latest_years_first(lines: Mapping[int, int], cents: int) -> dict[int, int]:
    taken: dict[int, int] = {}
    remaining = cents
    for fiscal_year in sorted(lines, reverse=True):
        taken[fiscal_year] = min(remaining, max(lines[fiscal_year], 0))
        remaining -= taken[fiscal_year]
    return taken


def release_by_year(
    lines: Mapping[int, int], cents: int, already_released: int = 0
) -> dict[int, int]:
    """How many of ``cents`` each fiscal year gives back to its allocation.

    Commitment that will never be paid (a lapsed offer, a withheld holdback, a terminated
    agreement) is given back latest fiscal year first, each year at most its approved line.
    ``already_released`` cents were given back the same way before (a holdback withheld at
    close-out, then a termination), so they come off the latest years first and are not given
    back twice. Years with nothing to give back are left out; cents beyond the approved lines
    are not given back at all.
    """
    if cents < 0 or already_released < 0:
        raise ValueError("released amounts must not be negative")
    before = _latest_years_first(lines, already_released)
    after = _latest_years_first(lines, already_released + cents)
    return {
        fiscal_year: after[fiscal_year] - before[fiscal_year]
        for fiscal_year in sorted(lines, reverse=True)
        if after[fiscal_year] > before[fiscal_year]
    }
