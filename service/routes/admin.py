"""Setting up what the lifecycle acts on: funds and organisations."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlmodel import select

from models.errors import NotFound
from models.provisioning import OrganisationInput, create_fund, register_organisation
from models.tables import Fund, Organisation
from models.visibility import setting_up
from service.authz import may_see_organisation, one_of, require_role
from service.deps import CurrentUser, DatabaseDep, OrganisationId
from service.problems import BODY_PROBLEMS, problem_responses
from service.schemas import FundPublic, FundRequest, OrganisationPublic

router = APIRouter(prefix="/api/v1", tags=["setup"], responses=problem_responses(401, 422))


@router.post(
    "/funds",
    status_code=status.HTTP_201_CREATED,
    response_model=FundPublic,
    responses=problem_responses(*BODY_PROBLEMS),
    summary=f"Create a fund with its allocation per fiscal year ({one_of(setting_up('funds'))})",
)
def create_fund_route(
    body: FundRequest, user: CurrentUser, db: DatabaseDep, response: Response
) -> FundPublic:
    """Create a fund with its allocation (in cents) per Ontario fiscal year. Admins only."""
    require_role(user, setting_up("funds"), "creating a fund")
    with db.reading() as session:
        if session.exec(select(Fund).where(Fund.code == body.code)).first():
            from models.errors import InvalidPayload

            raise InvalidPayload(
                f"a fund with code {body.code} already exists",
                [{"field": "code", "message": "already used"}],
            )
    fund = create_fund(db, actor_name=user.name, **body.model_dump())
    response.headers["Location"] = f"/api/v1/funds/{fund.id}"
    return FundPublic.model_validate(fund, from_attributes=True)


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses=problem_responses(*BODY_PROBLEMS),
    summary=f"Register an organisation ({one_of(setting_up('organisations'))})",
)
def register_organisation_route(
    body: OrganisationInput, user: CurrentUser, db: DatabaseDep, response: Response
) -> OrganisationPublic:
    """Register an applicant organisation: legal and operating names, CRA business number, at least
    two contacts with one senior signing authority, preferred language, Indigenous-led
    attestation and data-governance consent.
    """
    require_role(user, setting_up("organisations"), "registering an organisation")
    organisation = register_organisation(db, body)
    response.headers["Location"] = f"/api/v1/organisations/{organisation.id}"
    return OrganisationPublic.model_validate(organisation, from_attributes=True)


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    responses=problem_responses(404),
    summary="An organisation (staff, or its own applicants)",
)
def read_organisation(
    organisation_id: OrganisationId, user: CurrentUser, db: DatabaseDep
) -> OrganisationPublic:
    """An organisation's registration. Staff see every organisation; an applicant sees its own."""
    with db.reading() as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None or not may_see_organisation(user, organisation_id):
            raise NotFound(f"organisation {organisation_id} does not exist")
        return OrganisationPublic.model_validate(organisation, from_attributes=True)
