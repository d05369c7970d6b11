"""A fund's outcome figures across its grants, by fiscal year, suppressed for publication.

What counts:

- **Outcome counts** come from outcome reports in the ``accepted`` state only (a report that is
  due, submitted or returned has not been checked by an officer, so it is not published). A
  report counts in the fiscal year its period starts in (``models.clock.fiscal_year_of``;
  Ontario's fiscal year runs April to March and is named by the year of its April, as in
  ``models.schedule``). A measure a report left empty counts as 0.
- **Money committed** in a fiscal year is the fund's commitment ledger for it
  (``FundAllocation.committed_cents``, what approvals charged to that year); **money paid** is
  the instalments ``released``, in the fiscal year of their release day (America/Toronto).

The published shape: one table per measure (``models.payloads.AGGREGATE_FIELDS``), rows the
grants with an accepted report in the years shown, columns the fiscal years, with each grant's
total across the years, each year's total across the grants and the grand total
(``models.suppression``; a single year has no across-years total, as it would repeat the year).
Measures are never added together: people served, contacts, referrals and services are
different units. Each table is suppressed on its own at the fund's ``small_cell_threshold``.
Money is not suppressed: committed and paid amounts are set by agreements, not by how many
people were served, so they reveal no count.

- **Whose counts**: an organisation's counts are its data; they go into this report (reporting to
  the ministry in aggregate) only if its data-governance agreement in force lists that purpose
  (``models.data_agreement.allows_purpose``). Its grants' counts are otherwise left out and
  ``grants_not_counted`` says how many grants that is. The fund's money (its commitments and
  payments) is its own record and is reported whatever the agreements say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from models.clock import as_utc, fiscal_year_of
from models.data_agreement import allows_purpose
from models.deadlines import FUND_TIME_ZONE
from models.errors import NotFound
from models.payloads import AGGREGATE_FIELDS
from models.suppression import Key, SuppressedTable, suppress
from models.tables import Fund, FundAllocation, Grant, Instalment, OutcomeReport

COUNTED_REPORT_STATES: tuple[str, ...] = ("accepted",)
# The purpose an organisation's agreement must list for its counts to be in this report.
REPORTING_PURPOSE = "ministry_reporting_aggregate"
PAID_INSTALMENT_STATES: tuple[str, ...] = ("released",)
EARLIEST_FISCAL_YEAR = 2000
LATEST_FISCAL_YEAR = 2100


@dataclass(frozen=True)
class Project:
    """One row of the tables: a grant with an accepted report in the years shown."""

    grant_id: int
    reference: str
    title: str


@dataclass(frozen=True)
class MeasureTable:
    """One measure's counts: rows are ``projects``, columns ``fiscal_years``."""

    measure: str
    table: SuppressedTable

    def key(self, row: int | None, column: int | None) -> Key:
        """The quantity at ``row`` and ``column``; ``None`` means the total over that axis,
        which for an axis of one (one grant, or one year) is its one cell."""
        rows, columns = self.table.shape
        return (
            0 if row is None and rows == 1 else row,
            0 if column is None and columns == 1 else column,
        )

    def cell(self, row: int | None, column: int | None) -> int | None:
        """The published count, ``None`` when it is suppressed."""
        return self.table.published(self.key(row, column))


@dataclass(frozen=True)
class MoneyYear:
    fiscal_year: int
    committed_cents: int
    paid_cents: int


@dataclass(frozen=True)
class FundOutcomes:
    fund_code: str
    fund_name_en: str
    fund_name_fr: str
    threshold: int
    fiscal_years: tuple[int, ...]
    projects: tuple[Project, ...]
    measures: tuple[MeasureTable, ...]
    money: tuple[MoneyYear, ...]
    # Grants with accepted reports whose organisation's agreement keeps its counts out.
    grants_not_counted: int = 0

    @property
    def suppressed_count(self) -> int:
        return sum(len(m.table.suppressed) for m in self.measures)


class BadFiscalYear(ValueError):
    """A fiscal year outside what a fund can have reported on."""


def check_fiscal_year(fiscal_year: int) -> int:
    if not EARLIEST_FISCAL_YEAR <= fiscal_year <= LATEST_FISCAL_YEAR:
        raise BadFiscalYear(
            f"the fiscal year must be between {EARLIEST_FISCAL_YEAR} and {LATEST_FISCAL_YEAR}"
            f" (named by the year of its April), not {fiscal_year}"
        )
    return fiscal_year


def _release_year(instalment: Instalment) -> int | None:
    if instalment.released_at is None:
        return None
    return fiscal_year_of(as_utc(instalment.released_at).astimezone(FUND_TIME_ZONE).date())


def fund_outcomes(session: Session, fund_code: str, fiscal_year: int | None = None) -> FundOutcomes:
    """The fund's outcome figures, all years it has figures for or only ``fiscal_year``."""
    if fiscal_year is not None:
        check_fiscal_year(fiscal_year)
    code = fund_code.strip().upper()
    fund = session.exec(select(Fund).where(Fund.code == code)).first()
    if fund is None:
        raise NotFound(f"no fund has the code {code}")
    grants = {g.id: g for g in session.exec(select(Grant).where(Grant.fund_id == fund.id))}
    accepted = [
        r
        for r in session.exec(
            select(OutcomeReport).where(OutcomeReport.state.in_(COUNTED_REPORT_STATES))
        )  # type: ignore[attr-defined]
        if r.grant_id in grants
    ]
    reporting = {
        organisation_id: allows_purpose(session, organisation_id, REPORTING_PURPOSE)
        for organisation_id in {grants[r.grant_id].organisation_id for r in accepted}
    }
    reports = [r for r in accepted if reporting[grants[r.grant_id].organisation_id]]
    not_counted = {r.grant_id for r in accepted} - {r.grant_id for r in reports}
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(AGGREGATE_FIELDS, 0)
    )
    for report in reports:
        year = fiscal_year_of(report.period_start)
        for measure in AGGREGATE_FIELDS:
            counts[(report.grant_id, year)][measure] += int(report.aggregates.get(measure) or 0)
    allocations = {
        a.fiscal_year: a.committed_cents
        for a in session.exec(select(FundAllocation).where(FundAllocation.fund_id == fund.id))
    }
    paid: dict[int, int] = defaultdict(int)
    for instalment in session.exec(
        select(Instalment).where(Instalment.state.in_(PAID_INSTALMENT_STATES))
    ):  # type: ignore[attr-defined]
        year = _release_year(instalment)
        if instalment.grant_id in grants and year is not None:
            paid[year] += instalment.amount_cents
    years = {year for _, year in counts} | {y for y, c in allocations.items() if c} | set(paid)
    if fiscal_year is not None:
        years = {fiscal_year}
    fiscal_years = tuple(sorted(years))
    shown = sorted({g for g, year in counts if year in years}, key=lambda g: grants[g].reference)
    projects = tuple(Project(g, grants[g].reference, grants[g].project_title) for g in shown)
    measures = tuple(
        _measure_table(measure, shown, fiscal_years, counts, fund.small_cell_threshold)
        for measure in AGGREGATE_FIELDS
        if shown
    )
    money = tuple(MoneyYear(y, allocations.get(y, 0), paid.get(y, 0)) for y in fiscal_years)
    return FundOutcomes(
        fund.code,
        fund.name_en,
        fund.name_fr,
        fund.small_cell_threshold,
        fiscal_years,
        projects,
        measures,
        money,
        grants_not_counted=len(not_counted),
    )


def _measure_table(
    measure: str,
    grant_ids: list[int],
    fiscal_years: tuple[int, ...],
    counts: dict[tuple[int, int], dict[str, int]],
    threshold: int,
) -> MeasureTable:
    cells = {
        (row, column): counts[(grant_id, year)][measure] if (grant_id, year) in counts else 0
        for row, grant_id in enumerate(grant_ids)
        for column, year in enumerate(fiscal_years)
    }
    shape = (len(grant_ids), len(fiscal_years))
    return MeasureTable(measure, suppress(shape, cells, threshold))


def fiscal_year_label(fiscal_year: int) -> str:
    """``2026-27``: the Ontario way of naming a fiscal year in tables."""
    return f"{fiscal_year}-{(fiscal_year + 1) % 100:02d}"
