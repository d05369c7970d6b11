"""``/``: the signed-in person's home, a section for each kind of work their roles do.

No role is named here: the sections follow the declarations. A user who takes an action sees
the queue of grants (or instalments) in that action's from-states: screening and the pipeline
for whoever screens, the panel's applications for whoever scores, decisions for whoever
approves, countersigns or closes, payments for whoever releases them. Whoever applies for its
own organisation sees its applications; whoever audits, every grant and the trail's check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import exists
from sqlmodel import Session, func, select

from models import lifecycle
from models.db import Database
from models.lifecycle import GRANT_STATES, STAGES
from models.tables import (
    AuditEvent,
    BudgetLine,
    Fund,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    User,
)
from models.visibility import declared, fund_outcome_readers
from service.authz import application_scope, sees_every_grant, visible_grants
from service.deps import DatabaseDep
from service.exports.organisation import is_signing_authority
from service.web.access import Page
from service.web.rendering import render

router = APIRouter(include_in_schema=False)
LISTED = 200  # rows a queue shows; the pipeline's filters narrow further


def _from_states(*action_keys: str) -> tuple[str, ...]:
    found = (lifecycle.action(key) for key in action_keys)
    return tuple(dict.fromkeys(s for a in found if a is not None for s in a.from_states))


_UNPAID = _from_states("initiate_payment", "release_payment")  # what "next payment" looks at
_OWED = _from_states("submit_report")  # reports the organisation still has to send


@dataclass(frozen=True)
class GrantRow:
    id: int
    reference: str
    title: str
    organisation: str
    state: str
    stage: str
    requested_cents: int
    approved_cents: int | None
    next_payment: Instalment | None = None
    next_report: OutcomeReport | None = None


@dataclass(frozen=True)
class PaymentRow:
    grant_id: int
    reference: str
    organisation: str
    sequence: int
    amount_cents: int
    due_date: date
    initiated_by: str
    initiated_by_me: bool


@dataclass(frozen=True)
class Filters:
    state: str = ""
    fund: str = ""
    fiscal_year: str = ""
    organisation: str = ""

    def query(self) -> str:
        """The filters that are set, as a query string (``?…``, or nothing)."""
        chosen = {name: value for name, value in asdict(self).items() if value}
        return f"?{urlencode(chosen)}" if chosen else ""

    @classmethod
    def from_request(cls, request: Request) -> Filters:
        query = request.query_params
        state = query.get("state", "")
        year = query.get("fiscal_year", "")
        organisation = query.get("organisation", "")
        return cls(
            state=state if state in lifecycle.state_keys("grant") else "",
            fund=query.get("fund", "")[:40],
            fiscal_year=year if year.isdigit() and len(year) == 4 else "",
            organisation=organisation if organisation.isdigit() and len(organisation) < 12 else "",
        )


def _takes(user: User, action_key: str) -> bool:
    found = lifecycle.action(action_key)
    return found is not None and any(role in found.roles for role in user.roles)


def _rows(session: Session, grants: list[Grant], with_money: bool = False) -> list[GrantRow]:
    names = dict(session.exec(select(Organisation.id, Organisation.legal_name)).all())
    rows = []
    for grant in grants:
        payment = report = None
        if with_money:
            payment = session.exec(
                select(Instalment)
                .where(Instalment.grant_id == grant.id, Instalment.state.in_(_UNPAID))  # type: ignore[attr-defined]
                .order_by(Instalment.due_date, Instalment.sequence)
            ).first()
            report = session.exec(
                select(OutcomeReport)
                .where(OutcomeReport.grant_id == grant.id, OutcomeReport.state.in_(_OWED))  # type: ignore[attr-defined]
                .order_by(OutcomeReport.due_date, OutcomeReport.sequence)
            ).first()
        rows.append(
            GrantRow(
                grant.id,  # type: ignore[arg-type]
                grant.reference,
                grant.project_title,
                names.get(grant.organisation_id, ""),
                grant.state,
                lifecycle.grant_state(grant.state).stage,
                grant.requested_cents,
                grant.approved_cents,
                payment,
                report,
            )
        )
    return rows


def _in_states(session: Session, user: User, states: tuple[str, ...]) -> list[Grant]:
    statement = visible_grants(user, select(Grant)).where(Grant.state.in_(states))  # type: ignore[attr-defined]
    return list(session.exec(statement.order_by(Grant.id).limit(LISTED)).all())


def _pipeline(
    session: Session, user: User, filters: Filters
) -> tuple[dict[str, int], list[GrantRow]]:
    statement = visible_grants(user, select(Grant))
    if filters.fund:
        statement = statement.where(
            exists().where(Fund.id == Grant.fund_id, Fund.code == filters.fund)
        )
    if filters.fiscal_year:
        statement = statement.where(
            exists().where(
                BudgetLine.grant_id == Grant.id, BudgetLine.fiscal_year == int(filters.fiscal_year)
            )
        )
    if filters.organisation:
        statement = statement.where(Grant.organisation_id == int(filters.organisation))
    counts_by_state = _count_states(session, statement)
    by_stage = {stage: 0 for stage in STAGES}
    for state in GRANT_STATES:
        by_stage[state.stage] += counts_by_state.get(state.key, 0)
    if filters.state:
        statement = statement.where(Grant.state == filters.state)
    grants = list(session.exec(statement.order_by(Grant.id).limit(LISTED)).all())
    return by_stage, _rows(session, grants)


def _count_states(session: Session, statement) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counted = statement.subquery()
    rows = session.exec(select(counted.c.state, func.count()).group_by(counted.c.state)).all()
    return {state: count for state, count in rows}


def _payments(session: Session, user: User) -> list[PaymentRow]:
    release = lifecycle.action("release_payment")
    assert release is not None
    visible = visible_grants(user, select(Grant.id)).where(Grant.state.in_(release.grant_states))  # type: ignore[attr-defined]
    rows = session.exec(
        select(Instalment, Grant, Organisation, User)
        .join(Grant, Grant.id == Instalment.grant_id)
        .join(Organisation, Organisation.id == Grant.organisation_id)
        .join(User, User.id == Instalment.initiated_by_id)
        .where(Instalment.state.in_(release.from_states), Instalment.grant_id.in_(visible))  # type: ignore[attr-defined]
        .order_by(Instalment.due_date, Instalment.id)
        .limit(LISTED)
    ).all()
    return [
        PaymentRow(
            grant.id,
            grant.reference,
            organisation.legal_name,
            instalment.sequence,
            instalment.amount_cents,
            instalment.due_date,
            initiator.name,
            initiator.id == user.id,
        )
        for instalment, grant, organisation, initiator in rows
    ]


def _review_progress(session: Session, user: User, grants: list[Grant]) -> dict[int, set[str]]:
    """Which of ``declare_conflict`` and ``score`` the user has done on each grant."""
    done: dict[int, set[str]] = {grant.id: set() for grant in grants}  # type: ignore[misc]
    if not grants:
        return done
    rows = session.exec(
        select(AuditEvent.grant_id, AuditEvent.action).where(
            AuditEvent.actor_id == user.id,
            AuditEvent.outcome == "applied",
            AuditEvent.grant_id.in_(list(done)),  # type: ignore[union-attr]
            AuditEvent.action.in_(("declare_conflict", "score")),  # type: ignore[attr-defined]
        )
    ).all()
    for grant_id, action in rows:
        done[grant_id].add(action)  # type: ignore[index]
    return done


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Page, db: DatabaseDep) -> HTMLResponse:
    assert context.signed_in is not None
    user = context.signed_in.user
    filters = Filters.from_request(request)
    sections: dict[str, object] = {}
    export_organisation = None
    with db.reading() as session:
        if user.organisation_id and is_signing_authority(session, user, user.organisation_id):
            export_organisation = user.organisation_id
        if application_scope(user) == "own_organisation":
            sections["applications"] = _rows(
                session,
                list(session.exec(visible_grants(user, select(Grant)).order_by(Grant.id)).all()),
                with_money=True,
            )
        if _takes(user, "score"):
            score = lifecycle.action("score")
            grants = _in_states(session, user, score.from_states)  # type: ignore[union-attr]
            sections["review"] = (_rows(session, grants), _review_progress(session, user, grants))
        if _takes(user, "screen_in"):
            sections["pipeline"] = _pipeline(session, user, filters)
            sections["funds"] = list(session.exec(select(Fund.code).order_by(Fund.code)).all())
            sections["organisations"] = list(
                session.exec(
                    select(Organisation.id, Organisation.legal_name).order_by(
                        Organisation.legal_name
                    )
                ).all()
            )
        decisions = [key for key in ("approve", "countersign", "close") if _takes(user, key)]
        if decisions:
            states = tuple(s for key in decisions for s in lifecycle.action(key).from_states)  # type: ignore[union-attr]
            sections["decisions"] = _rows(session, _in_states(session, user, states))
        if _takes(user, "release_payment"):
            sections["payments"] = _payments(session, user)
        if any(v.audits for v in declared(user.roles)):
            sections["audit"] = _rows(
                session,
                list(
                    session.exec(
                        visible_grants(user, select(Grant)).order_by(Grant.id).limit(LISTED)
                    ).all()
                ),
            )
    return render(
        context,
        "home.html.j2",
        sections=sections,
        filters=filters,
        stages=STAGES,
        states=[state.key for state in GRANT_STATES],
        may_apply=application_scope(user) == "own_organisation",
        may_export_lists=sees_every_grant(user),
        export_query=filters.query(),
        export_organisation=export_organisation,
        outcome_funds=_outcome_funds(db, user),
    )


def _outcome_funds(db: Database, user: User) -> list[str]:
    """The codes of the funds whose outcome page the user may read (none for most roles)."""
    if not any(role in fund_outcome_readers() for role in user.roles):
        return []
    with db.reading() as session:
        return list(session.exec(select(Fund.code).order_by(Fund.code)).all())
