"""The fund's outcomes across its grants, for the staff who read the fund's report: the same
figures as ``GET /api/v1/funds/{code}/outcomes``, suppressed the same way."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from documents.outcome_report import MARKER
from models.outcomes import EARLIEST_FISCAL_YEAR, LATEST_FISCAL_YEAR
from service.deps import DatabaseDep
from service.routes.outcomes import read_outcomes, record_outcomes_read
from service.web.access import Page
from service.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/funds/{code}/outcomes", response_class=HTMLResponse)
async def outcomes_page(
    context: Page,
    db: DatabaseDep,
    code: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")],
    fiscal_year: Annotated[
        int | None, Query(ge=EARLIEST_FISCAL_YEAR, le=LATEST_FISCAL_YEAR)
    ] = None,
) -> HTMLResponse:
    assert context.signed_in is not None
    user = context.signed_in.user
    every_year = await asyncio.to_thread(read_outcomes, db, user, code, None)
    outcomes = every_year
    if fiscal_year is not None:
        outcomes = await asyncio.to_thread(read_outcomes, db, user, code, fiscal_year)
    await asyncio.to_thread(record_outcomes_read, db, user, "page")
    return render(
        context,
        "outcomes.html.j2",
        outcomes=outcomes,
        marker=MARKER,
        all_years=every_year.fiscal_years,
        chosen=fiscal_year,
    )
