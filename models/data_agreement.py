"""Each organisation's data-governance agreement: versioned, append-only, changed only when
both parties consent (DOMAIN, "Indigenous data sovereignty").

Version 1 is recorded when the organisation is registered, with the protective defaults below.
After that one party proposes a new version and the other accepts it; only an accepted version
is in force. A version is never changed or removed (database triggers refuse it, migration
0009): accepting a proposal is the one change allowed, and it only fills in who accepted it
and when. At most one proposal waits at a time.

The parties: the organisation's signing authority (an applicant user of that organisation
whose sign-in address is a contact's with signing authority) and the Fund's signing authority
(a user whose sign-in address is a Fund's ``signer_email`` and who holds the countersigning
role). Whoever proposes, the other side accepts.

What it governs, and where grantflow enforces it:
- ``notes_readers``: who may read the community review's deliberation notes beyond the panel
  (``models.visibility.dossier_includes_notes``: only "governance_and_auditors" puts them in an
  auditor's dossier);
- ``purposes`` and ``secondary_use``: what the organisation's data may be used for;
  ``allows_purpose`` answers it for a purpose (the fund's aggregate reporting asks it);
- ``retention_years`` (at least the legal seven) and ``at_close`` (what happens to the
  deletable review content when the grant closes: ``models.data_return``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, select

from models.clock import utcnow
from models.errors import ActionRejected, NotFound, NotPermitted, validate_or_explain
from models.tables import AuditEvent, Contact, Fund, Organisation, User

Purpose = Literal[
    "grant_administration", "program_evaluation_aggregate", "ministry_reporting_aggregate"
]
NotesReaders = Literal["none", "governance_body", "governance_and_auditors"]
SecondaryUse = Literal["none", "aggregate_only", "with_consent"]
AtClose = Literal["return_and_delete", "destroy", "keep"]

PURPOSES: tuple[str, ...] = get_args(Purpose)
NOTES_READERS: tuple[str, ...] = get_args(NotesReaders)
SECONDARY_USES: tuple[str, ...] = get_args(SecondaryUse)
AT_CLOSE: tuple[str, ...] = get_args(AtClose)
# Financial records and agreements are kept seven years by law; an agreement cannot ask less.
LEGAL_RETENTION_YEARS = 7
MAX_RETENTION_YEARS = 25
# The purposes that publish the organisation's figures beyond the Fund, only ever in aggregate.
AGGREGATE_PURPOSES: frozenset[str] = frozenset(
    {"program_evaluation_aggregate", "ministry_reporting_aggregate"}
)
# The agreement's fields, in the order the history shows them; the audit trail names the ones a
# proposal changes, never their values.
TERMS: tuple[str, ...] = (
    "purposes",
    "notes_readers",
    "retention_years",
    "secondary_use",
    "at_close",
)


class AgreementTerms(BaseModel):
    """The terms of one version. The defaults protect the organisation: its data is used to
    administer its grant only, nobody outside the panel and its governance body reads the
    deliberation notes, nothing is reused, and at close its review content is returned to it
    and deleted."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    purposes: list[Purpose] = Field(default_factory=lambda: ["grant_administration"], min_length=1)
    notes_readers: NotesReaders = "governance_body"
    retention_years: int = Field(
        default=LEGAL_RETENTION_YEARS, ge=LEGAL_RETENTION_YEARS, le=MAX_RETENTION_YEARS
    )
    secondary_use: SecondaryUse = "none"
    at_close: AtClose = "return_and_delete"

    @field_validator("purposes")
    @classmethod
    def _administration_first_no_repeats(cls, purposes: list[str]) -> list[str]:
        if "grant_administration" not in purposes:
            raise ValueError("a grant cannot be administered without 'grant_administration'")
        if len(set(purposes)) != len(purposes):
            raise ValueError("each purpose is listed once")
        return sorted(purposes, key=PURPOSES.index)


class DataAgreementVersion(SQLModel, table=True):
    """One version of an organisation's agreement: proposed, then (once) accepted."""

    __tablename__ = "data_agreement_version"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)
    id: int | None = SQLField(default=None, primary_key=True)
    organisation_id: int = SQLField(foreign_key="organisation.id", index=True)
    version: int
    purposes: list[str] = SQLField(sa_column=Column(JSON, nullable=False))
    notes_readers: str = SQLField(max_length=32)
    retention_years: int
    secondary_use: str = SQLField(max_length=32)
    at_close: str = SQLField(max_length=32)
    # "organisation" or "fund": which party proposed it (the other accepts).
    proposed_by_party: str = SQLField(max_length=16)
    proposed_by_id: int | None = SQLField(default=None, foreign_key="user.id")
    proposed_at: datetime = SQLField(default_factory=utcnow)
    accepted_by_id: int | None = SQLField(default=None, foreign_key="user.id")
    accepted_at: datetime | None = None

    def terms(self) -> AgreementTerms:
        return AgreementTerms(
            purposes=self.purposes,  # type: ignore[arg-type]
            notes_readers=self.notes_readers,  # type: ignore[arg-type]
            retention_years=self.retention_years,
            secondary_use=self.secondary_use,  # type: ignore[arg-type]
            at_close=self.at_close,  # type: ignore[arg-type]
        )


class ProposalPending(ActionRejected):
    status = 409
    code = "agreement-proposal-pending"
    title = "A proposal to change the data agreement is already waiting"


class NoSuchProposal(ActionRejected):
    status = 404
    code = "agreement-proposal-not-found"
    title = "No such proposal to change the data agreement"


class ProposalAlreadyDecided(ActionRejected):
    status = 409
    code = "agreement-proposal-decided"
    title = "This proposal is not waiting for acceptance"


class OwnProposal(ActionRejected):
    status = 409
    code = "agreement-own-proposal"
    title = "The other party must accept this proposal"


class NothingChanged(ActionRejected):
    status = 422
    code = "agreement-unchanged"
    title = "The proposal changes nothing"


def _versions(session: Session, organisation_id: int) -> list[DataAgreementVersion]:
    return list(
        session.exec(
            select(DataAgreementVersion)
            .where(DataAgreementVersion.organisation_id == organisation_id)
            .order_by(DataAgreementVersion.version)  # type: ignore[arg-type]
        ).all()
    )


def current_version(session: Session, organisation_id: int) -> DataAgreementVersion | None:
    """The accepted version in force (the latest accepted), or None if none was ever recorded."""
    accepted = [v for v in _versions(session, organisation_id) if v.accepted_at is not None]
    return accepted[-1] if accepted else None


def current_terms(session: Session, organisation_id: int) -> AgreementTerms:
    """The terms in force; an organisation with no recorded version gets the protective
    defaults (fails closed: notes to nobody beyond its governance body, no reuse)."""
    found = current_version(session, organisation_id)
    return found.terms() if found is not None else AgreementTerms()


def pending_proposal(session: Session, organisation_id: int) -> DataAgreementVersion | None:
    return next((v for v in _versions(session, organisation_id) if v.accepted_at is None), None)


def history(session: Session, organisation_id: int) -> list[DataAgreementVersion]:
    """Every version, accepted or waiting, oldest first."""
    return _versions(session, organisation_id)


def allows_purpose(session: Session, organisation_id: int, purpose: str) -> bool:
    """Whether the agreement in force lets the organisation's data serve ``purpose``.

    A purpose published beyond the Fund (program evaluation, reporting to the ministry) is
    allowed only in aggregate and only if the agreement lists it and its secondary use is not
    "none" for evaluation; an unknown purpose is refused (fails closed)."""
    if purpose not in PURPOSES:
        return False
    terms = current_terms(session, organisation_id)
    if purpose not in terms.purposes:
        return False
    if purpose == "program_evaluation_aggregate":
        return terms.secondary_use != "none"
    return True


def record_initial(
    session: Session, organisation: Organisation, terms: AgreementTerms, *, at: datetime
) -> DataAgreementVersion:
    """Version 1, in force from registration (the registration is both parties' act)."""
    first = DataAgreementVersion(
        organisation_id=organisation.id,  # type: ignore[arg-type]
        version=1,
        **_columns(terms),
        proposed_by_party="registration",
        proposed_at=at,
        accepted_at=at,
    )
    session.add(first)
    return first


def _columns(terms: AgreementTerms) -> dict[str, Any]:
    return {
        "purposes": list(terms.purposes),
        "notes_readers": terms.notes_readers,
        "retention_years": terms.retention_years,
        "secondary_use": terms.secondary_use,
        "at_close": terms.at_close,
    }


def party_of(session: Session, user: User, organisation_id: int) -> str | None:
    """ "organisation", "fund" or None: which party ``user`` may act for on this agreement."""
    if not user.active or not user.email:
        return None
    address = user.email.strip().lower()
    from models.visibility import organisation_roles  # the roles that act for one organisation

    if user.organisation_id == organisation_id and any(
        role in organisation_roles() for role in user.roles
    ):
        signers = session.exec(
            select(Contact).where(
                Contact.organisation_id == organisation_id, Contact.signing_authority
            )
        ).all()
        if any(c.email.strip().lower() == address for c in signers):
            return "organisation"
        return None
    from models.lifecycle import ACTIONS_BY_KEY  # the countersigning role(s), declared once

    countersigners = ACTIONS_BY_KEY["countersign"].roles
    if any(role in user.roles for role in countersigners):
        funds = session.exec(select(Fund.signer_email)).all()
        if any(e and e.strip().lower() == address for e in funds):
            return "fund"
    return None


def _require_party(session: Session, user: User, organisation_id: int) -> str:
    party = party_of(session, user, organisation_id)
    if party is None:
        raise NotPermitted(
            "only the organisation's signing authority or the Fund's signing authority may "
            "propose or accept a change to its data agreement"
        )
    return party


def _organisation(session: Session, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound(f"organisation {organisation_id} not found")
    return found


def _event(session: Session, user: User, action: str, organisation_id: int, summary: dict) -> None:
    session.add(
        AuditEvent(
            subject="organisation",
            subject_id=organisation_id,
            actor_id=user.id,
            actor_name=user.name,
            role=next(iter(user.roles), ""),
            action=action,
            payload_summary=summary,
        )
    )


def propose(
    session: Session, user: User, organisation_id: int, data: dict | AgreementTerms
) -> DataAgreementVersion:
    """Record ``user``'s proposal of new terms; in force once the other party accepts."""
    _organisation(session, organisation_id)
    party = _require_party(session, user, organisation_id)
    terms = validate_or_explain(AgreementTerms, data, "data agreement")
    if pending_proposal(session, organisation_id) is not None:
        raise ProposalPending(
            "a proposal is already waiting for acceptance; it must be accepted before another"
        )
    in_force = current_terms(session, organisation_id)
    changed = [name for name in TERMS if getattr(terms, name) != getattr(in_force, name)]
    if not changed:
        raise NothingChanged("the proposed terms are those in force")
    versions = _versions(session, organisation_id)
    proposal = DataAgreementVersion(
        organisation_id=organisation_id,
        version=(versions[-1].version + 1) if versions else 1,
        **_columns(terms),
        proposed_by_party=party,
        proposed_by_id=user.id,
        proposed_at=utcnow(),
    )
    session.add(proposal)
    session.flush()
    _event(
        session,
        user,
        "propose_data_agreement",
        organisation_id,
        {"version": proposal.version, "party": party, "fields": changed},
    )
    return proposal


def accept(
    session: Session, user: User, organisation_id: int, version: int
) -> DataAgreementVersion:
    """The other party's acceptance of proposal ``version``: from now on it is in force."""
    _organisation(session, organisation_id)
    party = _require_party(session, user, organisation_id)
    proposal = next((v for v in _versions(session, organisation_id) if v.version == version), None)
    if proposal is None:
        raise NoSuchProposal(f"organisation {organisation_id} has no proposal {version}")
    if proposal.accepted_at is not None:
        raise ProposalAlreadyDecided(f"version {version} is already in force or superseded")
    if proposal.proposed_by_party == party:
        raise OwnProposal(f"the {party}'s own proposal is accepted by the other party")
    proposal.accepted_by_id = user.id
    proposal.accepted_at = utcnow()
    session.add(proposal)
    _event(
        session,
        user,
        "accept_data_agreement",
        organisation_id,
        {"version": version, "party": party},
    )
    return proposal


def version_json(version: DataAgreementVersion) -> dict[str, Any]:
    """One version as the API and the export show it."""
    return {
        "version": version.version,
        **_columns(version.terms()),
        "proposed_by_party": version.proposed_by_party,
        "proposed_by_id": version.proposed_by_id,
        "proposed_at": version.proposed_at.isoformat(),
        "accepted_by_id": version.accepted_by_id,
        "accepted_at": version.accepted_at.isoformat() if version.accepted_at else None,
    }
