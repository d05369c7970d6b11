"""Use cases that create the things the lifecycle acts on: funds, organisations, users and
draft applications. Each is one transaction and leaves an audit event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlmodel import Session, select

from models.applications import (
    MAX_CENTS,
    Budget,
    Community,
    ProjectDescription,
    ProjectTitle,
    budget_inside_project,
    end_after_start,
    requested_total,
)
from models.clock import as_utc, utcnow
from models.data_agreement import AgreementTerms
from models.data_agreement import record_initial as record_initial_agreement
from models.db import Database
from models.errors import InvalidPayload, NotFound, validate_or_explain
from models.lifecycle import ACTIONS_BY_KEY, ROLES
from models.tables import (
    AuditEvent,
    BudgetLine,
    Contact,
    Fund,
    FundAllocation,
    Grant,
    Organisation,
    User,
)
from models.text_types import (
    ADDRESS_MAX,
    NAME_MAX,
    PERSON_MAX,
    PHONE_MAX,
    REFERENCE_MAX,
    Email,
    FundCode,
    MultiLine,
    SingleLine,
)
from models.visibility import (
    applying_role,
    may_sign_in,
    operator_role,
    organisation_roles,
    system_role,
)


class _Input(BaseModel):
    """Every free-text field is ``SingleLine`` or ``MultiLine`` (models.text_types) with a
    maximum length: what no document can carry is refused here, before anything is stored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactInput(_Input):
    name: SingleLine = Field(min_length=2, max_length=PERSON_MAX)
    title: SingleLine = Field(min_length=2, max_length=PERSON_MAX)
    email: Email
    phone: SingleLine = Field(default="", max_length=PHONE_MAX)
    signing_authority: bool = False
    senior: bool = False


class OrganisationInput(_Input):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Northern Lights Healing Lodge Inc.",
                    "business_number": "100000001RR0001",
                    "preferred_language": "en",
                    "indigenous_led_attested": True,
                    "community_resolution_ref": "BCR-2026-014",
                    "data_governance_consent": True,
                    "contacts": [
                        {
                            "name": "Wren Maplestone",
                            "title": "Executive Director",
                            "email": "lead@example.org",
                            "signing_authority": True,
                            "senior": True,
                        },
                        {
                            "name": "Tobias Reed",
                            "title": "Program Lead",
                            "email": "staff@example.org",
                        },
                    ],
                }
            ]
        },
    )
    legal_name: SingleLine = Field(min_length=2, max_length=NAME_MAX)
    operating_name: SingleLine = Field(default="", max_length=NAME_MAX)
    business_number: str = Field(pattern=r"^\d{9}([A-Z]{2}\d{4})?$", max_length=15)
    address: MultiLine = Field(default="", max_length=ADDRESS_MAX)
    preferred_language: Literal["en", "fr"] = "en"
    indigenous_led_attested: bool
    community_resolution_ref: SingleLine | None = Field(default=None, max_length=REFERENCE_MAX)
    data_governance_consent: bool
    data_agreement_allows_notes: bool = False
    # The data-governance agreement recorded with the registration (version 1); omitted, the
    # protective defaults (``models.data_agreement.AgreementTerms``), with the deliberation
    # notes reaching auditors only if ``data_agreement_allows_notes`` says so.
    data_agreement: AgreementTerms | None = None
    contacts: list[ContactInput] = Field(min_length=2)

    def initial_agreement(self) -> AgreementTerms:
        if self.data_agreement is not None:
            return self.data_agreement
        if self.data_agreement_allows_notes:
            return AgreementTerms(notes_readers="governance_and_auditors")
        return AgreementTerms()

    @model_validator(mode="after")
    def _one_signing_authority(self) -> OrganisationInput:
        if not any(c.signing_authority and c.senior for c in self.contacts):
            raise ValueError("at least one senior contact must have signing authority")
        return self


class FundInput(_Input):
    """A fund's names and signer, as its documents print them."""

    code: FundCode
    name_en: SingleLine = Field(min_length=3, max_length=NAME_MAX)
    name_fr: SingleLine = Field(min_length=3, max_length=NAME_MAX)
    signer_name: SingleLine = Field(min_length=2, max_length=PERSON_MAX)
    signer_title: SingleLine = Field(min_length=2, max_length=PERSON_MAX)
    signer_title_fr: SingleLine = Field(default="", max_length=PERSON_MAX)
    # The address the signing authority signs in with (only they countersign), and where
    # notices under an agreement go. A fund can be made before its signer's account, so the
    # address is not looked up here (``set_fund_signing_authority`` does).
    signer_email: Email | None = None
    notice_address: MultiLine = Field(default="", max_length=ADDRESS_MAX)
    notice_email: Email | None = None


class FundNoticesInput(_Input):
    """Where notices to the Fund go under its agreements (Schedule B)."""

    notice_address: MultiLine = Field(min_length=5, max_length=ADDRESS_MAX)
    notice_email: Email


class FundSignerInput(_Input):
    """The Fund's signing authority: a user's sign-in address and their title."""

    signer_email: Email
    signer_title: SingleLine = Field(min_length=2, max_length=PERSON_MAX)
    signer_title_fr: SingleLine = Field(default="", max_length=PERSON_MAX)


def _table_default(field: str) -> int:
    """A fund term's default is the Fund table's: the one place it is written."""
    default = Fund.model_fields[field].default
    assert isinstance(default, int)
    return default


class FundMoneyTerms(_Input):
    """The money terms a fund is set up with: what the API and the command line accept, the
    bounds a fund's payment plan is built within, and the Fund table's defaults."""

    max_award_cents: int = Field(default=_table_default("max_award_cents"), gt=0, le=MAX_CENTS)
    holdback_bps: int = Field(default=_table_default("holdback_bps"), ge=0, le=5_000)
    initial_payment_bps: int = Field(default=_table_default("initial_payment_bps"), ge=0, le=2_000)


MONEY_TERMS: tuple[str, ...] = tuple(FundMoneyTerms.model_fields)


class UserInput(_Input):
    """What a person is called in grantflow (command line and demo set-up alike), and the
    address they sign in to the pages with (optional; stored lower-case, one per person)."""

    name: SingleLine = Field(min_length=1, max_length=PERSON_MAX)
    email: Email | None = None


def normalised_email(address: str) -> str:
    """The form an address is stored and looked up in: trimmed, lower-case."""
    return address.strip().lower()


def email_taken(session: Session, address: str, but: int | None = None) -> bool:
    """Whether another user (not ``but``) already signs in with ``address``."""
    found = session.exec(select(User).where(User.email == normalised_email(address))).first()
    return found is not None and found.id != but


class ApplicationInput(_Input):
    """An application at intake. Its fields' types and its checks of dates and budget are
    ``models.applications``', shared with the amendment an applicant may make later."""

    fund_code: FundCode
    project_title: ProjectTitle
    project_description: ProjectDescription
    community: Community
    start_date: date
    end_date: date
    budget: Budget

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, end_date: date, info: ValidationInfo) -> date:
        start_date = info.data.get("start_date")
        if start_date is not None:
            end_after_start(start_date, end_date)
        return end_date

    @field_validator("budget")
    @classmethod
    def _budget_inside_project(cls, budget: dict[int, int], info: ValidationInfo) -> dict[int, int]:
        start_date, end_date = info.data.get("start_date"), info.data.get("end_date")
        if start_date is not None and end_date is not None:
            budget_inside_project(budget, start_date, end_date)
        return budget


def validated(model: type[_Input], data: dict | _Input) -> _Input:
    return validate_or_explain(model, data, model.__name__)


def _audit(session: Session, action: str, actor_name: str, role: str, **fields) -> None:
    session.add(AuditEvent(actor_name=actor_name, role=role, action=action, **fields))


def create_fund(
    db: Database,
    *,
    code: str,
    name_en: str,
    name_fr: str,
    call_deadline: datetime,
    signer_name: str,
    signer_title: str,
    allocations: dict[int, int],
    actor_name: str = "system",
    **settings: int | bool | str,
) -> Fund:
    names = validated(
        FundInput,
        {
            "code": code,
            "name_en": name_en,
            "name_fr": name_fr,
            "signer_name": signer_name,
            "signer_title": signer_title,
            "signer_title_fr": settings.pop("signer_title_fr", ""),
            "signer_email": settings.pop("signer_email", None) or None,
            "notice_address": settings.pop("notice_address", ""),
            "notice_email": settings.pop("notice_email", None) or None,
        },
    )
    assert isinstance(names, FundInput)
    terms = validated(FundMoneyTerms, {k: settings.pop(k) for k in MONEY_TERMS if k in settings})
    with db.transaction() as session:
        fund = Fund(
            # An address not given is stored empty (the columns are not nullable).
            **{
                field: "" if value is None else value for field, value in names.model_dump().items()
            },
            **terms.model_dump(),
            call_deadline=as_utc(call_deadline),
            **settings,
        )
        session.add(fund)
        session.flush()
        for fiscal_year, cents in sorted(allocations.items()):
            if cents < 0:
                raise InvalidPayload("allocations must not be negative", [])
            session.add(
                FundAllocation(fund_id=fund.id, fiscal_year=fiscal_year, allocated_cents=cents)
            )
        _audit(
            session,
            "create_fund",
            actor_name,
            operator_role(),
            subject="fund",
            subject_id=fund.id,
            payload_summary={
                "code": code,
                "allocations": {str(k): v for k, v in allocations.items()},
            },
        )
        return fund


def register_organisation(db: Database, data: dict | OrganisationInput) -> Organisation:
    info = validated(OrganisationInput, data)
    assert isinstance(info, OrganisationInput)
    with db.transaction() as session:
        organisation = Organisation(**info.model_dump(exclude={"contacts", "data_agreement"}))
        session.add(organisation)
        session.flush()
        record_initial_agreement(
            session, organisation, info.initial_agreement(), at=organisation.created_at
        )
        for contact in info.contacts:
            session.add(
                Contact(
                    organisation_id=organisation.id,
                    **contact.model_dump(),
                )
            )
        _audit(
            session,
            "register_organisation",
            "system",
            operator_role(),
            subject="organisation",
            subject_id=organisation.id,
            payload_summary={"contacts": len(info.contacts)},
        )
        return organisation


def create_user(
    db: Database,
    *,
    name: str,
    roles: list[str],
    organisation_id: int | None = None,
    is_elder: bool = False,
    is_survivor_advisor: bool = False,
    token_hash: str | None = None,
    email: str | None = None,
) -> User:
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise InvalidPayload(
            f"unknown role(s) {unknown or roles}; roles are: {', '.join(ROLES)}",
            [{"field": "role", "message": "unknown role"}],
        )
    if not may_sign_in(roles):
        raise InvalidPayload(
            f"the role '{system_role()}' is grantflow's own actor, which keeps the deadlines; "
            "no person holds it",
            [{"field": "role", "message": "not a role a person holds"}],
        )
    if set(organisation_roles()) & set(roles) and organisation_id is None:
        raise InvalidPayload(
            "an applicant user belongs to an organisation",
            [{"field": "org", "message": "required for applicants"}],
        )
    person = validated(UserInput, {"name": name, "email": email})
    assert isinstance(person, UserInput)
    address = normalised_email(person.email) if person.email else None
    with db.transaction() as session:
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            raise NotFound(f"organisation {organisation_id} does not exist")
        if address and email_taken(session, address):
            raise InvalidPayload(
                "another user already signs in with this email address",
                [{"field": "email", "message": "already used"}],
            )
        user = User(
            name=person.name,
            email=address,
            roles=list(roles),
            organisation_id=organisation_id,
            is_elder=is_elder,
            is_survivor_advisor=is_survivor_advisor,
            token_hash=token_hash,
        )
        session.add(user)
        session.flush()
        _audit(
            session,
            "create_user",
            "system",
            operator_role(),
            subject="user",
            subject_id=user.id,
            payload_summary={"roles": roles},
        )
        return user


SYSTEM_ACTOR_NAME = "grantflow"


def system_actor(db: Database) -> User:
    """grantflow's own actor (the ``system`` role), made the first time it is needed.

    It takes the actions the declaration gives that role (lapsing an unsigned offer, sending
    a report reminder...), audited like anyone's; it holds no token, password or email, and
    no person can be given its role (``create_user``), so nothing from outside acts as it.
    """
    role = system_role()
    with db.reading() as session:
        found = _system_user(session, role)
    if found is not None:
        return found
    with db.transaction() as session:
        found = _system_user(session, role)  # made meanwhile by another process?
        if found is None:
            found = User(name=SYSTEM_ACTOR_NAME, roles=[role])
            session.add(found)
            session.flush()
        return found


def _system_user(session: Session, role: str) -> User | None:
    for user in session.exec(select(User).where(User.name == SYSTEM_ACTOR_NAME)):
        if user.roles == [role]:
            return user
    return None


def next_reference(session: Session, fund: Fund, now: datetime) -> str:
    number = fund.next_grant_number
    fund.next_grant_number = number + 1
    session.add(fund)
    return f"{fund.code}-{now.year}-{number:04d}"


def create_application(
    db: Database,
    organisation_id: int,
    data: dict | ApplicationInput,
    *,
    actor_name: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Grant:
    info = validated(ApplicationInput, data)
    assert isinstance(info, ApplicationInput)
    moment = as_utc(now or utcnow())
    with db.transaction() as session:
        fund = session.exec(select(Fund).where(Fund.code == info.fund_code)).first()
        if fund is None:
            raise NotFound(f"fund '{info.fund_code}' does not exist")
        if session.get(Organisation, organisation_id) is None:
            raise NotFound(f"organisation {organisation_id} does not exist")
        grant = Grant(
            reference=next_reference(session, fund, moment),
            fund_id=fund.id,
            organisation_id=organisation_id,
            project_title=info.project_title,
            project_description=info.project_description,
            community=info.community,
            requested_cents=requested_total(info.budget),
            start_date=info.start_date,
            end_date=info.end_date,
            created_at=moment,
        )
        session.add(grant)
        session.flush()
        for fiscal_year, cents in sorted(info.budget.items()):
            session.add(
                BudgetLine(grant_id=grant.id, fiscal_year=fiscal_year, requested_cents=cents)
            )
        _audit(
            session,
            "create_application",
            actor_name or applying_role(),
            applying_role(),
            grant_id=grant.id,
            subject="grant",
            subject_id=grant.id,
            actor_id=actor_id,
            to_state=grant.state,
            occurred_at=moment,
            payload_summary={"requested_cents": grant.requested_cents},
        )
        return grant


def _fund_by_code(session: Session, code: str) -> Fund:
    fund = session.exec(select(Fund).where(Fund.code == code.strip().upper())).first()
    if fund is None:
        raise NotFound(f"no fund has the code {code.strip().upper()}")
    return fund


def set_fund_signing_authority(
    db: Database,
    code: str,
    *,
    email: str,
    title: str,
    title_fr: str = "",
    actor_name: str | None = None,
) -> Fund:
    """Make the user who signs in with ``email`` the Fund's signing authority: their name
    and ``title`` are what its letters and agreements print, and only they countersign. The
    user must be active and hold a role that countersigns. Audited."""
    info = validated(
        FundSignerInput, {"signer_email": email, "signer_title": title, "signer_title_fr": title_fr}
    )
    assert isinstance(info, FundSignerInput)
    countersigners = ACTIONS_BY_KEY["countersign"].roles
    with db.transaction() as session:
        fund = _fund_by_code(session, code)
        address = normalised_email(info.signer_email)
        user = session.exec(select(User).where(User.email == address)).first()
        if user is None or not user.active or not set(user.roles) & set(countersigners):
            raise InvalidPayload(
                "the signing authority must be an active user who may countersign "
                f"({', '.join(countersigners)})",
                [{"field": "signer_email", "message": "no such user may countersign"}],
            )
        fund.signer_name = user.name
        fund.signer_email = address
        fund.signer_title = info.signer_title
        fund.signer_title_fr = info.signer_title_fr
        session.add(fund)
        _audit(
            session,
            "set_fund_signing_authority",
            actor_name or operator_role(),
            operator_role(),
            subject="fund",
            subject_id=fund.id,
            payload_summary={"user_id": user.id},
        )
        return fund


def set_fund_notices(
    db: Database, code: str, *, address: str, email: str, actor_name: str | None = None
) -> Fund:
    """Where notices to the Fund go under its agreements (Schedule B). Audited."""
    info = validated(FundNoticesInput, {"notice_address": address, "notice_email": email})
    assert isinstance(info, FundNoticesInput)
    with db.transaction() as session:
        fund = _fund_by_code(session, code)
        fund.notice_address = info.notice_address
        fund.notice_email = normalised_email(info.notice_email)
        session.add(fund)
        _audit(
            session,
            "set_fund_notices",
            actor_name or operator_role(),
            operator_role(),
            subject="fund",
            subject_id=fund.id,
            payload_summary={"fields": ["notice_address", "notice_email"]},
        )
        return fund
