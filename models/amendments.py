"""Amending an active agreement: the re-planned payment plan, budget and reports.

Plain functions over plain values (the effects and guards call them with the grant's rows).
The agreement in force is the original plus its amendments in force, in sequence order: each
amendment's countersignature writes its changed terms to the grant, so the grant's terms are
always the agreement in force. Integer cents throughout (``models.money``).

Re-planning rule, written down once:

* Instalments released or initiated (paid or in flight) are never touched; what they charge to
  each fiscal year (``models.schedule.charged_fiscal_year``) stays charged.
* The budget by fiscal year follows the amount. A decrease comes off what is not yet paid,
  latest fiscal year first (``models.budget.release_by_year``), and may not go below what is
  paid or in flight. An increase is split evenly (``models.money.split_evenly``, leftover cents
  to the earliest) over the years of the agreement that still have a payment period to come;
  an extension adds the new years with nothing approved.
* The holdback is ``holdback_bps`` of the new amount, charged to the last funded year, at most
  what that year has not yet paid.
* What each year has left is split evenly over its payment periods not yet paid or in flight
  (and an initial payment not yet paid); a year left with money and no payment to come gives it
  to the nearest later year that has one (else the nearest earlier one), its commitment moving
  with it. Parts of 0 cents are left out.
* Every fiscal year's instalments (paid and re-planned) add up to its new approved line, and
  all of them to the new approved amount, exactly.

The unpaid instalments are re-planned in place: the regular ones keep their sequence numbers
and states (a hold stays a hold) and take the new parts in due-date order, the holdback keeps
its own; new parts become new instalments numbered after the last one, so no number ever names
two instalments; an unpaid instalment the new plan no longer needs is deleted. The
countersignature's audit event records the plan before and after, so none vanishes silently.
Reports not yet submitted are re-planned the same way (``models.schedule.plan_reports``);
submitted, returned and accepted reports are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from models.budget import release_by_year
from models.clock import fiscal_years_between
from models.money import basis_points_of, split_evenly
from models.schedule import (
    HOLDBACK_DAYS_AFTER_END,
    PERIODS_PER_YEAR,
    PlannedReport,
    charged_fiscal_year,
    funded_years,
    period_dues,
    plan_reports,
)
from models.tables import Amendment, BudgetLine, Fund, Grant, Instalment, OutcomeReport


class AmendmentPlanError(ValueError):
    """The amended terms cannot be carried by the payment plan (the sentence says why)."""


@dataclass(frozen=True)
class Terms:
    """The amendable terms of an agreement."""

    approved_cents: int
    end_date: date
    annual_report_days: int
    final_report_days: int


@dataclass(frozen=True)
class Payment:
    """An instalment as the re-planning sees it."""

    kind: str
    due_date: date
    amount_cents: int


@dataclass(frozen=True)
class Part:
    """One instalment of the re-planned, unpaid part of the plan."""

    kind: str
    due_date: date
    amount_cents: int
    fiscal_year: int


@dataclass(frozen=True)
class Replan:
    lines: dict[int, int]  # the new approved budget by fiscal year
    parts: tuple[Part, ...]  # the unpaid instalments, in due-date order (holdback last)

    def line_changes(self, before: Mapping[int, int]) -> dict[int, int]:
        """Cents each fiscal year's approved line moves by (commitment to take or give back)."""
        years = sorted(set(before) | set(self.lines))
        changes = {y: self.lines.get(y, 0) - before.get(y, 0) for y in years}
        return {y: cents for y, cents in changes.items() if cents}


def replan(
    *,
    start: date,
    terms_after: Terms,
    lines_before: Mapping[int, int],
    fixed: Sequence[Payment],
    unpaid_initial: Payment | None,
    risk_rating: str,
    holdback_bps: int,
) -> Replan:
    """The budget and unpaid instalments under ``terms_after`` (the rule is the module's)."""
    years_before = funded_years(lines_before)
    approved = terms_after.approved_cents
    fixed_total = sum(p.amount_cents for p in fixed)
    if approved < fixed_total:
        raise AmendmentPlanError(
            f"the new amount is below what is paid or in flight ({fixed_total} cents)"
        )
    charged: dict[int, int] = {}
    for payment in fixed:
        year = charged_fiscal_year(payment.kind, payment.due_date, years_before)
        charged[year] = charged.get(year, 0) + payment.amount_cents
    end = terms_after.end_date
    term_years = fiscal_years_between(start, end)
    lines = {y: lines_before.get(y, 0) for y in sorted(set(term_years) | set(lines_before))}
    taken = {p.due_date for p in fixed if p.kind != "holdback"}
    periods = PERIODS_PER_YEAR[risk_rating]

    def slots(year: int) -> list[tuple[str, date]]:
        found = [("periodic", d) for d in period_dues(year, periods, start, end) if d not in taken]
        if unpaid_initial is not None and years_before and year == years_before[0]:
            found = [(k, d) for k, d in found if d != unpaid_initial.due_date]
            found.insert(0, ("initial", unpaid_initial.due_date))
        return found

    change = approved - sum(lines_before.values())
    if change < 0:
        unpaid = {y: lines[y] - charged.get(y, 0) for y in lines}
        for year, cents in release_by_year(unpaid, -change).items():
            lines[year] -= cents
    elif change > 0:
        open_years = [y for y in term_years if slots(y)]
        if not open_years:
            raise AmendmentPlanError(
                "every payment of the agreement is paid or in flight: an increase has no "
                "payment to go to"
            )
        for year, cents in zip(open_years, split_evenly(change, len(open_years)), strict=True):
            lines[year] += cents

    def move(year: int, cents: int) -> int:
        target = _nearest_year_with_payments(year, funded_years(lines), slots)
        lines[year] -= cents
        lines[target] += cents
        return target

    # Money of a year with no payment to come goes to the nearest year that has one; the last
    # funded year's is its holdback first.
    for year in funded_years(lines)[:-1]:
        unpaid = lines[year] - charged.get(year, 0)
        if unpaid > 0 and not slots(year):
            move(year, unpaid)
    holdback_year, holdback = _holdback(lines, charged, approved, holdback_bps)
    rest = {
        y: lines[y] - charged.get(y, 0) - (holdback if y == holdback_year else 0)
        for y in funded_years(lines)
    }
    if holdback_year in rest and rest[holdback_year] > 0 and not slots(holdback_year):
        target = move(holdback_year, rest[holdback_year])
        rest[target] += rest[holdback_year]
        rest[holdback_year] = 0
    parts = [
        Part(kind, due, cents, year)
        for year in sorted(rest)
        for (kind, due), cents in zip(
            slots(year), split_evenly(rest[year], max(1, len(slots(year)))), strict=False
        )
        if cents
    ]
    parts.sort(key=lambda part: part.due_date)
    if holdback:
        due = end + timedelta(days=HOLDBACK_DAYS_AFTER_END)
        parts.append(Part("holdback", due, holdback, holdback_year))
    assert fixed_total + sum(p.amount_cents for p in parts) == approved
    return Replan(
        lines={y: c for y, c in lines.items() if c or y in lines_before}, parts=tuple(parts)
    )


def _holdback(
    lines: Mapping[int, int], charged: Mapping[int, int], approved: int, holdback_bps: int
) -> tuple[int, int]:
    """(its fiscal year, its cents): the last funded year, at most what it has not yet paid."""
    years = funded_years(lines)
    if not years:
        return 0, 0
    last = years[-1]
    room = lines[last] - charged.get(last, 0)
    return last, max(0, min(basis_points_of(approved, holdback_bps), room))


def _nearest_year_with_payments(year: int, years: Sequence[int], slots) -> int:  # type: ignore[no-untyped-def]
    later = [y for y in years if y > year and slots(y)]
    earlier = [y for y in reversed(years) if y < year and slots(y)]
    if later:
        return later[0]
    if earlier:
        return earlier[0]
    raise AmendmentPlanError("no payment of the agreement is left to carry what remains to be paid")


# --------------------------------------------------------------------------- on the grant's rows

PAID_OR_IN_FLIGHT = ("released", "initiated")
UNPAID = ("scheduled", "held")


def terms_in_force(grant: Grant) -> Terms:
    """The grant's terms: the original agreement plus its amendments in force, in order."""
    return Terms(
        approved_cents=grant.approved_cents or 0,
        end_date=grant.end_date,
        annual_report_days=grant.annual_report_days,
        final_report_days=grant.final_report_days,
    )


def terms_before(amendment: Amendment) -> Terms:
    return Terms(
        approved_cents=amendment.approved_cents_before,
        end_date=amendment.end_date_before,
        annual_report_days=amendment.annual_report_days_before,
        final_report_days=amendment.final_report_days_before,
    )


def terms_after(amendment: Amendment) -> Terms:
    """What the agreement's terms become once ``amendment`` is in force."""
    before = terms_before(amendment)
    return Terms(
        approved_cents=amendment.approved_cents_after or before.approved_cents,
        end_date=amendment.end_date_after or before.end_date,
        annual_report_days=amendment.annual_report_days_after or before.annual_report_days,
        final_report_days=amendment.final_report_days_after or before.final_report_days,
    )


def approved_lines(budget: Sequence[BudgetLine]) -> dict[int, int]:
    return {line.fiscal_year: line.approved_cents or 0 for line in budget}


def replan_for(
    grant: Grant,
    fund: Fund,
    budget: Sequence[BudgetLine],
    instalments: Sequence[Instalment],
    after: Terms,
) -> Replan:
    """``replan`` over a grant's rows: raises ``AmendmentPlanError`` when it cannot carry."""
    fixed = [_payment(i) for i in instalments if i.state in PAID_OR_IN_FLIGHT]
    initial = next(
        (_payment(i) for i in instalments if i.kind == "initial" and i.state in UNPAID), None
    )
    return replan(
        start=grant.start_date,
        terms_after=after,
        lines_before=approved_lines(budget),
        fixed=fixed,
        unpaid_initial=initial,
        risk_rating=grant.risk_rating,
        holdback_bps=fund.holdback_bps,
    )


def _payment(instalment: Instalment) -> Payment:
    return Payment(instalment.kind, instalment.due_date, instalment.amount_cents)


def fixed_cents(instalments: Sequence[Instalment]) -> int:
    """Cents paid or in flight: what a decrease may not go below."""
    return sum(i.amount_cents for i in instalments if i.state in PAID_OR_IN_FLIGHT)


def reports_to_come(
    start: date, after: Terms, reports: Sequence[OutcomeReport]
) -> list[PlannedReport]:
    """The reports the schedule in ``after`` plans that no submitted, returned or accepted
    report already covers (one covering the same period end): those stay as they are."""
    covered = {r.period_end for r in reports if r.state != "due"}
    planned = plan_reports(start, after.end_date, after.annual_report_days, after.final_report_days)
    return [p for p in planned if p.period_end not in covered]
