"""Who read what: every served read of documents, dossiers, review content and exports.

A read changes no grant, so it is not an audit event and not a leaf of the audit trail's
Merkle tree (``models.audit``, ``models.merkle``): the trail proves what happened to grants,
and reads would swamp it. Reads are kept here instead, in their own append-only table (the
database refuses UPDATE and DELETE on it, migration 0008), each row recorded in the request
that served the read, before the content leaves; if the row cannot be written the read fails,
so no sensitive read goes unrecorded. A refused read is not recorded here: the refusal is a
denial in the audit trail already (``models.denials``).

A row holds ids and keys only: who read (user id and the role the read was served through),
whose data it was (organisation, grant), what kind of thing was read and its id, through
which channel, and when. No names, no content, no network address (the reader is a signed-in
user; an address would add personal data and prove nothing the user id does not).

Who sees the rows follows ``models.visibility``: the auditing roles see every row; a role
confined to its own organisation sees the rows about its organisation's data, with panel
members anonymised as in its grant's history; every other role is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, get_args

from sqlalchemy import Index
from sqlmodel import Field, Session, SQLModel, col, func, select

from models.clock import as_utc, utcnow
from models.lifecycle import action as declared_action
from models.tables import AuditEvent, User
from models.visibility import (
    VISIBILITY_BY_ROLE,
    auditing_roles,
    declared,
    organisation_roles,
    panel_roles,
)

if TYPE_CHECKING:  # models.db registers this module's table: no import back at run time
    from models.db import Database

# document_file: a stored document's file (PDF or DOCX) downloaded;
# review_document_file: the file of a document for the review panel (its audience "panel"),
#   such as the review summary with the panel's means;
# review_content: a grant's history shown with the community review's events in it (ratings,
#   criteria scored, whether deliberation notes were sealed);
# dossier: a grant's audit dossier (ZIP);
# organisation_export: all of an organisation's records (ZIP);
# csv_export: a list exported as CSV (grants, payments, reports);
# outcome_report: the fund's outcome report (page, API answer or files).
AccessKind = Literal[
    "document_file",
    "review_document_file",
    "review_content",
    "dossier",
    "organisation_export",
    "csv_export",
    "outcome_report",
]
# api: an API route; page: a web page; cli: a ``grantflow`` command, by the operator.
Channel = Literal["api", "page", "cli"]
ACCESS_KINDS: tuple[str, ...] = get_args(AccessKind)
CHANNELS: tuple[str, ...] = get_args(Channel)


class AccessEvent(SQLModel, table=True):
    """One served read. ``user_id`` is None for the installation's operator at the command
    line (who has no user row, ``service.users.operator``); ``organisation_id`` is None for a
    read across organisations (the fund's outcome report)."""

    __tablename__ = "access_event"
    __table_args__ = (Index("ix_access_event_organisation_time", "organisation_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    role: str = Field(max_length=32)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    grant_id: int | None = Field(default=None, foreign_key="grant.id", index=True)
    kind: str = Field(max_length=32)
    subject_id: int | None = None
    channel: str = Field(max_length=8)


def record_access(
    session: Session,
    *,
    reader: User,
    role: str,
    kind: AccessKind,
    channel: Channel,
    organisation_id: int | None,
    grant_id: int | None = None,
    subject_id: int | None = None,
) -> AccessEvent:
    """Record that ``reader``, through ``role``, read a ``kind`` thing (``subject_id``: the
    document's id, the review event's id...) of ``organisation_id``'s data.

    Call it in the request that serves the read, after the read succeeded and before the
    content is handed over, in a transaction that commits before the answer goes out: an
    exception here must fail the read. Raises ``ValueError`` for an undeclared kind, channel
    or role, or a role ``reader`` does not hold.
    """
    if kind not in ACCESS_KINDS:
        raise ValueError(f"unknown kind of read {kind!r}; one of {', '.join(ACCESS_KINDS)}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    if role not in VISIBILITY_BY_ROLE or role not in reader.roles:
        raise ValueError(f"the reader does not hold the role {role!r}")
    event = AccessEvent(
        user_id=reader.id,
        role=role,
        organisation_id=organisation_id,
        grant_id=grant_id,
        kind=kind,
        subject_id=subject_id,
        channel=channel,
    )
    session.add(event)
    session.flush()
    return event


def role_among(reader: User, allowed: tuple[str, ...]) -> str:
    """The first of ``reader``'s roles in ``allowed``: the role a read that ``allowed`` may make
    (e.g. ``auditing_roles()``) was served through. ``ValueError`` when it holds none."""
    for role in reader.roles:
        if role in allowed:
            return role
    raise ValueError(f"the reader holds none of the roles {', '.join(allowed)}")


def record_read(
    db: Database,
    *,
    reader: User,
    role: str,
    kind: AccessKind,
    channel: Channel,
    organisation_id: int | None,
    grant_id: int | None = None,
    subject_id: int | None = None,
) -> AccessEvent:
    """``record_access`` in a transaction of its own, committed when this returns: what a
    route calls after the read succeeded and before it answers with the content."""
    with db.transaction() as session:
        return record_access(
            session,
            reader=reader,
            role=role,
            kind=kind,
            channel=channel,
            organisation_id=organisation_id,
            grant_id=grant_id,
            subject_id=subject_id,
        )


REVIEW_STAGE = "community_review"


def review_event_shown(events: list[AuditEvent]) -> AuditEvent | None:
    """The latest of ``events`` (a grant's history as shown to someone) that tells of the
    community review's content: an event of a review action with a summary (ratings,
    criteria scored, whether deliberation notes were sealed). None when none does."""
    shown = None
    for event in events:
        declared = declared_action(event.action)
        if declared is not None and declared.stage == REVIEW_STAGE and event.payload_summary:
            shown = event
    return shown


# --------------------------------------------------------------------------- who sees them


@dataclass(frozen=True)
class AccessLogScope:
    """What of the access log a user reads: every row, or one organisation's rows with the
    readers holding ``anonymised_roles`` shown without their name."""

    organisation_id: int | None  # None: every organisation's
    anonymised_roles: tuple[str, ...] = ()


def access_log_scope(user: User) -> AccessLogScope | None:
    """The part of the access log ``user`` reads; None when it reads none of it."""
    if any(v.audits for v in declared(user.roles)):
        return AccessLogScope(organisation_id=None)
    confined = any(role in organisation_roles() for role in user.roles)
    if confined and user.organisation_id is not None:
        return AccessLogScope(user.organisation_id, anonymised_roles=panel_roles())
    return None


def access_log_readers() -> tuple[str, ...]:
    """The roles that read the access log (their own organisation's part, for some)."""
    return auditing_roles() + organisation_roles()


@dataclass(frozen=True)
class AccessFilters:
    grant_id: int | None = None
    organisation_id: int | None = None
    user_id: int | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AccessRow:
    """An access event as its reader may see it: ``reader_id`` and ``reader_name`` are None
    when the reader is anonymised (a panel member, to an organisation) or had no user row."""

    event: AccessEvent
    reader_id: int | None
    reader_name: str | None
    anonymised: bool


def access_events(
    session: Session, scope: AccessLogScope, filters: AccessFilters, limit: int, offset: int
) -> tuple[list[AccessRow], int]:
    """The access events in ``scope`` matching ``filters``, newest first, one page of them,
    and how many match in all. Filtering by user finds only the events whose reader the scope
    names (an anonymised reader cannot be picked out by its id)."""
    statement = select(AccessEvent)
    if scope.organisation_id is not None:
        statement = statement.where(AccessEvent.organisation_id == scope.organisation_id)
    if filters.grant_id is not None:
        statement = statement.where(AccessEvent.grant_id == filters.grant_id)
    if filters.organisation_id is not None:
        statement = statement.where(AccessEvent.organisation_id == filters.organisation_id)
    if filters.user_id is not None:
        statement = statement.where(AccessEvent.user_id == filters.user_id)
        if scope.anonymised_roles:
            statement = statement.where(col(AccessEvent.role).not_in(scope.anonymised_roles))
    if filters.kind is not None:
        statement = statement.where(AccessEvent.kind == filters.kind)
    if filters.since is not None:
        statement = statement.where(AccessEvent.occurred_at >= as_utc(filters.since))
    if filters.until is not None:
        statement = statement.where(AccessEvent.occurred_at < as_utc(filters.until))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    page = session.exec(
        statement.order_by(col(AccessEvent.occurred_at).desc(), col(AccessEvent.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    user_ids = {event.user_id for event in page if event.user_id is not None}
    names = (
        dict(session.exec(select(User.id, User.name).where(col(User.id).in_(user_ids))).all())
        if user_ids
        else {}
    )
    rows = []
    for event in page:
        hidden = event.role in scope.anonymised_roles
        rows.append(
            AccessRow(
                event=event,
                reader_id=None if hidden else event.user_id,
                reader_name=None if hidden else names.get(event.user_id),
                anonymised=hidden,
            )
        )
    return rows, total
