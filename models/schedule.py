"""Schedule E (payment plan) and Schedule F (reports) derived from the approved budget.

Payment plan rule: the holdback (``holdback_bps`` of the approved amount) and the initial
payment (``initial_bps``, at most 20%) are taken first, each rounded down to the cent. The rest
is split across fiscal years in proportion to the approved budget, and within a year evenly
across its payment periods (low risk: one a year, medium: two, high: four), with leftover
cents going to the earliest parts (see ``models.money``). The instalments therefore sum to the
approved amount exactly.

Due dates: the initial payment on ``initial_due`` (the approval's day when the project starts
later: it is paid on execution, once the agreement is signed and its conditions met), each
period's payment on the period's first day, the holdback ``HOLDBACK_DAYS_AFTER_END`` after the
end. No instalment is payable before its due date (``models.guards.instalment_due``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.clock import fiscal_year_end, fiscal_year_start, fiscal_years_between
from models.money import basis_points_of, split_evenly, split_proportionally

PERIODS_PER_YEAR = {"low": 1, "medium": 2, "high": 4}
MAX_INITIAL_BPS = 2_000
ANNUAL_REPORT_DAYS_AFTER_YEAR_END = 90
FINAL_REPORT_DAYS_AFTER_END = 60
HOLDBACK_DAYS_AFTER_END = 90


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    kind: str
    due_date: date
    amount_cents: int


@dataclass(frozen=True)
class PlannedReport:
    sequence: int
    kind: str
    period_start: date
    period_end: date
    due_date: date


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _period_starts(fiscal_year: int, periods: int, start: date, end: date) -> list[date]:
    """Due dates of a year's payment periods that overlap the project; a period already
    under way when the project starts is paid on the start date."""
    year_start = fiscal_year_start(fiscal_year)
    bounds = [_add_months(year_start, i * 12 // periods) for i in range(periods + 1)]
    dues = [
        max(period_start, start)
        for period_start, next_start in zip(bounds, bounds[1:], strict=False)
        if period_start <= end and next_start > start
    ]
    return dues or [max(year_start, start)]


def plan_instalments(
    approved_cents: int,
    budget_by_year: dict[int, int],
    start: date,
    end: date,
    risk_rating: str,
    initial_bps: int,
    holdback_bps: int,
    initial_due: date | None = None,
) -> list[PlannedInstalment]:
    if approved_cents <= 0:
        raise ValueError("a payment plan needs a positive approved amount")
    if sum(budget_by_year.values()) != approved_cents:
        raise ValueError("the approved budget must add up to the approved amount")
    holdback = basis_points_of(approved_cents, holdback_bps)
    initial = basis_points_of(approved_cents, min(initial_bps, MAX_INITIAL_BPS))
    rest = approved_cents - holdback - initial
    years = sorted(budget_by_year)
    year_shares = split_proportionally(rest, [budget_by_year[y] for y in years])
    planned: list[tuple[str, date, int]] = []
    if initial:
        planned.append(("initial", min(start, initial_due or start), initial))
    periods = PERIODS_PER_YEAR[risk_rating]
    for fiscal_year, share in zip(years, year_shares, strict=True):
        starts = _period_starts(fiscal_year, periods, start, end)
        for due, amount in zip(starts, split_evenly(share, len(starts)), strict=True):
            if amount:
                planned.append(("periodic", due, amount))
    if holdback:
        planned.append(("holdback", end + timedelta(days=HOLDBACK_DAYS_AFTER_END), holdback))
    return [
        PlannedInstalment(sequence, kind, due, amount)
        for sequence, (kind, due, amount) in enumerate(planned, start=1)
    ]


def plan_reports(start: date, end: date) -> list[PlannedReport]:
    """An annual report for every fiscal year but the last, and a final report."""
    years = fiscal_years_between(start, end)
    reports = []
    for fiscal_year in years[:-1]:
        period_end = fiscal_year_end(fiscal_year)
        reports.append(
            (
                "annual",
                max(start, fiscal_year_start(fiscal_year)),
                period_end,
                period_end + timedelta(days=ANNUAL_REPORT_DAYS_AFTER_YEAR_END),
            )
        )
    reports.append(
        (
            "final",
            max(start, fiscal_year_start(years[-1])),
            end,
            end + timedelta(days=FINAL_REPORT_DAYS_AFTER_END),
        )
    )
    return [
        PlannedReport(sequence, kind, period_start, period_end, due)
        for sequence, (kind, period_start, period_end, due) in enumerate(reports, start=1)
    ]
