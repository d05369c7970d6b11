"""Who may see what: one place every object route goes through.

An object the caller may not see answers 404 (``NotFound``), exactly like one that does not
exist, so its existence is not revealed; the denial is recorded in the audit trail by the
problem handler. What a caller may *do* comes from the lifecycle declaration (the engine).
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from documents import KINDS
from models.errors import NotFound, NotPermitted
from models.tables import Grant, ReviewAssignment, StoredDocument, User

STAFF_WHO_SEE_ALL = ("officer", "approver", "finance", "auditor", "admin")
WRITERS_OF_SETUP = ("officer", "admin")


def sees_every_grant(user: User) -> bool:
    return any(role in STAFF_WHO_SEE_ALL for role in user.roles)


def visible_grants(user: User, statement: SelectOfScalar) -> SelectOfScalar:
    """Narrow a grant query to what ``user`` may see."""
    if sees_every_grant(user):
        return statement
    conditions = []
    if "applicant" in user.roles and user.organisation_id is not None:
        conditions.append(Grant.organisation_id == user.organisation_id)
    if "reviewer" in user.roles:
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
    grant = session.exec(visible_grants(user, select(Grant).where(Grant.id == grant_id))).first()
    if grant is None:
        raise NotFound(f"grant {grant_id} does not exist")
    return grant


def is_own_applicant(user: User, grant: Grant) -> bool:
    return "applicant" in user.roles and user.organisation_id == grant.organisation_id


def sees_as_applicant(user: User, grant: Grant, reviewer_assigned: bool) -> bool:
    """Whether ``user`` looks at ``grant`` as its applicant (and gets the applicant's view).

    Decided per grant: one person may apply for their organisation and sit on another
    grant's panel; on their own grant they never get more than the applicant's view.
    """
    if is_own_applicant(user, grant):
        return True
    return not sees_every_grant(user) and not reviewer_assigned


def may_see_document(
    user: User, document: StoredDocument, grant: Grant, reviewer_assigned: bool
) -> bool:
    audience = KINDS[document.kind].audience if document.kind in KINDS else "staff"
    if is_own_applicant(user, grant) and not sees_every_grant(user):
        return audience == "applicant"
    if sees_every_grant(user):
        return True
    return reviewer_assigned and audience == "panel"


def require_role(user: User, roles: tuple[str, ...], what: str) -> None:
    if not any(role in roles for role in user.roles):
        raise NotPermitted(f"{what} needs one of the roles: {', '.join(roles)}")


def reviewer_assigned(session: Session, user: User, grant_id: int) -> bool:
    return (
        session.exec(
            select(ReviewAssignment).where(
                ReviewAssignment.grant_id == grant_id, ReviewAssignment.reviewer_id == user.id
            )
        ).first()
        is not None
    )
