"""Grants: apply, list, read, and read a grant's history and documents."""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import exists
from sqlmodel import func, select

from models.access_log import Channel, record_read, review_event_shown
from models.db import Database
from models.errors import NotPermitted
from models.lifecycle import GRANT_STATES, STAGES
from models.provisioning import create_application
from models.tables import AuditEvent, BudgetLine, Fund, Grant, StoredDocument, User
from models.visibility import applying_role, roles_where
from service.authz import (
    HistoryView,
    application_scope,
    grant_for,
    history_role,
    history_view,
    may_see_document,
    one_of,
    reviewer_assigned,
    visible_grant_row,
    visible_grants,
)
from service.deps import MAX_ID, CurrentUser, DatabaseDep, GrantId, off_the_loop
from service.problems import BODY_PROBLEMS, problem_responses
from service.schemas import (
    ApplicationRequest,
    DocumentPublic,
    EventPublic,
    FlowRunPublic,
    GrantPublic,
    Page,
)
from service.views import (
    document_public,
    event_public,
    grant_public,
    grants_public,
    named_grants,
)

GrantStateKey = Enum("GrantStateKey", {s.key: s.key for s in GRANT_STATES}, type=str)  # type: ignore[misc]
StageKey = Enum("StageKey", {stage: stage for stage in STAGES}, type=str)  # type: ignore[misc]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/grants", tags=["grants"], responses=problem_responses(401, 422))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantPublic,
    responses=problem_responses(*BODY_PROBLEMS, 404),
    summary="Start an application (a draft grant)",
    description=(
        "Applicants start applications for their own organisation; officers and admins may "
        "start one for an organisation by giving `organisation_id`. The draft is submitted "
        "with the `submit` action."
    ),
)
def create_grant(
    body: ApplicationRequest, user: CurrentUser, db: DatabaseDep, response: Response
) -> GrantPublic:
    scope = application_scope(user)
    if scope == "own_organisation":
        organisation_id = user.organisation_id  # type: ignore[assignment]
        if body.organisation_id not in (None, organisation_id):
            raise NotPermitted("applicants apply only for their own organisation")
    elif scope == "any_organisation":
        if body.organisation_id is None:
            raise_missing_organisation()
        organisation_id = body.organisation_id  # type: ignore[assignment]
    else:
        starters = roles_where(lambda v: v.applications != "none")
        raise NotPermitted(f"starting an application needs the {one_of(starters)} role")
    data = body.model_dump(exclude={"organisation_id"})
    grant = create_application(db, organisation_id, data, actor_name=user.name, actor_id=user.id)
    response.headers["Location"] = f"/api/v1/grants/{grant.id}"
    with db.reading() as session:
        shown = session.exec(named_grants().where(Grant.id == grant.id)).one()
        return grant_public(session, shown, user)


def raise_missing_organisation() -> None:
    from models.errors import InvalidPayload

    raise InvalidPayload(
        "staff must say which organisation the application is for",
        [{"field": "organisation_id", "message": "required for staff"}],
    )


@router.get("", response_model=Page[GrantPublic], summary="List the grants you may see")
@off_the_loop
def list_grants(
    user: CurrentUser,
    db: DatabaseDep,
    state: Annotated[GrantStateKey | None, Query()] = None,
    stage: Annotated[StageKey | None, Query()] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[GrantPublic]:
    """Grants you may see, oldest first. Applicants see their organisation's grants, reviewers the
    grants on their panel, staff and auditors all. Filter by state, stage, organisation or
    Ontario fiscal year; page with limit and offset.
    """

    def chosen(statement: Any) -> Any:
        """``statement`` narrowed to the grants the caller may see and asked for."""
        statement = visible_grants(user, statement)
        if state:
            statement = statement.where(Grant.state == state.value)
        if stage:
            keys = [s.key for s in GRANT_STATES if s.stage == stage.value]
            statement = statement.where(Grant.state.in_(keys))  # type: ignore[attr-defined]
        if organisation_id:
            statement = statement.where(Grant.organisation_id == organisation_id)
        if fiscal_year:
            statement = statement.where(
                exists().where(
                    BudgetLine.grant_id == Grant.id, BudgetLine.fiscal_year == fiscal_year
                )
            )
        return statement

    with db.reading() as session:
        counted = select(func.count()).select_from(chosen(select(Grant.id)).subquery())
        total = session.exec(counted).one()
        page = chosen(named_grants()).order_by(Grant.id).offset(offset).limit(limit)
        items = grants_public(session, session.exec(page).all(), user)
    return Page[GrantPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{grant_id}",
    response_model=GrantPublic,
    responses=problem_responses(404),
    summary="One grant",
)
@off_the_loop
def read_grant(grant_id: GrantId, user: CurrentUser, db: DatabaseDep) -> GrantPublic:
    """One grant, with its state labelled for your role. A grant you may not see answers 404."""
    with db.reading() as session:
        found = visible_grant_row(session, user, grant_id, named_grants())
        return grant_public(session, found, user)


@router.get(
    "/{grant_id}/history",
    response_model=list[EventPublic],
    responses=problem_responses(404, 500),
    summary="The grant's audit trail, oldest first, each event with its Prefect flow run",
)
async def grant_history(
    grant_id: GrantId, user: CurrentUser, db: DatabaseDep, response: Response
) -> list[EventPublic]:
    """Every audit event of the grant, oldest first, each joined with the Prefect flow run that
    carried it out (state, duration, retries, task runs). Applicants see panel members as
    'Community review panel member'; refused attempts are shown to staff only.

    When Prefect cannot be reached, every event with a flow run says
    `flow_run_status: "unavailable"` (and `flow_run` is null), and the answer carries the
    header `X-Grantflow-Prefect: unavailable`.

    A history that shows the community review's content (ratings, criteria scored, whether
    notes were sealed) is recorded in the access log (`GET /api/v1/access-events`); one that
    cannot be recorded is not answered (500).
    """
    return await history_answer(grant_id, user, db, response, "api")


async def history_answer(
    grant_id: int, user: User, db: Database, response: Response, channel: Channel
) -> list[EventPublic]:
    """The grant's history to ``user`` (the API's and the grant page's). When it shows the
    community review's content, that reading is recorded in the access log first (a failure
    to record fails the answer)."""

    def read() -> list[EventPublic]:
        with db.reading() as session:
            grant, threshold = visible_grant_row(
                session,
                user,
                grant_id,
                select(Grant, Fund.small_cell_threshold).join(Fund, Fund.id == Grant.fund_id),  # type: ignore[arg-type]
            )
            assigned = reviewer_assigned(session, user, grant_id)
            view = history_view(user, grant, assigned, threshold)
            statement = select(AuditEvent).where(AuditEvent.grant_id == grant_id)
            if not view.refused_attempts:
                # Refused attempts name other people; only roles with the full history read them.
                statement = statement.where(AuditEvent.outcome == "applied")
            events = session.exec(statement.order_by(AuditEvent.id)).all()
            shown = [event for event in events if told_of(event, view)]
            answer = [event_public(event, view) for event in shown]
        review = review_event_shown(shown)
        if review is not None:
            record_read(
                db,
                reader=user,
                role=history_role(user, grant, assigned),
                kind="review_content",
                channel=channel,
                organisation_id=grant.organisation_id,
                grant_id=grant.id,
                subject_id=review.id,
            )
        return answer

    events = await asyncio.to_thread(read)
    wanted = [e.flow_run_id for e in events if e.flow_run_id]
    runs = await prefect_runs(wanted)
    if runs is None:
        # Said in the answer, not left to a missing field: each event with a flow run is
        # marked, and the header tells a client that reads no bodies.
        response.headers[PREFECT_HEADER] = "unavailable"
    for event in events:
        if not event.flow_run_id:
            continue
        if runs is None:
            event.flow_run_status = "unavailable"
            continue
        run = runs.get(event.flow_run_id)
        event.flow_run = FlowRunPublic.model_validate(run) if run else None
        event.flow_run_status = "found" if run else "unknown"
    return events


PREFECT_HEADER = "X-Grantflow-Prefect"
PREFECT_TIMEOUT_SECONDS = 15


async def prefect_runs(run_ids: list[str]) -> dict | None:
    """Prefect's view of the runs, or None when Prefect could not be asked or refused.

    The history still answers from the database (its audit trail stands on its own); the
    caller marks the answer instead of presenting it as complete.
    """
    from workflows.run_records import flow_runs

    if not run_ids:
        return {}
    try:
        return await asyncio.wait_for(flow_runs(run_ids), timeout=PREFECT_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - unreachable, timed out or refused: "unavailable"
        logger.warning("Prefect did not answer for %d flow runs: %r", len(run_ids), error)
        return None


@router.get(
    "/{grant_id}/documents",
    response_model=list[DocumentPublic],
    responses=problem_responses(404),
    summary="Documents generated for the grant that you may read",
)
@off_the_loop
def grant_documents(grant_id: GrantId, user: CurrentUser, db: DatabaseDep) -> list[DocumentPublic]:
    """The documents generated for the grant that your role may read: applicants their letters and
    agreements, the review panel its summary, staff everything.
    """
    with db.reading() as session:
        grant = grant_for(session, user, grant_id)
        assigned = reviewer_assigned(session, user, grant_id)
        documents = session.exec(
            select(StoredDocument)
            .where(StoredDocument.grant_id == grant_id)
            .order_by(StoredDocument.id)
        ).all()
        return [document_public(d) for d in documents if may_see_document(user, d, grant, assigned)]


def told_of(event: AuditEvent, view: HistoryView) -> bool:
    """An applicant's history lists the messages sent to its organisation, not those that told
    the fund's staff what waits for them."""
    if event.subject != "notification" or view.staff_messages:
        return True
    return event.payload_summary.get("recipient_role") == applying_role()
