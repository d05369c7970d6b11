"""The steps that take one fictional grant through its lifecycle, as (action, actor, payload).

A generator, so it reads the grant's instalments and reports only once approval created them.
The same script drives the demo (through Prefect) and the tests (through any runner).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from sqlmodel import select

from models.context import Actor
from models.db import Database
from models.fictional.cast import INSURER
from models.fictional.seeding import Cast
from models.payloads import REVIEW_CRITERIA
from models.tables import Grant, Instalment, Organisation, OutcomeReport, User

Variant = Literal["full", "declined_at_screening", "declined_at_approval", "info_requested"]
Step = tuple[str, Actor, dict[str, Any]]


def actor(user: User) -> Actor:
    return Actor(user.id, user.name, tuple(user.roles), user.organisation_id)  # type: ignore[arg-type]


def _grant(db: Database, grant_id: int) -> Grant:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return grant


def _payable(db: Database, grant_id: int, holdback: bool) -> list[Instalment]:
    """The regular instalments, or the holdback, still to be paid: a holdback that close-out
    withheld (nothing payable) is settled and never paid."""
    with db.reading() as session:
        rows = session.exec(
            select(Instalment).where(Instalment.grant_id == grant_id).order_by(Instalment.sequence)
        )
        return [i for i in rows if (i.kind == "holdback") == holdback and i.state == "scheduled"]


def _reports(db: Database, grant_id: int) -> list[OutcomeReport]:
    with db.reading() as session:
        return list(
            session.exec(
                select(OutcomeReport)
                .where(OutcomeReport.grant_id == grant_id)
                .order_by(OutcomeReport.sequence)
            )
        )


def _review(cast: Cast, scores: int) -> Iterator[Step]:
    for reviewer in cast.reviewers:
        yield "declare_conflict", actor(reviewer), {"kind": "none"}
        yield "score", actor(reviewer), {"scores": dict.fromkeys(REVIEW_CRITERIA, scores)}


def _pay(db: Database, cast: Cast, grant_id: int, holdback: bool) -> Iterator[Step]:
    for instalment in _payable(db, grant_id, holdback):
        ref = {"sequence": instalment.sequence}
        yield "initiate_payment", actor(cast.payments_officer), ref
        yield "release_payment", actor(cast.finance), ref


REVISED = {"en": "(revised)", "fr": "(version révisée)"}
RESOLUTION_ON_FILE = {
    "en": "The signed Board resolution for the second year is now on file.",
    "fr": "La résolution signée du conseil pour la deuxième année est maintenant au dossier.",
}


def amendment(grant: Grant, language: str) -> dict[str, Any]:
    """What the applicant changes after the information request: the title, and the
    description saying the requested resolution is on file."""
    return {
        "project_title": f"{grant.project_title} {REVISED[language]}",
        "project_description": f"{grant.project_description} {RESOLUTION_ON_FILE[language]}",
    }


CONDITION = {
    "en": "Certificate of insurance on file before the first payment.",
    "fr": "Certificat d'assurance au dossier avant le premier versement.",
}


def _language(db: Database, organisation_id: int) -> str:
    with db.reading() as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        return organisation.preferred_language


def steps(db: Database, cast: Cast, grant_id: int, variant: Variant = "full") -> Iterator[Step]:
    grant = _grant(db, grant_id)
    applicant = actor(cast.applicants[grant.organisation_id])
    officer = actor(cast.screening_officer)
    approver = actor(cast.approver)
    yield "submit", applicant, {}
    if variant == "declined_at_screening":
        reason = "The project falls outside the fund's eligible activities for this call."
        yield "decline", officer, {"reason": reason}
        return
    if variant == "info_requested":
        yield "request_info", officer, {"items": ["Signed Board resolution for the 2nd year"]}
        yield "amend_application", applicant, amendment(grant, _language(db, grant.organisation_id))
        yield "submit", applicant, {}
    yield "screen_in", officer, {}
    if variant == "declined_at_approval":
        yield from _review(cast, scores=2)
        yield (
            "not_recommend",
            officer,
            {
                "consensus_rating": 2,
                "rationale": "The panel found the partnership plan not yet ready.",
                "deliberation_notes": "Sealed panel discussion.",
            },
        )
        yield "decline", approver, {"reason": "The panel did not recommend funding this round."}
        return
    yield from _review(cast, scores=4)
    yield (
        "recommend",
        officer,
        {
            "consensus_rating": 4,
            "rationale": "Strong community support, survivor-led design and a sound budget.",
            "recommended_cents": grant.requested_cents,
            "deliberation_notes": "Sealed panel discussion.",
        },
    )
    yield (
        "approve",
        approver,
        {
            "approved_cents": grant.requested_cents,
            "risk_rating": "low" if grant_id % 2 else "medium",
            "conditions": [CONDITION[_language(db, grant.organisation_id)]],
        },
    )
    # The applicant user is the organisation's signing contact: nothing to type.
    yield "sign", applicant, {}
    yield "countersign", approver, {}
    yield (
        "record_insurance",
        actor(cast.payments_officer),
        {
            "certificate_ref": f"CGL-{grant.reference}",
            "insurer": INSURER,
            "coverage_cents": 500_000_000,
        },
    )
    yield from _pay(db, cast, grant_id, holdback=False)
    reports = _reports(db, grant_id)
    approved = _grant(db, grant_id).approved_cents or 0
    spent = [approved // len(reports)] * len(reports)
    spent[-1] += approved - sum(spent)
    for report, expenditure in zip(reports, spent, strict=True):
        yield (
            "submit_report",
            applicant,
            {
                "sequence": report.sequence,
                "expenditure_cents": expenditure,
                "people_served_new": 24 + report.sequence,
                "people_served_continuing": 12,
                "service_contacts": 310,
                "referrals": 18,
                "culturally_based_services": 42,
            },
        )
        yield "accept_report", officer, {"sequence": report.sequence}
    yield "begin_closeout", officer, {}
    yield from _pay(db, cast, grant_id, holdback=True)
    yield "close", approver, {}
