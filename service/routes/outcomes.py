"""The fund's outcome figures across its grants, suppressed (``models.outcomes``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from models.access_log import Channel, record_read, role_among
from models.db import Database
from models.outcomes import EARLIEST_FISCAL_YEAR, LATEST_FISCAL_YEAR, FundOutcomes, fund_outcomes
from models.tables import User
from models.visibility import fund_outcome_readers
from service.authz import require_role
from service.deps import CurrentUser, DatabaseDep
from service.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["outcomes"], responses=problem_responses(401, 403))


class CountPublic(BaseModel):
    """A published count: ``count`` is null exactly when it is suppressed (a count from 1 to
    the fund's threshold less one, or one that would let a reader work such a count out)."""

    count: int | None = Field(description="The count, or null when suppressed")
    suppressed: bool


class GrantCountsPublic(BaseModel):
    grant_reference: str
    project_title: str
    by_fiscal_year: list[CountPublic] = Field(description="One per fiscal year, in order")
    total: CountPublic = Field(description="Across the fiscal years")


class MeasurePublic(BaseModel):
    measure: str
    grants: list[GrantCountsPublic]
    fiscal_year_totals: list[CountPublic] = Field(description="Across the grants, per year")
    total: CountPublic


class MoneyYearPublic(BaseModel):
    fiscal_year: int
    committed_cents: int
    paid_cents: int


class FundOutcomesPublic(BaseModel):
    fund: str
    small_cell_threshold: int
    fiscal_years: list[int] = Field(description="Named by the year of their April")
    measures: list[MeasurePublic]
    money: list[MoneyYearPublic]
    grants_not_counted: int = Field(
        description="Grants with accepted reports whose counts are left out: their "
        "organisation's data-governance agreement does not allow reporting to the ministry "
        "in aggregate"
    )


def _count(value: int | None) -> CountPublic:
    return CountPublic(count=value, suppressed=value is None)


def outcomes_public(outcomes: FundOutcomes) -> FundOutcomesPublic:
    years = range(len(outcomes.fiscal_years))
    measures = [
        MeasurePublic(
            measure=table.measure,
            grants=[
                GrantCountsPublic(
                    grant_reference=project.reference,
                    project_title=project.title,
                    by_fiscal_year=[_count(table.cell(row, column)) for column in years],
                    total=_count(table.cell(row, None)),
                )
                for row, project in enumerate(outcomes.projects)
            ],
            fiscal_year_totals=[_count(table.cell(None, column)) for column in years],
            total=_count(table.cell(None, None)),
        )
        for table in outcomes.measures
    ]
    return FundOutcomesPublic(
        fund=outcomes.fund_code,
        small_cell_threshold=outcomes.threshold,
        fiscal_years=list(outcomes.fiscal_years),
        measures=measures,
        money=[
            MoneyYearPublic(
                fiscal_year=m.fiscal_year,
                committed_cents=m.committed_cents,
                paid_cents=m.paid_cents,
            )
            for m in outcomes.money
        ],
        grants_not_counted=outcomes.grants_not_counted,
    )


def read_outcomes(db: Database, user: User, code: str, fiscal_year: int | None) -> FundOutcomes:
    """The figures, for a user whose roles read the fund's outcome report (403 otherwise)."""
    require_role(user, fund_outcome_readers(), "the fund's outcome report")
    with db.reading() as session:
        return fund_outcomes(session, code, fiscal_year)


def record_outcomes_read(db: Database, user: User, channel: Channel) -> None:
    """The fund's outcome figures were shown to ``user``: one read on the access log, of no
    one organisation's data (the figures run across the fund's grants)."""
    record_read(
        db,
        reader=user,
        role=role_among(user, fund_outcome_readers()),
        kind="outcome_report",
        channel=channel,
        organisation_id=None,
    )


@router.get(
    "/funds/{code}/outcomes",
    response_model=FundOutcomesPublic,
    summary="The fund's outcome counts and money across its grants, by fiscal year, suppressed",
    responses=problem_responses(404, 422),
)
async def get_fund_outcomes(
    user: CurrentUser,
    db: DatabaseDep,
    code: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")],
    fiscal_year: Annotated[
        int | None, Query(ge=EARLIEST_FISCAL_YEAR, le=LATEST_FISCAL_YEAR)
    ] = None,
) -> FundOutcomesPublic:
    """Counts from accepted outcome reports and money committed and paid, by fiscal year.
    A count below the fund's small-cell threshold is null with ``suppressed`` true, and so is
    any other count or total that would let it be worked out. Staff roles that read the
    fund's report."""
    outcomes = await asyncio.to_thread(read_outcomes, db, user, code, fiscal_year)
    await asyncio.to_thread(record_outcomes_read, db, user, "api")
    return outcomes_public(outcomes)
