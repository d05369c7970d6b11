"""Turn a grant's rows into the frozen snapshot a document builder reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, select

from documents.context import (
    BudgetLineInfo,
    ContactInfo,
    CriterionScore,
    DocumentContext,
    FundInfo,
    GrantInfo,
    InstalmentInfo,
    OrganisationInfo,
    ReportInfo,
    ReviewInfo,
)
from models.clock import as_utc
from models.review import criterion_means, quorum_required, recused_members, scoring_members
from models.tables import (
    Amendment,
    BudgetLine,
    Contact,
    Fund,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    ReviewAssignment,
    ReviewScore,
    User,
)

T = TypeVar("T")


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _copied(info: type[T], row: Any, **differing: Any) -> T:
    """A snapshot ``info`` (a frozen dataclass) of ``row``: every field ``row`` has under the
    same name, times in UTC, plus the ``differing`` ones given."""
    values = {}
    for spec in dataclasses.fields(info):  # type: ignore[arg-type]
        if spec.name in differing or not hasattr(row, spec.name):
            continue
        value = getattr(row, spec.name)
        values[spec.name] = _maybe_utc(value) if isinstance(value, datetime) else value
    return info(**values, **differing)


def _review(session: Session, grant: Grant, fund: Fund) -> ReviewInfo | None:
    assignments = list(
        session.exec(select(ReviewAssignment).where(ReviewAssignment.grant_id == grant.id))
    )
    if not assignments:
        return None
    scores = list(session.exec(select(ReviewScore).where(ReviewScore.grant_id == grant.id)))
    scoring = scoring_members(assignments, scores)
    members = {u.id: u for u in session.exec(select(User).where(User.id.in_(scoring)))}  # type: ignore[union-attr]
    recommendation = grant.state if grant.state in ("recommended", "not_recommended") else None
    return ReviewInfo(
        panel_size=len(assignments),
        members_scoring=len(scoring),
        quorum_required=quorum_required(
            len(assignments), fund.quorum_numerator, fund.quorum_denominator
        ),
        elder_present=any(u.is_elder for u in members.values()),
        survivor_advisor_present=any(u.is_survivor_advisor for u in members.values()),
        conflicts_declared=sum(1 for a in assignments if a.conflict in ("indirect", "direct")),
        members_recused=len(recused_members(assignments)),
        criteria=tuple(
            CriterionScore(c, m)
            for c, m in criterion_means(s for s in scores if s.reviewer_id in scoring)
        ),
        consensus_rating=grant.consensus_rating,
        rationale=grant.review_rationale,
        recommended_cents=grant.recommended_cents,
        recommendation=recommendation,  # type: ignore[arg-type]
    )


def document_context(
    session: Session,
    grant_id: int,
    kind: str,
    language: str,
    issued_at: datetime,
    details: Mapping[str, Any],
) -> DocumentContext:
    grant = session.get(Grant, grant_id)
    assert grant is not None
    fund = session.get(Fund, grant.fund_id)
    organisation = session.get(Organisation, grant.organisation_id)
    assert fund is not None and organisation is not None
    contacts = session.exec(
        select(Contact).where(Contact.organisation_id == organisation.id).order_by(Contact.id)
    )
    countersigner = (
        session.get(User, grant.countersigned_by_id) if grant.countersigned_by_id else None
    )
    budget = session.exec(
        select(BudgetLine).where(BudgetLine.grant_id == grant.id).order_by(BudgetLine.fiscal_year)
    )
    instalments = session.exec(
        select(Instalment).where(Instalment.grant_id == grant.id).order_by(Instalment.sequence)
    )
    reports = session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.grant_id == grant.id)
        .order_by(OutcomeReport.sequence)
    )
    return DocumentContext(
        kind=kind,
        language=language,  # type: ignore[arg-type]
        issued_at=as_utc(issued_at),
        fund=_copied(FundInfo, fund),
        organisation=_copied(
            OrganisationInfo,
            organisation,
            language=organisation.preferred_language,
            contacts=tuple(_copied(ContactInfo, c) for c in contacts),
        ),
        grant=_copied(
            GrantInfo,
            grant,
            countersigner_name=countersigner.name if countersigner else None,
            conditions=tuple(grant.conditions),
        ),
        budget=tuple(
            BudgetLineInfo(b.fiscal_year, b.requested_cents, b.approved_cents) for b in budget
        ),
        instalments=tuple(
            InstalmentInfo(
                i.sequence,
                i.kind,
                i.due_date,
                i.amount_cents,
                i.state,  # type: ignore[arg-type]
                _maybe_utc(i.released_at),
            )
            for i in instalments
        ),
        reports=tuple(
            ReportInfo(
                r.sequence,
                r.kind,
                r.period_start,
                r.period_end,
                r.due_date,
                r.state,  # type: ignore[arg-type]
                r.expenditure_cents,
                dict(r.aggregates) if r.aggregates else None,
            )
            for r in reports
        ),
        review=_review(session, grant, fund),
        details=dict(details),
    )


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else ""


def document_details(
    session: Session, grant_id: int, kind: str, language: str, recorded: Mapping[str, Any]
) -> dict[str, Any]:
    """The action's recorded facts (builders type them, ``documents.builders.common.detail``),
    plus the names of the people a document kind names beyond them."""
    details: dict[str, Any] = dict(recorded)
    grant = session.get(Grant, grant_id)
    assert grant is not None
    if kind == "approval_memo":
        details.update(
            approver_name=_name(session, grant.approved_by_id),
            screening_officer_name=_name(session, grant.screened_by_id),
            coordinator_name=_name(session, grant.coordinator_id),
        )
    if kind == "decision_letter" and grant.offer_expires_on:
        details.setdefault("offer_expires_on", grant.offer_expires_on)
    if kind == "payment_authorization":
        details.setdefault("released_by", None)
    if kind in ("amending_agreement", "executed_amendment"):
        details.update(_amendment_signatures(session, grant, details))
    return details


def _amendment_signatures(
    session: Session, grant: Grant, details: Mapping[str, Any]
) -> dict[str, Any]:
    """Who signed an amendment and when: its audit events record ids only, its row the names."""
    amendment = session.exec(
        select(Amendment).where(
            Amendment.grant_id == grant.id,
            Amendment.sequence == details.get("amendment_sequence"),
        )
    ).first()
    if amendment is None:
        return {}
    contact = session.exec(
        select(Contact).where(
            Contact.organisation_id == grant.organisation_id,
            Contact.name == amendment.signer_name,
            Contact.signing_authority,
        )
    ).first()
    return {
        "signer_name": amendment.signer_name,
        "signer_title": contact.title if contact is not None else None,
        "signed_at": _maybe_utc(amendment.signed_at),
        "countersigner_name": _name(session, amendment.countersigned_by_id),
        "countersigned_at": _maybe_utc(amendment.countersigned_at),
    }
