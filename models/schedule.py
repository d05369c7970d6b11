"""Schedule E (payment plan) and Schedule F (reports) derived from the approved budget.

Payment plan rule: every instalment is charged to one fiscal year of the approved budget
(Schedule D), and the instalments charged to a year add up to exactly that year's approved
amount, so no year is ever paid more than its budget and the plan totals the approved amount
to the cent. Only the years with approved money (the *funded* years) are charged.

* The holdback (``holdback_bps`` of the approved amount, rounded down to the cent) is charged
  to the last funded year, and is at most that year's approved amount.
* The initial payment (``initial_bps`` of the approved amount, at most 20%, rounded down) is
  charged to the first funded year, and is at most what that year has left after a holdback
  charged to the same year.
* What each year has left (its approved amount less the initial payment or the holdback
  charged to it) is split evenly across the year's payment periods that overlap the project
  (low risk: one a year, medium: two, high: four), leftover cents going to the earliest
  periods (see ``models.money``).

No instalment is of zero cents: an initial payment or holdback that rounds to $0.00, or a
period's part of a year's rest smaller than one cent, is left out.

Due dates, strictly increasing in sequence order: the initial payment on ``initial_due``
(the approval's day; on the start day when the project has already started, or no day is
given: it is paid on execution, once the agreement is signed and its conditions met); each
period's payment on the period's first day (the start day for a period already under way);
the holdback ``HOLDBACK_DAYS_AFTER_END`` after the end, and only once the final report is
accepted. When the initial payment falls due on the start day, the first period's payment,
due that same day, is folded into it: one instalment on execution, charged to the first year.
So every due date lies within the agreement's term (from the earlier of the approval's day and
the start to the end) except the holdback's, which is payable after the final report. No
instalment is payable before its due date (``models.guards.instalment_due``).

Approval commits to each fiscal year's allocation what the plan charges to it
(``charged_by_year``); Schedule E reads an instalment's year back from its kind and due date
(``charged_fiscal_year``). Because the years are charged in sequence order (initial payment,
the periods year by year, the holdback last), the instalments not yet paid always charge the
latest years: commitment given back latest year first (``models.budget.release_by_year``)
gives back what those instalments charged to each year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from models.clock import (
    fiscal_year_end,
    fiscal_year_of,
    fiscal_year_start,
    fiscal_years_between,
)
from models.money import basis_points_of, split_evenly

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
    fiscal_year: int  # the budget year it is charged to (``charged_fiscal_year``)


class _Part(NamedTuple):
    kind: str
    due_date: date
    cents: int
    fiscal_year: int


@dataclass(frozen=True)
class PlannedReport:
    sequence: int
    kind: str
    period_start: date
    period_end: date
    due_date: date


def funded_years(budget_by_year: Mapping[int, int]) -> list[int]:
    """The budget's fiscal years with approved money, in order: the years a plan charges."""
    return sorted(year for year, cents in budget_by_year.items() if cents > 0)


def holdback_cents(budget_by_year: Mapping[int, int], holdback_bps: int) -> int:
    """The holdback: ``holdback_bps`` of the approved amount, at most the last funded year's
    approved amount (the year it is charged to)."""
    years = funded_years(budget_by_year)
    if not years:
        return 0
    approved = sum(budget_by_year.values())
    return min(basis_points_of(approved, holdback_bps), budget_by_year[years[-1]])


def initial_payment_cents(
    budget_by_year: Mapping[int, int], initial_bps: int, holdback_bps: int
) -> int:
    """The initial payment: ``initial_bps`` (at most 20%) of the approved amount, at most what
    the first funded year has left once a holdback charged to the same year is taken."""
    years = funded_years(budget_by_year)
    if not years:
        return 0
    approved = sum(budget_by_year.values())
    room = budget_by_year[years[0]]
    if len(years) == 1:
        room -= holdback_cents(budget_by_year, holdback_bps)
    return min(basis_points_of(approved, min(initial_bps, MAX_INITIAL_BPS)), room)


def charged_fiscal_year(kind: str, due_date: date, years: Sequence[int]) -> int:
    """The fiscal year an instalment of a plan over the funded ``years`` is charged to: the
    initial payment to the first, the holdback to the last, a periodic payment to the fiscal
    year it falls due in."""
    if not years:
        raise ValueError("a plan charges at least one funded fiscal year")
    if kind == "initial":
        return years[0]
    if kind == "holdback":
        return years[-1]
    return fiscal_year_of(due_date)


def charged_by_year(instalments: Iterable[PlannedInstalment]) -> dict[int, int]:
    """Cents charged to each fiscal year by ``instalments``."""
    charged: dict[int, int] = {}
    for instalment in instalments:
        year = instalment.fiscal_year
        charged[year] = charged.get(year, 0) + instalment.amount_cents
    return charged


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def period_dues(fiscal_year: int, periods: int, start: date, end: date) -> list[date]:
    """Due dates of a year's payment periods that overlap the project; a period already
    under way when the project starts is paid on the start date."""
    year_start = fiscal_year_start(fiscal_year)
    bounds = [_add_months(year_start, i * 12 // periods) for i in range(periods + 1)]
    return [
        max(period_start, start)
        for period_start, next_start in zip(bounds, bounds[1:], strict=False)
        if period_start <= end and next_start > start
    ]


def _check_plan_inputs(
    approved_cents: int, budget_by_year: Mapping[int, int], start: date, end: date
) -> None:
    if approved_cents <= 0:
        raise ValueError("a payment plan needs a positive approved amount")
    if any(cents < 0 for cents in budget_by_year.values()):
        raise ValueError("approved budget amounts must not be negative")
    if sum(budget_by_year.values()) != approved_cents:
        raise ValueError("the approved budget must add up to the approved amount")
    if end <= start:
        raise ValueError("a payment plan needs a project that ends after it starts")
    outside = sorted(set(funded_years(budget_by_year)) - set(fiscal_years_between(start, end)))
    if outside:
        raise ValueError(f"budget years {outside} fall outside the project's fiscal years")


def _periodic_payments(
    budget_by_year: Mapping[int, int],
    initial: int,
    holdback: int,
    start: date,
    end: date,
    periods: int,
) -> list[_Part]:
    """Each funded year's rest, split evenly over its periods; parts of 0 cents left out."""
    years = funded_years(budget_by_year)
    payments = []
    for year in years:
        rest = budget_by_year[year]
        rest -= initial if year == years[0] else 0
        rest -= holdback if year == years[-1] else 0
        dues = period_dues(year, periods, start, end)
        for due, cents in zip(dues, split_evenly(rest, len(dues)), strict=True):
            if cents:
                payments.append(_Part("periodic", due, cents, year))
    return payments


def _with_initial_payment(periodic: list[_Part], initial: int, due: date, year: int) -> list[_Part]:
    """The initial payment first; a first period's payment due the same day (and charged to
    the same year) is folded into it, so no two instalments fall due on one day."""
    folded = [p for p in periodic[:1] if p.due_date == due and p.fiscal_year == year]
    cents = initial + sum(p.cents for p in folded)
    return [_Part("initial", due, cents, year), *periodic[len(folded) :]]


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
    """Schedule E for an approved budget (the rule is in the module's docstring)."""
    _check_plan_inputs(approved_cents, budget_by_year, start, end)
    years = funded_years(budget_by_year)
    holdback = holdback_cents(budget_by_year, holdback_bps)
    initial = initial_payment_cents(budget_by_year, initial_bps, holdback_bps)
    parts = _periodic_payments(
        budget_by_year, initial, holdback, start, end, PERIODS_PER_YEAR[risk_rating]
    )
    if initial:
        parts = _with_initial_payment(parts, initial, min(start, initial_due or start), years[0])
    if holdback:
        holdback_due = end + timedelta(days=HOLDBACK_DAYS_AFTER_END)
        parts.append(_Part("holdback", holdback_due, holdback, years[-1]))
    return [
        PlannedInstalment(sequence, part.kind, part.due_date, part.cents, part.fiscal_year)
        for sequence, part in enumerate(parts, start=1)
    ]


def plan_reports(
    start: date,
    end: date,
    annual_days: int = ANNUAL_REPORT_DAYS_AFTER_YEAR_END,
    final_days: int = FINAL_REPORT_DAYS_AFTER_END,
) -> list[PlannedReport]:
    """An annual report for every fiscal year but the last, due ``annual_days`` after the
    year's end, and a final report due ``final_days`` after the end (the grant's reporting
    schedule, ``Grant.annual_report_days`` and ``final_report_days``)."""
    years = fiscal_years_between(start, end)
    reports = []
    for fiscal_year in years[:-1]:
        period_end = fiscal_year_end(fiscal_year)
        reports.append(
            (
                "annual",
                max(start, fiscal_year_start(fiscal_year)),
                period_end,
                period_end + timedelta(days=annual_days),
            )
        )
    reports.append(
        (
            "final",
            max(start, fiscal_year_start(years[-1])),
            end,
            end + timedelta(days=final_days),
        )
    )
    return [
        PlannedReport(sequence, kind, period_start, period_end, due)
        for sequence, (kind, period_start, period_end, due) in enumerate(reports, start=1)
    ]
