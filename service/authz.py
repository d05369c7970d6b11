"""Who may see what: one place every object route goes through, reading ``models.visibility``.

An object the caller may not see answers 404 (``NotFound``), exactly like one that does not
exist, so its existence is not revealed; the denial is recorded in the audit trail by the
problem handler. What a caller may *do* comes from the lifecycle declaration (the engine);
what it may *see* comes from the visibility declaration, read here and nowhere else in the
service. No role is named in this module: it asks the declaration about reach, audiences,
history detail, setup rights and auditing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import exists
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from documents import KINDS
from models.errors import NotFound, NotPermitted
from models.tables import Grant, ReviewAssignment, StoredDocument, User
from models.visibility import (
    UNKNOWN_KIND_AUDIENCE,
    Applications,
    Reach,
    RoleVisibility,
    declared,
    panel_roles,
    roles_where,
)


def _holding(user: User, reach: Reach) -> tuple[RoleVisibility, ...]:
    return tuple(v for v in declared(user.roles) if v.reach == reach)


def sees_every_grant(user: User) -> bool:
    return bool(_holding(user, "all"))


def visible_grants(user: User, statement: SelectOfScalar) -> SelectOfScalar:
    """Narrow a grant query to what ``user`` may see."""
    if sees_every_grant(user):
        return statement
    conditions = []
    if _holding(user, "own_organisation") and user.organisation_id is not None:
        conditions.append(Grant.organisation_id == user.organisation_id)
    if _holding(user, "assigned_panel"):
        conditions.append(
            exists().where(
                ReviewAssignment.grant_id == Grant.id, ReviewAssignment.reviewer_id == user.id
            )
        )
    if not conditions:
        return statement.where(False)  # type: ignore[arg-type]
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return statement.where(combined)


def grant_for(session: Session, user: User, grant_id: int) -> Grant:
    """The grant, if ``user`` may see it; otherwise 404 as if it did not exist."""
    return visible_grant_row(session, user, grant_id, select(Grant))


def visible_grant_row(session: Session, user: User, grant_id: int, statement: Any) -> Any:
    """``statement``'s row for the grant (a query of grants, perhaps with columns of other
    tables: ``service.views.named_grants``), if ``user`` may see the grant; otherwise 404 as
    if it did not exist."""
    row = session.exec(visible_grants(user, statement.where(Grant.id == grant_id))).first()
    if row is None:
        raise NotFound(f"grant {grant_id} does not exist")
    return row


def is_own_applicant(user: User, grant: Grant) -> bool:
    """Whether ``user`` reaches ``grant`` as one of its own organisation's grants."""
    own = user.organisation_id == grant.organisation_id
    return own and bool(_holding(user, "own_organisation"))


class OfOrganisation(Protocol):
    """A grant, or a row of one (``service.views.named_grants``): what the lens looks at."""

    organisation_id: int


def lens(user: User, grant: OfOrganisation, reviewer_assigned: bool) -> tuple[RoleVisibility, ...]:
    """The declared roles through which ``user`` looks at ``grant``.

    The widest reach wins: roles that see every grant; failing those, the roles that reach it
    as the user's own organisation's (so on its own grant a panel member who also applies
    gets no more than the applicant); failing those, the panel roles when assigned to it.
    Empty when none applies: whoever reads it gets the most guarded answer.
    """
    own = user.organisation_id == grant.organisation_id
    for reach, applies in (
        ("all", True),
        ("own_organisation", own),
        ("assigned_panel", reviewer_assigned),
    ):
        through = _holding(user, reach)  # type: ignore[arg-type]
        if applies and through:
            return through
    return ()


def is_applicant_view(through: tuple[RoleVisibility, ...]) -> bool:
    """Seen through roles that get the applicant's view: applicant labels, applicant history."""
    return bool(through) and all(v.history == "applicant_view" for v in through)


def applicant_view_of(user: User, grant: OfOrganisation) -> bool:
    """Whether ``user`` gets the applicant's labels and pending documents on ``grant``."""
    return is_applicant_view(lens(user, grant, reviewer_assigned=False))


def applicant_view_audiences() -> frozenset[str]:
    """The document audiences the applicant's view reads."""
    return frozenset(
        audience
        for v in declared(roles_where(lambda v: v.history == "applicant_view"))
        for audience in v.audiences
    )


def reading_roles(
    user: User, document: StoredDocument, grant: Grant, reviewer_assigned: bool
) -> tuple[str, ...]:
    """The roles through which ``user`` reads ``document`` of ``grant`` (none: it may not)."""
    kind = KINDS.get(document.kind)
    audience = kind.audience if kind else UNKNOWN_KIND_AUDIENCE
    return tuple(v.role for v in lens(user, grant, reviewer_assigned) if audience in v.audiences)


def may_see_document(
    user: User, document: StoredDocument, grant: Grant, reviewer_assigned: bool
) -> bool:
    return bool(reading_roles(user, document, grant, reviewer_assigned))


def document_readers(session: Session, user: User, document: StoredDocument) -> tuple[str, ...]:
    """The roles through which ``user`` reads ``document``, its grant loaded here; none when
    it may not see the grant or the document (the check a download goes through)."""
    try:
        grant = grant_for(session, user, document.grant_id)
    except NotFound:
        return ()
    assigned = reviewer_assigned(session, user, document.grant_id)
    return reading_roles(user, document, grant, assigned)


@dataclass(frozen=True)
class HistoryView:
    """How much of a grant's history a caller gets (``models.visibility.History``)."""

    refused_attempts: bool  # refused attempts name other people
    anonymised_roles: tuple[str, ...]  # events by these roles show no actor's name
    notes_marker: bool  # whether the summary says deliberation notes were sealed
    staff_messages: bool = True  # whether messages sent to staff are listed (not to applicants)
    # Outcome report counts below this are suppressed (models.visibility.OutcomeCounts);
    # None: the caller sees them exact.
    count_threshold: int | None = None


def history_view(
    user: User, grant: Grant, reviewer_assigned: bool, small_cell_threshold: int
) -> HistoryView:
    """The history of its own organisation's grant is told to a user in the applicant's view,
    whatever other roles it holds; otherwise through ``lens``. Refused attempts go to whoever
    holds a role with the full history. Outcome counts are exact when a role it sees the grant
    through says so, else suppressed at the fund's ``small_cell_threshold``.
    """
    through = _holding(user, "own_organisation") if is_own_applicant(user, grant) else ()
    through = through or lens(user, grant, reviewer_assigned)
    applicant = not through or is_applicant_view(through)
    return HistoryView(
        refused_attempts=any(v.history == "full" for v in declared(user.roles)),
        anonymised_roles=panel_roles() if applicant else (),
        notes_marker=any(v.notes != "none" for v in through),
        staff_messages=not applicant,
        count_threshold=None
        if any(v.outcome_counts == "exact" for v in through)
        else small_cell_threshold,
    )


def history_role(user: User, grant: Grant, reviewer_assigned: bool) -> str:
    """The role through which ``user`` reads ``grant``'s history, as ``history_view`` tells it:
    the organisation's own role on its own grant, else the first of ``lens``'s roles."""
    through = _holding(user, "own_organisation") if is_own_applicant(user, grant) else ()
    through = through or lens(user, grant, reviewer_assigned)
    if not through:
        raise NotFound(f"grant {grant.id} does not exist")
    return through[0].role


def may_see_organisation(user: User, organisation_id: int) -> bool:
    """A user sees the organisation it belongs to; roles that see every grant see every one."""
    return user.organisation_id == organisation_id or sees_every_grant(user)


def application_scope(user: User) -> Applications:
    """For which organisation ``user`` may start an application (``none``: it may not)."""
    scopes = {v.applications for v in declared(user.roles)}
    if "own_organisation" in scopes and user.organisation_id is not None:
        return "own_organisation"
    if "any_organisation" in scopes:
        return "any_organisation"
    return "none"


def one_of(roles: tuple[str, ...]) -> str:
    """'a, b or c': the roles a refusal names."""
    if len(roles) < 2:
        return "".join(roles) or "no role"
    return f"{', '.join(roles[:-1])} or {roles[-1]}"


def require_role(user: User, roles: tuple[str, ...], what: str) -> None:
    if not any(role in roles for role in user.roles):
        raise NotPermitted(f"{what} needs one of the roles: {', '.join(roles)}")


def reviewer_assigned(session: Session, user: User, grant_id: int) -> bool:
    """Whether ``user`` is assigned to review the grant, as ``lens`` asks it: the database is
    asked only when ``user`` holds a role that reaches grants by assignment (for anyone else
    the answer changes nothing ``lens`` says, and is False)."""
    if not _holding(user, "assigned_panel"):
        return False
    return (
        session.exec(
            select(ReviewAssignment).where(
                ReviewAssignment.grant_id == grant_id, ReviewAssignment.reviewer_id == user.id
            )
        ).first()
        is not None
    )
