"""A fund with accepted outcome reports, for the outcome report's tests: fictional grants
through the demo's script, one report's referrals replaced by a planted small count."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import select

from models.db import Database
from models.fictional import Cast
from models.fictional.seeding import seed
from models.tables import Fund, OutcomeReport
from tests.support.models_support import World, new_grant, run_script

# A count below the threshold the tests set, found nowhere else in the documents.
PLANTED = 87
THRESHOLD = 100


def accepted_reports_world(
    db: Database, grants: int = 3, cast: Cast | None = None
) -> tuple[World, int]:
    """``grants`` grants through the whole script; the first accepted report of the second
    grant gets ``PLANTED`` referrals, and the fund a threshold above it. Returns the world and
    that report's id. ``cast``: the fictional cast already seeded in ``db``, if it is."""
    world = World(db, cast or seed(db))
    ids = [new_grant(world, index) for index in range(grants)]
    for grant_id in ids:
        run_script(world, grant_id)
    with db.transaction() as session:
        fund = session.exec(select(Fund)).one()
        fund.small_cell_threshold = THRESHOLD
        report = session.exec(
            select(OutcomeReport)
            .where(OutcomeReport.grant_id == ids[1], OutcomeReport.state == "accepted")
            .order_by(OutcomeReport.sequence)  # type: ignore[arg-type]
        ).first()
        assert report is not None and report.id is not None
        report.aggregates = {**report.aggregates, "referrals": PLANTED}
        session.add(fund)
        session.add(report)
        return world, report.id


def mentions(text: str, number: int) -> bool:
    """Whether ``number`` appears in ``text`` as a number of its own (not inside another)."""
    return (
        re.search(rf"(?<![\d,.\u202f\u00a0 ]){number}(?![\d,.]|\u00a0\d|\u202f\d)", text)
        is not None
    )


def database_in(directory: Path) -> Database:
    db = Database(f"sqlite:///{directory / 'grantflow.db'}")
    db.create_schema()
    return db
