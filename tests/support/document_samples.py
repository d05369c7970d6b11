"""Fictional document contexts for tests: the shared cast (``models.fictional``) in a grant of
invented amounts and dates."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from documents.context import (
    BudgetLineInfo,
    ContactInfo,
    CriterionScore,
    DocumentContext,
    FundInfo,
    GrantInfo,
    InstalmentInfo,
    Language,
    OrganisationInfo,
    ReportInfo,
    ReviewInfo,
)
from models.amendments import Payment, Terms, replan
from models.fictional.cast import (
    APPROVER,
    FINANCE,
    ORGANISATIONS,
    PAYMENTS_OFFICER,
    SCREENING_OFFICER,
    FictionalOrganisation,
)
from models.fictional.rows import contact_fields, fund_fields, organisation_fields
from models.schedule import plan_instalments, plan_reports
from models.tables import Fund

_LODGE, _YOUTH_CIRCLE = ORGANISATIONS[:2]
SYLLABICS_NAME = _YOUTH_CIRCLE["legal_name"]
SYLLABICS_COMMUNITY = _YOUTH_CIRCLE["community"]
COMMUNITY = _LODGE["community"]
APPROVED_CENTS = 45_012_345
REQUESTED_CENTS = 48_000_000
START_DATE = date(2026, 4, 1)
END_DATE = date(2028, 3, 31)
RISK_RATING = "medium"
BUDGET = (
    BudgetLineInfo(2026, REQUESTED_CENTS // 2, APPROVED_CENTS // 2 + APPROVED_CENTS % 2),
    BudgetLineInfo(2027, REQUESTED_CENTS // 2, APPROVED_CENTS // 2),
)
REFERENCE = "ILIF-2026-0042"

# The shared fund, with the settings a newly created fund has (models.tables.Fund's defaults).
_SETTINGS = Fund(**fund_fields(call_deadline=datetime(2026, 1, 9, tzinfo=UTC)))
# Documents print the signer's name and title, never the address they sign in with.
FUND = FundInfo(
    **{field: value for field, value in fund_fields().items() if field != "signer_email"},
    holdback_bps=_SETTINGS.holdback_bps,
    initial_payment_bps=_SETTINGS.initial_payment_bps,
    insurance_minimum_cents=_SETTINGS.insurance_minimum_cents,
    records_retention_years=_SETTINGS.records_retention_years,
    offer_days=_SETTINGS.offer_days,
)


def organisation_info(
    organisation: FictionalOrganisation, language: Language | None = None
) -> OrganisationInfo:
    """A fictional organisation of the shared cast as documents see it."""
    fields = organisation_fields(organisation)
    return OrganisationInfo(
        legal_name=fields["legal_name"],
        operating_name=fields["operating_name"],
        business_number=fields["business_number"],
        address=fields["address"],
        language=language or fields["preferred_language"],
        contacts=tuple(
            ContactInfo(
                name=contact["name"],
                title=contact["title"],
                email=contact["email"],
                phone=contact["phone"],
                signing_authority=contact.get("signing_authority", False),
            )
            for contact in contact_fields(organisation)
        ),
    )


ORGANISATION = organisation_info(_LODGE)
SIGNER = ORGANISATION.contacts[0]
# The SHA-256 of the offer the signer signed (an invented digest: no file was stored).
SIGNED_OFFER_SHA256 = "5e2c7a1f" * 8
# The syllabics-named organisation, with a French preference so syllabics meet French text.
SYLLABICS_ORGANISATION = organisation_info(_YOUTH_CIRCLE, language="fr")

_TEXT = {
    "en": {
        "title": "Walking Together: Land-Based Healing for Survivors",
        "description": (
            "A two-year program of land-based healing camps, peer mentorship led by survivors, "
            "and prevention workshops in schools across the Aspen Narrows area.\n\n"
            "Elders guide every camp; survivor mentors are paid for their time and expertise."
        ),
        "conditions": (
            "Provide a certificate of insurance naming the Fund as additional insured before "
            "the first payment.",
            "Provide the Band Council Resolution of support before the first payment.",
        ),
        "rationale": (
            "The panel found strong community governance and a clear survivor-led design. "
            "The budget for travel to fly-in communities was reduced by consensus."
        ),
        "items": [
            "Band Council Resolution of support",
            "Signed data-governance consent",
        ],
        "reason": (
            "The call was oversubscribed, and the panel ranked other applications from the "
            "same region higher on partnerships."
        ),
    },
    "fr": {
        "title": "Marcher ensemble : guérison sur le territoire pour les personnes survivantes",
        "description": (
            "Un programme de deux ans de camps de guérison sur le territoire, de mentorat par "
            "des personnes survivantes et d'ateliers de prévention dans les écoles de la région "
            "d'Aspen Narrows.\n\n"
            "Des Aînés guident chaque camp ; les mentores sont rémunérées pour leur expertise."
        ),
        "conditions": (
            "Fournir un certificat d'assurance désignant le Fonds comme assuré additionnel "
            "avant le premier paiement.",
            "Fournir la résolution d'appui du conseil de bande avant le premier paiement.",
        ),
        "rationale": (
            "Le comité a constaté une solide gouvernance communautaire et une conception "
            "dirigée par des personnes survivantes. Le budget de déplacement a été réduit."
        ),
        "items": [
            "Résolution d'appui du conseil de bande",
            "Consentement signé relatif à la gouvernance des données",
        ],
        "reason": (
            "L'appel a reçu plus de demandes que de fonds disponibles, et le comité a mieux "
            "classé d'autres demandes de la même région pour les partenariats."
        ),
    },
}

PRE_SIGNATURE = {
    "acknowledgement_of_receipt",
    "deficiency_notice",
    "review_summary",
    "approval_memo",
    "decision_letter",
    "decline_letter",
    "grant_agreement",
    "lapse_notice",
}

ISSUED_AT = {
    "acknowledgement_of_receipt": datetime(2026, 1, 16, 15, 0, tzinfo=UTC),
    "deficiency_notice": datetime(2026, 1, 20, 14, 0, tzinfo=UTC),
    "review_summary": datetime(2026, 2, 27, 20, 0, tzinfo=UTC),
    "approval_memo": datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
    "decision_letter": datetime(2026, 3, 10, 16, 5, tzinfo=UTC),
    "decline_letter": datetime(2026, 3, 10, 16, 5, tzinfo=UTC),
    "grant_agreement": datetime(2026, 3, 10, 16, 10, tzinfo=UTC),
    "lapse_notice": datetime(2026, 4, 10, 14, 0, tzinfo=UTC),
    "executed_agreement": datetime(2026, 3, 24, 13, 0, tzinfo=UTC),
    "payment_authorization": datetime(2026, 10, 1, 14, 0, tzinfo=UTC),
    "remittance_advice": datetime(2026, 10, 2, 15, 0, tzinfo=UTC),
    "report_receipt": datetime(2028, 6, 20, 18, 45, tzinfo=UTC),
    "report_reminder": datetime(2028, 6, 15, 12, 0, tzinfo=UTC),
    "overdue_notice": datetime(2027, 7, 4, 12, 0, tzinfo=UTC),
    "reconciliation_letter": datetime(2028, 8, 1, 14, 0, tzinfo=UTC),
    "holdback_release_letter": datetime(2028, 8, 15, 14, 0, tzinfo=UTC),
    "closeout_certificate": datetime(2028, 9, 30, 19, 0, tzinfo=UTC),
    "amending_agreement": datetime(2027, 1, 15, 15, 0, tzinfo=UTC),
    "executed_amendment": datetime(2027, 2, 1, 16, 0, tzinfo=UTC),
}


def instalments() -> tuple[InstalmentInfo, ...]:
    """The sample grant's payment plan (``models.schedule``: an initial payment due on its start
    day, taking in the first half-year, then a half-year each, the holdback charged to 2027-28),
    its first two instalments paid."""
    plan = plan_instalments(
        APPROVED_CENTS,
        {line.fiscal_year: line.approved_cents or 0 for line in BUDGET},
        START_DATE,
        END_DATE,
        RISK_RATING,
        FUND.initial_payment_bps,
        FUND.holdback_bps,
        initial_due=START_DATE,
    )
    released = {
        1: datetime(2026, 4, 1, 15, 0, tzinfo=UTC),
        2: datetime(2026, 10, 2, 15, 0, tzinfo=UTC),
    }
    return tuple(
        InstalmentInfo(
            i.sequence,
            i.kind,  # type: ignore[arg-type]
            i.due_date,
            i.amount_cents,
            "released" if i.sequence in released else "scheduled",
            released.get(i.sequence),
        )
        for i in plan
    )


REPORTS = (
    ReportInfo(
        1, "annual", date(2026, 4, 1), date(2027, 3, 31), date(2027, 6, 29), "accepted",
        expenditure_cents=21_950_000,
        aggregates={
            "people_served_new": 37,
            "people_served_continuing": 22,
            "service_contacts": 1_412,
            "referrals": 18,
            "culturally_based_services": 96,
        },
    ),
    ReportInfo(
        2, "final", date(2027, 4, 1), date(2028, 3, 31), date(2028, 6, 29), "submitted",
        expenditure_cents=17_950_000,
        aggregates={
            "people_served_new": 41,
            "people_served_continuing": None,
            "service_contacts": 1_288,
            "referrals": 23,
            "culturally_based_services": 104,
        },
    ),
)  # fmt: skip

REVIEW = ReviewInfo(
    panel_size=7,
    members_scoring=6,
    quorum_required=5,
    elder_present=True,
    survivor_advisor_present=True,
    conflicts_declared=1,
    members_recused=1,
    criteria=tuple(
        CriterionScore(key, mean)
        for key, mean in (
            ("indigenous_governance", 4.67),
            ("survivor_centred", 4.5),
            ("cultural_grounding", 4.83),
            ("need_and_reach", 4.17),
            ("partnerships", 3.67),
            ("feasibility_budget", 3.83),
            ("evaluation_ocap", 4.0),
        )
    ),
    consensus_rating=4,
    rationale="",
    recommended_cents=APPROVED_CENTS,
    recommendation="recommended",
)


# Amendment 1 of the sample grant: six months more and $25,000 more, each with its reason.
AMENDED_END_DATE = date(2028, 9, 30)
AMENDED_CENTS = APPROVED_CENTS + 2_500_000
_AMENDMENT_REASONS = {
    "en": (
        "A second healing camp site opens in the extended term.",
        "The second site’s first camps run in the spring and summer of 2028.",
    ),
    "fr": (
        "Un deuxième site de camps de guérison ouvre pendant la période prolongée.",
        "Les premiers camps du deuxième site ont lieu au printemps et à l’été 2028.",
    ),
}


def _amendment_details(kind: str, language: Language) -> dict[str, Any]:
    """What approve_amendment and countersign_amendment record for amendment 1, re-planned by
    ``models.amendments`` from the sample plan with its first two instalments paid."""
    plan = instalments()
    paid = [i for i in plan if i.state == "released"]
    after = Terms(AMENDED_CENTS, AMENDED_END_DATE, 90, 60)
    replanned = replan(
        start=START_DATE,
        terms_after=after,
        lines_before={line.fiscal_year: line.approved_cents or 0 for line in BUDGET},
        fixed=[Payment(i.kind, i.due_date, i.amount_cents) for i in paid],
        unpaid_initial=None,
        risk_rating=RISK_RATING,
        holdback_bps=FUND.holdback_bps,
    )
    amount_reason, date_reason = _AMENDMENT_REASONS[language]
    executed = kind == "executed_amendment"
    numbers = iter(range(len(plan) + 1, len(plan) + 10))
    unpaid = [i.sequence for i in plan if i.state != "released"]
    planned = []
    for index, part in enumerate(replanned.parts):
        sequence = (unpaid[index] if index < len(unpaid) else next(numbers)) if executed else None
        planned.append(
            {
                "sequence": sequence,
                "kind": part.kind,
                "due_date": part.due_date.isoformat(),
                "amount_cents": part.amount_cents,
                "state": "scheduled",
            }
        )
    reports = plan_reports(START_DATE, AMENDED_END_DATE)
    details: dict[str, Any] = {
        "amendment_sequence": 1,
        "changes": [
            {
                "term": "approved_cents",
                "before": APPROVED_CENTS,
                "after": AMENDED_CENTS,
                "reason": amount_reason,
            },
            {
                "term": "end_date",
                "before": END_DATE.isoformat(),
                "after": AMENDED_END_DATE.isoformat(),
                "reason": date_reason,
            },
        ],
        "paid_instalments": [
            {
                "sequence": i.sequence,
                "kind": i.kind,
                "due_date": i.due_date.isoformat(),
                "amount_cents": i.amount_cents,
                "state": i.state,
            }
            for i in paid
        ],
        "planned_instalments": planned,
        "kept_reports": [],
        "planned_reports": [
            {
                "sequence": r.sequence if executed else None,
                "kind": r.kind,
                "period_start": r.period_start.isoformat(),
                "period_end": r.period_end.isoformat(),
                "due_date": r.due_date.isoformat(),
                "state": "due",
            }
            for r in reports
        ],
    }
    if executed:
        details.update(
            signer_name=SIGNER.name,
            signer_title=SIGNER.title,
            signed_at=datetime(2027, 1, 25, 15, 0, tzinfo=UTC),
            countersigner_name=FUND.signer_name,
            countersigned_at=datetime(2027, 2, 1, 16, 0, tzinfo=UTC),
        )
    return details


def _details(kind: str, language: Language, issued: datetime) -> dict[str, Any]:
    if kind in ("amending_agreement", "executed_amendment"):
        return _amendment_details(kind, language)
    text = _TEXT[language]
    paid_before_holdback = APPROVED_CENTS - instalments()[-1].amount_cents
    plan = instalments()
    return {
        "deficiency_notice": {
            "items": list(text["items"]),
            "cure_by": issued.date() + timedelta(days=10),
        },
        "approval_memo": {
            "approver_name": APPROVER.name,
            "screening_officer_name": SCREENING_OFFICER.name,
            "coordinator_name": PAYMENTS_OFFICER.name,
        },
        "decision_letter": {"offer_expires_on": issued.date() + timedelta(days=FUND.offer_days)},
        "decline_letter": {"reason": text["reason"], "stage": "approval"},
        "payment_authorization": {
            "instalment_sequence": 2,
            "initiated_by": PAYMENTS_OFFICER.name,
            "released_by": FINANCE.name,
        },
        "remittance_advice": {
            "instalment_sequence": 2,
            "released_on": date(2026, 10, 2),
            "paid_to_date_cents": plan[0].amount_cents + plan[1].amount_cents,
            "remaining_cents": APPROVED_CENTS - plan[0].amount_cents - plan[1].amount_cents,
        },
        "report_receipt": {
            "report_sequence": 2,
            "received_at": datetime(2028, 6, 20, 18, 45, tzinfo=UTC),
        },
        "report_reminder": {"report_sequence": 2, "days_before": 14},
        # Report 1 (due June 29, 2027) five days late: the two periodic instalments still
        # scheduled are on hold.
        "overdue_notice": {"report_sequence": 1, "days_overdue": 5, "held_instalments": [3, 4]},
        # The offer of the decision letter's sample, never signed.
        "lapse_notice": {
            "offer_expires_on": date(2026, 3, 10) + timedelta(days=FUND.offer_days),
            "released_commitment_cents": APPROVED_CENTS,
        },
        # Underspent: the instalments paid exceed the expenditure, so the whole holdback is
        # withheld and the difference is owed back (models.settlement).
        "reconciliation_letter": {
            "paid_cents": paid_before_holdback,
            "reported_expenditure_cents": 39_900_000,
            "unspent_cents": APPROVED_CENTS - 39_900_000,
            "holdback_planned_cents": plan[-1].amount_cents,
            "holdback_payable_cents": 0,
            "holdback_withheld_cents": plan[-1].amount_cents,
            "holdback_released_cents": 0,
            "repayment_due_cents": paid_before_holdback - 39_900_000,
            "repayment_due_by": date(2028, 9, 30),
        },
        # Fully spent: the holdback is paid in full.
        "holdback_release_letter": {
            "approved_cents": APPROVED_CENTS,
            "paid_cents": paid_before_holdback,
            "reported_expenditure_cents": APPROVED_CENTS,
            "holdback_planned_cents": plan[-1].amount_cents,
            "holdback_payable_cents": plan[-1].amount_cents,
            "holdback_released_cents": plan[-1].amount_cents,
            "holdback_withheld_cents": 0,
            "repayment_due_cents": 0,
            "released_on": date(2028, 8, 15),
            "paid_total_cents": APPROVED_CENTS,
        },
        "closeout_certificate": {
            "closed_on": date(2028, 9, 30),
            "paid_total_cents": APPROVED_CENTS,
            "reports_accepted": 2,
            # What models.data_return recorded at close (names and counts only).
            "data_return": {
                "at_close": "return_and_delete",
                "agreement_version": 2,
                "returned": {"review_rationale": 1, "deliberation_notes": 1, "conflict_notes": 2},
                "deleted": {
                    "review_rationale": 1,
                    "deliberation_notes": 1,
                    "conflict_notes": 2,
                    "request_payloads": 3,
                    "document_snapshots": 4,
                    "documents": 2,
                },
                "kept": ["audit_trail"],
            },
        },
    }.get(kind, {})


def sample_grant(kind: str, language: Language) -> GrantInfo:
    text = _TEXT[language]
    signed = kind not in PRE_SIGNATURE
    return GrantInfo(
        reference=REFERENCE,
        project_title=text["title"],
        project_description=text["description"],
        community=COMMUNITY,
        requested_cents=REQUESTED_CENTS,
        approved_cents=APPROVED_CENTS,
        start_date=START_DATE,
        end_date=END_DATE,
        risk_rating=RISK_RATING,
        state="active",
        submitted_at=datetime(2026, 1, 15, 19, 30, tzinfo=UTC),
        decided_at=datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
        signed_at=datetime(2026, 3, 20, 15, 0, tzinfo=UTC) if signed else None,
        signer_name=SIGNER.name if signed else None,
        countersigned_at=datetime(2026, 3, 24, 13, 0, tzinfo=UTC) if signed else None,
        countersigner_name=FUND.signer_name if signed else None,
        countersigner_title=FUND.signer_title if signed else None,
        countersigner_title_fr=FUND.signer_title_fr if signed else None,
        signer_title=SIGNER.title if signed else None,
        signed_offer_sha256=SIGNED_OFFER_SHA256 if signed else None,
        conditions=text["conditions"],
    )


def sample_context(kind: str, language: Language = "en", **overrides: Any) -> DocumentContext:
    """A complete, fictional context for ``kind``; ``overrides`` replace context fields,
    except ``details``, which is merged into the kind's sample details."""
    issued = overrides.pop("issued_at", ISSUED_AT.get(kind, datetime(2026, 3, 10, 16, tzinfo=UTC)))
    details = _details(kind, language, issued) | dict(overrides.pop("details", {}))
    review = dataclasses.replace(REVIEW, rationale=_TEXT[language]["rationale"])
    ctx = DocumentContext(
        kind=kind,
        language=language,
        issued_at=issued,
        fund=FUND,
        organisation=dataclasses.replace(ORGANISATION, language=language),
        grant=sample_grant(kind, language),
        budget=BUDGET,
        instalments=instalments(),
        reports=REPORTS,
        review=review,
        details=details,
    )
    return dataclasses.replace(ctx, **overrides)
