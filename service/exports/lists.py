"""The officers' CSV lists: grants, payments (instalments) and outcome reports.

The grants are those the caller may see (``service.authz.visible_grants``), narrowed by the
grant list's filters (state, stage, fund, organisation, fiscal year); payments and reports are
those of the same grants. Money is integer cents of CAD, as in the API; dates ISO 8601; times
UTC. An outcome report's aggregate counts are left out: counts are published only with
small-cell suppression, in the outcome report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import exists
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from documents.exports.csv_text import Cell, csv_bytes
from models.clock import fiscal_year_of
from models.db import Database
from models.errors import NotPermitted
from models.lifecycle import GRANT_STATES, grant_state
from models.tables import (
    BudgetLine,
    Fund,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    User,
)
from models.visibility import roles_where
from service.authz import one_of, sees_every_grant, visible_grants

ListName = Literal["grants", "payments", "reports"]
LIST_NAMES: tuple[ListName, ...] = ("grants", "payments", "reports")

GRANT_COLUMNS = (
    "grant_id",
    "reference",
    "fund",
    "organisation_id",
    "organisation",
    "project_title",
    "community",
    "state",
    "stage",
    "requested_cents",
    "approved_cents",
    "fiscal_years",
    "start_date",
    "end_date",
    "submitted_at",
    "decided_at",
    "closed_at",
)
PAYMENT_COLUMNS = (
    "grant_reference",
    "sequence",
    "kind",
    "fiscal_year",
    "due_date",
    "amount_cents",
    "planned_cents",
    "state",
    "initiated_at",
    "released_at",
)
REPORT_COLUMNS = (
    "grant_reference",
    "sequence",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "state",
    "submitted_at",
    "reviewed_at",
    "expenditure_cents",
)


@dataclass(frozen=True)
class GrantFilters:
    """The grant list's filters; ``None`` is any."""

    state: str | None = None
    stage: str | None = None
    fund: str | None = None
    organisation_id: int | None = None
    fiscal_year: int | None = None

    def applied(self, statement: SelectOfScalar) -> SelectOfScalar:
        if self.state:
            statement = statement.where(Grant.state == self.state)
        if self.stage:
            keys = [s.key for s in GRANT_STATES if s.stage == self.stage]
            statement = statement.where(Grant.state.in_(keys))  # type: ignore[attr-defined]
        if self.fund:
            statement = statement.where(
                exists().where(Fund.id == Grant.fund_id, Fund.code == self.fund)
            )
        if self.organisation_id:
            statement = statement.where(Grant.organisation_id == self.organisation_id)
        if self.fiscal_year:
            statement = statement.where(
                exists().where(
                    BudgetLine.grant_id == Grant.id, BudgetLine.fiscal_year == self.fiscal_year
                )
            )
        return statement


@dataclass(frozen=True)
class CsvList:
    name: ListName
    header: tuple[str, ...]
    rows: list[Sequence[Cell]]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def to_bytes(self) -> bytes:
        return csv_bytes(self.header, self.rows)


def grant_rows(session: Session, grants: Sequence[Grant]) -> list[Sequence[Cell]]:
    ids = [g.id for g in grants]
    years: dict[int, list[int]] = defaultdict(list)
    for grant_id, year in session.exec(
        select(BudgetLine.grant_id, BudgetLine.fiscal_year)
        .where(BudgetLine.grant_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(BudgetLine.grant_id, BudgetLine.fiscal_year)
    ).all():
        years[grant_id].append(year)
    funds = dict(session.exec(select(Fund.id, Fund.code)).all())
    names = dict(session.exec(select(Organisation.id, Organisation.legal_name)).all())
    return [
        (
            g.id,
            g.reference,
            funds.get(g.fund_id),
            g.organisation_id,
            names.get(g.organisation_id),
            g.project_title,
            g.community,
            g.state,
            grant_state(g.state).stage,
            g.requested_cents,
            g.approved_cents,
            " ".join(str(y) for y in years[g.id]),  # type: ignore[index]
            g.start_date,
            g.end_date,
            g.submitted_at,
            g.decided_at,
            g.closed_at,
        )
        for g in grants
    ]


def payment_rows(session: Session, grants: Sequence[Grant]) -> list[Sequence[Cell]]:
    references = {g.id: g.reference for g in grants}
    instalments = session.exec(
        select(Instalment)
        .where(Instalment.grant_id.in_(list(references)))  # type: ignore[attr-defined]
        .order_by(Instalment.grant_id, Instalment.sequence)
    ).all()
    return [
        (
            references[i.grant_id],
            i.sequence,
            i.kind,
            fiscal_year_of(i.due_date),
            i.due_date,
            i.amount_cents,
            i.planned_cents,
            i.state,
            i.initiated_at,
            i.released_at,
        )
        for i in instalments
    ]


def report_rows(session: Session, grants: Sequence[Grant]) -> list[Sequence[Cell]]:
    references = {g.id: g.reference for g in grants}
    reports = session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.grant_id.in_(list(references)))  # type: ignore[attr-defined]
        .order_by(OutcomeReport.grant_id, OutcomeReport.sequence)
    ).all()
    return [
        (
            references[r.grant_id],
            r.sequence,
            r.kind,
            r.period_start,
            r.period_end,
            r.due_date,
            r.state,
            r.submitted_at,
            r.reviewed_at,
            r.expenditure_cents,
        )
        for r in reports
    ]


_BUILDERS = {
    "grants": (GRANT_COLUMNS, grant_rows),
    "payments": (PAYMENT_COLUMNS, payment_rows),
    "reports": (REPORT_COLUMNS, report_rows),
}


def csv_list(session: Session, name: ListName, grants: SelectOfScalar) -> CsvList:
    """The list ``name`` over the grants ``grants`` selects (already narrowed to the caller)."""
    header, rows_of = _BUILDERS[name]
    chosen = list(session.exec(grants.order_by(Grant.id)).all())
    return CsvList(name, header, rows_of(session, chosen))


def list_readers() -> tuple[str, ...]:
    """Who may export the lists: the roles that see every grant and sign in."""
    return roles_where(lambda v: v.reach == "all" and v.signs_in)


def require_list_reader(user: User) -> None:
    if not sees_every_grant(user):
        raise NotPermitted(f"exporting the grant lists needs the {one_of(list_readers())} role")


def read_list(db: Database, user: User, name: ListName, filters: GrantFilters) -> CsvList:
    """The list over the grants ``user`` may see that the filters keep."""
    require_list_reader(user)
    with db.reading() as session:
        return csv_list(session, name, filters.applied(visible_grants(user, select(Grant))))
