"""The access log: who read which documents, dossiers, review content and exports."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from models.access_log import (
    ACCESS_KINDS,
    CHANNELS,
    AccessFilters,
    AccessLogScope,
    AccessRow,
    access_events,
    access_log_readers,
    access_log_scope,
)
from models.clock import as_utc
from models.errors import NotPermitted
from models.tables import Grant, User
from service.authz import one_of
from service.deps import CurrentUser, DatabaseDep
from service.problems import Problem, problem_responses
from service.schemas import MAX_ID, Page
from service.views import PANEL_MEMBER

OPERATOR = "Installation operator (command line)"

AccessKindKey = Enum("AccessKindKey", {k: k for k in ACCESS_KINDS}, type=str)  # type: ignore[misc]

router = APIRouter(
    prefix="/api/v1/access-events",
    tags=["audit"],
    responses=problem_responses(401, 403, 422),
)


class AccessEventPublic(BaseModel):
    id: int
    occurred_at: datetime
    reader: str = Field(
        description="Who read: the user's name; 'Community review panel member' when an "
        "organisation is told of a panel member's read; the operator for the command line"
    )
    reader_is: Literal["named", "panel_member", "operator"] = Field(
        description="named: a user, named; panel_member: a review panel member, not named to "
        "the organisation; operator: the installation's operator at the command line"
    )
    reader_id: int | None = Field(description="The reader's user id (null when not shown)")
    reader_role: str = Field(description="The role the read was served through")
    organisation_id: int | None = Field(description="Whose data was read")
    grant_id: int | None
    grant_reference: str | None
    kind: str = Field(description=f"What was read: one of {', '.join(ACCESS_KINDS)}")
    subject_id: int | None = Field(
        description="The document's id (files), the review event's id (review content)"
    )
    channel: str = Field(description=f"Through which way in: one of {', '.join(CHANNELS)}")


def reader_is(row: AccessRow) -> Literal["named", "panel_member", "operator"]:
    if row.anonymised:
        return "panel_member"
    return "operator" if row.event.user_id is None else "named"


def reader_label(row: AccessRow) -> str:
    shown = reader_is(row)
    if shown == "named":
        return row.reader_name or ""
    return PANEL_MEMBER if shown == "panel_member" else OPERATOR


def access_event_public(row: AccessRow, references: dict[int, str]) -> AccessEventPublic:
    event = row.event
    return AccessEventPublic(
        id=event.id,  # type: ignore[arg-type]
        occurred_at=as_utc(event.occurred_at),
        reader=reader_label(row),
        reader_is=reader_is(row),
        reader_id=row.reader_id,
        reader_role=event.role,
        organisation_id=event.organisation_id,
        grant_id=event.grant_id,
        grant_reference=references.get(event.grant_id) if event.grant_id else None,
        kind=event.kind,
        subject_id=event.subject_id,
        channel=event.channel,
    )


def readable_scope(user: User) -> AccessLogScope:
    """The part of the access log ``user`` reads; 403 when none."""
    scope = access_log_scope(user)
    if scope is None:
        raise NotPermitted(
            f"reading the access log needs one of the roles: {one_of(access_log_readers())}"
        )
    return scope


def checked_period(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and as_utc(since) >= as_utc(until):
        raise Problem(
            422,
            "empty-period",
            "The period is empty",
            "'since' must be before 'until' (times are UTC; 'until' is excluded)",
        )


def grant_references(session: Session, rows: list[AccessRow]) -> dict[int, str]:
    ids = {row.event.grant_id for row in rows if row.event.grant_id is not None}
    if not ids:
        return {}
    found = session.exec(select(Grant.id, Grant.reference).where(col(Grant.id).in_(ids))).all()
    return {grant_id: reference for grant_id, reference in found if grant_id is not None}


def access_page(
    session: Session, scope: AccessLogScope, filters: AccessFilters, limit: int, offset: int
) -> Page[AccessEventPublic]:
    rows, total = access_events(session, scope, filters, limit, offset)
    references = grant_references(session, rows)
    items = [access_event_public(row, references) for row in rows]
    return Page[AccessEventPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "",
    response_model=Page[AccessEventPublic],
    summary="Who read what: documents, dossiers, review content and exports",
)
def list_access_events(
    user: CurrentUser,
    db: DatabaseDep,
    grant_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    kind: Annotated[AccessKindKey | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="From this time (UTC), included")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[AccessEventPublic]:
    """Every served read of a document's file, a grant's dossier, the community review's
    content and an export, newest first: who read it (their role, and their name), whose data
    it was, what and when, and whether through the API, a page or the command line. Reads are
    not audit events (they change nothing); they are kept in their own append-only log.

    Auditors and admins read every event. An organisation's own users read the events on its
    data, with a panel member shown as 'Community review panel member' (filtering by a user
    finds only readers who are shown). Other roles are refused (403). Filter by grant,
    organisation, user, kind and period; page with limit and offset.
    """
    scope = readable_scope(user)
    checked_period(since, until)
    filters = AccessFilters(
        grant_id=grant_id,
        organisation_id=organisation_id,
        user_id=user_id,
        kind=kind.value if kind else None,
        since=since,
        until=until,
    )
    with db.reading() as session:
        return access_page(session, scope, filters, limit, offset)
