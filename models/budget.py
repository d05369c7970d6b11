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
