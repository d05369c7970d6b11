"""The plain snapshot a document builder reads.

Builders never touch the database: the workflow turns the grant's rows into this frozen
snapshot once, so the same snapshot always renders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Language = Literal["en", "fr"]


@dataclass(frozen=True)
class ContactInfo:
    name: str
    title: str
    email: str
    phone: str
    signing_authority: bool


@dataclass(frozen=True)
class OrganisationInfo:
    legal_name: str
    operating_name: str
    business_number: str
    address: str
    language: Language
    contacts: tuple[ContactInfo, ...]


@dataclass(frozen=True)
class FundInfo:
    code: str
    name_en: str
    name_fr: str
    signer_name: str
    signer_title: str
    holdback_bps: int
    initial_payment_bps: int
    insurance_minimum_cents: int
    records_retention_years: int
    offer_days: int
    signer_title_fr: str = ""  # the signer's title in French; empty falls back to signer_title
    notice_address: str = ""  # where notices under an agreement go (Schedule B)
    notice_email: str = ""


@dataclass(frozen=True)
class BudgetLineInfo:
    fiscal_year: int  # the April of the Ontario fiscal year: 2026 means 2026-27
    requested_cents: int
    approved_cents: int | None


@dataclass(frozen=True)
class InstalmentInfo:
    sequence: int
    kind: Literal["initial", "periodic", "holdback"]
    due_date: date
    amount_cents: int
    state: str
    released_at: datetime | None = None


@dataclass(frozen=True)
class ReportInfo:
    sequence: int
    kind: Literal["annual", "final"]
    period_start: date
    period_end: date
    due_date: date
    state: str
    expenditure_cents: int | None = None
    aggregates: Mapping[str, int | None] | None = None  # None value = count not reported


@dataclass(frozen=True)
class CriterionScore:
    criterion: str  # stable key, e.g. "indigenous_governance"
    mean_score: float


@dataclass(frozen=True)
class ReviewInfo:
    panel_size: int
    members_scoring: int
    quorum_required: int
    elder_present: bool
    survivor_advisor_present: bool
    conflicts_declared: int
    members_recused: int
    criteria: tuple[CriterionScore, ...]
    consensus_rating: int | None
    rationale: str
    recommended_cents: int | None
    recommendation: Literal["recommended", "not_recommended"] | None


@dataclass(frozen=True)
class GrantInfo:
    reference: str
    project_title: str
    project_description: str
    community: str
    requested_cents: int
    approved_cents: int | None
    start_date: date
    end_date: date
    risk_rating: Literal["low", "medium", "high"]
    state: str
    submitted_at: datetime | None
    decided_at: datetime | None
    signed_at: datetime | None
    signer_name: str | None
    countersigned_at: datetime | None
    countersigner_name: str | None
    conditions: tuple[str, ...] = ()
    # The title the Fund's signing authority countersigned under, in English and French.
    countersigner_title: str | None = None
    countersigner_title_fr: str | None = None
    # What the recipient signed: the signer's title on file then, and the SHA-256 of the offer
    # (the grant agreement PDF) they signed; None for grants signed before it was recorded.
    signer_title: str | None = None
    signed_offer_sha256: str | None = None


@dataclass(frozen=True)
class DocumentContext:
    """Everything one document needs, fixed at the moment of the action that produced it.

    ``issued_at`` is the time of the audit event (UTC); documents show it in America/Toronto.
    ``details`` carries the action-specific facts a kind documents (see documents/README.md).
    """

    kind: str
    language: Language
    issued_at: datetime
    fund: FundInfo
    organisation: OrganisationInfo
    grant: GrantInfo
    budget: tuple[BudgetLineInfo, ...]
    instalments: tuple[InstalmentInfo, ...] = ()
    reports: tuple[ReportInfo, ...] = ()
    review: ReviewInfo | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
