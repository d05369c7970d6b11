"""An organisation's data-governance agreement: read it, propose a change, accept one.

Both parties must consent (``models.data_agreement``): the organisation's signing authority or
the Fund's signing authority proposes, the other accepts. Who may read it: the organisation's
own users and the roles that see every grant. The audit trail records the version and the
names of the terms a proposal changes, never their values.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel

from models import data_agreement as agreements
from models.data_agreement import AgreementTerms
from models.errors import NotFound
from models.tables import Organisation, User
from service.authz import may_see_organisation
from service.deps import CurrentUser, DatabaseDep, OrganisationId
from service.problems import BODY_PROBLEMS, problem_responses

router = APIRouter(
    prefix="/api/v1", tags=["data agreements"], responses=problem_responses(401, 422)
)
AgreementVersionNumber = Annotated[
    int, Path(ge=1, le=1_000_000, description="The agreement version proposed")
]


class AgreementVersionPublic(BaseModel):
    version: int
    purposes: list[str]
    notes_readers: str
    retention_years: int
    secondary_use: str
    at_close: str
    proposed_by_party: str
    proposed_by_id: int | None
    proposed_at: str
    accepted_by_id: int | None
    accepted_at: str | None


class DataAgreementPublic(BaseModel):
    organisation_id: int
    current: AgreementVersionPublic | None
    pending: AgreementVersionPublic | None
    history: list[AgreementVersionPublic]
    # Which party the caller may act for ("organisation", "fund"), or None: may only read.
    your_party: str | None


def _public(version: agreements.DataAgreementVersion | None) -> AgreementVersionPublic | None:
    if version is None:
        return None
    return AgreementVersionPublic(**agreements.version_json(version))


def agreement_view(db: Any, user: User, organisation_id: int) -> DataAgreementPublic:
    """The agreement as ``user`` may see it; NotFound if they may not see the organisation."""
    with db.reading() as session:
        if session.get(Organisation, organisation_id) is None or not may_see_organisation(
            user, organisation_id
        ):
            raise NotFound(f"organisation {organisation_id} does not exist")
        return DataAgreementPublic(
            organisation_id=organisation_id,
            current=_public(agreements.current_version(session, organisation_id)),
            pending=_public(agreements.pending_proposal(session, organisation_id)),
            history=[
                AgreementVersionPublic(**agreements.version_json(v))
                for v in agreements.history(session, organisation_id)
            ],
            your_party=agreements.party_of(session, user, organisation_id),
        )


def _visible(db: Any, user: User, organisation_id: int) -> None:
    with db.reading() as session:
        if session.get(Organisation, organisation_id) is None or not may_see_organisation(
            user, organisation_id
        ):
            raise NotFound(f"organisation {organisation_id} does not exist")


@router.get(
    "/organisations/{organisation_id}/data-agreement",
    response_model=DataAgreementPublic,
    responses=problem_responses(404),
    summary="An organisation's data-governance agreement: in force, waiting, and its history",
)
def read_data_agreement(
    organisation_id: OrganisationId, user: CurrentUser, db: DatabaseDep
) -> DataAgreementPublic:
    """The version in force, the proposal waiting for the other party (if any) and every
    version. The organisation's own users and staff who see every grant may read it."""
    return agreement_view(db, user, organisation_id)


@router.post(
    "/organisations/{organisation_id}/data-agreement/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementVersionPublic,
    responses=problem_responses(*BODY_PROBLEMS, 404, 409),
    summary="Propose new terms (the organisation's or the Fund's signing authority)",
)
def propose_data_agreement(
    organisation_id: OrganisationId,
    body: AgreementTerms,
    user: CurrentUser,
    db: DatabaseDep,
    response: Response,
) -> AgreementVersionPublic:
    """Propose the whole set of terms; they are in force only once the other party accepts.
    One proposal waits at a time (409 while another does); terms equal to those in force are
    refused (422)."""
    _visible(db, user, organisation_id)
    with db.transaction() as session:
        proposal = agreements.propose(session, user, organisation_id, body)
        session.flush()
        public = AgreementVersionPublic(**agreements.version_json(proposal))
    response.headers["Location"] = f"/api/v1/organisations/{organisation_id}/data-agreement"
    return public


@router.post(
    "/organisations/{organisation_id}/data-agreement/proposals/{version}/acceptance",
    response_model=AgreementVersionPublic,
    responses=problem_responses(403, 404, 409),
    summary="Accept the other party's proposal: from now on it is in force",
)
def accept_data_agreement(
    organisation_id: OrganisationId,
    version: AgreementVersionNumber,
    user: CurrentUser,
    db: DatabaseDep,
) -> AgreementVersionPublic:
    """Accept proposal ``version``. Only the party that did not propose it may (409 for the
    proposer's own; 404 for no such proposal)."""
    _visible(db, user, organisation_id)
    with db.transaction() as session:
        accepted = agreements.accept(session, user, organisation_id, version)
        session.flush()
        return AgreementVersionPublic(**agreements.version_json(accepted))
