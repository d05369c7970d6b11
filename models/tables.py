"""SQLModel tables. Money is integer cents of CAD; times are UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from models.audit_leaves import seal_audit_events
from models.clock import utcnow
from models.governed import GovernedState


class Fund(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name_en: str
    name_fr: str
    call_deadline: datetime
    max_award_cents: int = 185_000_000
    holdback_bps: int = 1_000
    initial_payment_bps: int = 2_000
    insurance_minimum_cents: int = 200_000_000
    records_retention_years: int = 7
    offer_days: int = 30
    cure_period_days: int = 10
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    require_elder: bool = True
    require_survivor_advisor: bool = True
    small_cell_threshold: int = 10
    # The Fund's signing authority: the person who signs its letters and countersigns its
    # agreements. ``signer_email`` is the address they sign in with; only that user may
    # countersign (models.guards.countersigner_is_fund_signing_authority).
    signer_name: str
    signer_title: str
    signer_title_fr: str = ""
    signer_email: str = Field(default="", max_length=254)
    # Where notices under an agreement go (Schedule B): a postal address and an email.
    notice_address: str = Field(default="", max_length=500)
    notice_email: str = Field(default="", max_length=254)
    staff_language: str = "en"
    next_grant_number: int = 1


class FundAllocation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("fund_id", "fiscal_year"),
        CheckConstraint("committed_cents <= allocated_cents", name="allocation_not_exceeded"),
        CheckConstraint("committed_cents >= 0", name="allocation_commitment_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    fiscal_year: int
    allocated_cents: int
    committed_cents: int = 0


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    legal_name: str
    operating_name: str
    business_number: str
    address: str = ""
    preferred_language: str = "en"
    indigenous_led_attested: bool = False
    community_resolution_ref: str | None = None
    data_governance_consent: bool = False
    data_agreement_allows_notes: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Contact(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str
    title: str
    email: str
    phone: str = ""
    signing_authority: bool = False
    senior: bool = False


class User(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("email", name="user_email_unique"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    is_elder: bool = False
    is_survivor_advisor: bool = False
    active: bool = True
    token_hash: str | None = Field(default=None, index=True)
    # Signing in to the pages: the address is stored lower-case (unique), the password only
    # as an argon2id hash (service/passwords.py); API tokens stay for the API.
    email: str | None = Field(default=None, max_length=254)
    password_hash: str | None = Field(default=None, max_length=255)
    # The pages' language ("en" or "fr"), chosen with the switch on every page; None until
    # chosen (an applicant then gets its organisation's preferred language).
    language: str | None = Field(default=None, max_length=2)
    # How a staff member hears of work waiting for them: "each" (a message per item) or
    # "digest" (one message a day, from the daily sweep).
    notify_by: str = Field(default="each", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class Grant(GovernedState, SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("requested_cents > 0", name="grant_requested_positive"),
        CheckConstraint(
            "approved_cents IS NULL OR approved_cents >= 0", name="grant_approved_positive"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    project_title: str
    project_description: str
    community: str
    requested_cents: int
    approved_cents: int | None = None
    start_date: date
    end_date: date
    risk_rating: str = "medium"
    state: str = Field(default="draft", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    screened_by_id: int | None = Field(default=None, foreign_key="user.id")
    screened_at: datetime | None = None
    coordinator_id: int | None = Field(default=None, foreign_key="user.id")
    recommended_cents: int | None = None
    consensus_rating: int | None = None
    review_rationale: str = ""
    sealed_deliberation_notes: str = ""
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    decline_reason: str = ""
    info_requested_at: datetime | None = None
    offer_expires_on: date | None = None
    conditions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    signer_name: str | None = None
    signed_at: datetime | None = None
    # What the recipient signed: the signer's title on file when they signed, and the SHA-256
    # of the offer they signed (the stored grant agreement PDF in the organisation's language).
    signer_title: str | None = Field(default=None, max_length=200)
    signed_offer_sha256: str | None = Field(default=None, max_length=64)
    countersigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    countersigned_at: datetime | None = None
    # The countersigner's title as the Fund's signing authority when they signed, in both
    # languages: the executed agreement prints it whatever the Fund's settings say later.
    countersigner_title: str | None = Field(default=None, max_length=200)
    countersigner_title_fr: str | None = Field(default=None, max_length=200)
    insurance_certificate_ref: str | None = None
    closeout_began_at: datetime | None = None
    # The reporting schedule in force (Schedule F): days after a fiscal year's end an annual
    # report is due, and after the end a final report is due. Changed only by an amendment.
    annual_report_days: int = 90
    final_report_days: int = 60
    closed_at: datetime | None = None


class BudgetLine(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("grant_id", "fiscal_year"),
        CheckConstraint("requested_cents >= 0", name="budget_requested_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    fiscal_year: int
    requested_cents: int
    approved_cents: int | None = None


class ReviewAssignment(SQLModel, table=True):
    # A panel member's list of grants filters by reviewer (service.authz.visible_grants): the
    # unique constraint leads with the grant, so the reviewer has an index of its own.
    __table_args__ = (
        UniqueConstraint("grant_id", "reviewer_id"),
        Index("ix_reviewassignment_reviewer", "reviewer_id", "grant_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    reviewer_id: int = Field(foreign_key="user.id")
    conflict: str | None = None
    conflict_note: str = ""
    declared_at: datetime | None = None


class ReviewScore(SQLModel, table=True):
    """One member's sealed score on one criterion: shown only as panel means."""

    __table_args__ = (
        UniqueConstraint("grant_id", "reviewer_id", "criterion"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    reviewer_id: int = Field(foreign_key="user.id")
    criterion: str
    score: int


class Instalment(GovernedState, SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("grant_id", "sequence"),
        CheckConstraint("amount_cents >= 0", name="instalment_amount_positive"),
        CheckConstraint(
            "planned_cents IS NULL OR amount_cents <= planned_cents",
            name="instalment_within_plan",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    sequence: int
    kind: str
    due_date: date
    amount_cents: int
    # The amount in the payment plan (Schedule E). Close-out may reduce a holdback's
    # ``amount_cents`` to what is payable (models.settlement); this keeps what was planned.
    planned_cents: int | None = None
    state: str = "scheduled"
    initiated_by_id: int | None = Field(default=None, foreign_key="user.id")
    initiated_at: datetime | None = None
    released_by_id: int | None = Field(default=None, foreign_key="user.id")
    released_at: datetime | None = None
    hold_reason: str = ""
    # Why the system holds it ("overdue_report", models.effects), so that accepting the report
    # resumes exactly those holds; "" for a person's hold, which only a person resumes.
    hold_cause: str = Field(default="", max_length=32)


class OutcomeReport(GovernedState, SQLModel, table=True):
    """Aggregate counts only: the system stores no survivor-level record."""

    __table_args__ = (UniqueConstraint("grant_id", "sequence"),)
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    sequence: int
    kind: str
    period_start: date
    period_end: date
    due_date: date
    state: str = "due"
    submitted_at: datetime | None = None
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    return_reason: str = ""
    expenditure_cents: int | None = None
    aggregates: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# An amendment is open (proposed, approved or signed) until it is in force, declined or
# withdrawn; a grant has at most one open at a time (this index, and the engine's guard).
OPEN_AMENDMENT_STATES = ("proposed", "approved", "signed")
_OPEN_AMENDMENT = text("state IN ('proposed', 'approved', 'signed')")


class Amendment(GovernedState, SQLModel, table=True):
    """One amendment of an active agreement (``models.amendments``): the terms it changes,
    before and after, each with its reason. ``None`` after-values are terms it leaves alone.
    The agreement in force is the original plus its amendments in force, in sequence order."""

    __table_args__ = (
        UniqueConstraint("grant_id", "sequence"),
        Index(
            "uq_amendment_one_open_per_grant",
            "grant_id",
            unique=True,
            sqlite_where=_OPEN_AMENDMENT,
            postgresql_where=_OPEN_AMENDMENT,
        ),
        CheckConstraint(
            "approved_cents_after IS NULL OR approved_cents_after > 0",
            name="amendment_amount_positive",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    sequence: int
    state: str = Field(default="proposed", max_length=16)
    approved_cents_before: int
    approved_cents_after: int | None = None
    approved_cents_reason: str = ""
    end_date_before: date
    end_date_after: date | None = None
    end_date_reason: str = ""
    annual_report_days_before: int
    annual_report_days_after: int | None = None
    final_report_days_before: int
    final_report_days_after: int | None = None
    report_schedule_reason: str = ""
    proposed_by_id: int | None = Field(default=None, foreign_key="user.id")
    proposed_at: datetime | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: datetime | None = None
    closing_reason: str = ""  # why it was declined or withdrawn
    signer_name: str | None = Field(default=None, max_length=200)
    signed_at: datetime | None = None
    countersigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    countersigned_at: datetime | None = None


class StoredDocument(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("grant_id", "kind", "subject_key", "language", "format", "version"),
    )
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    kind: str
    subject_key: str = ""
    version: int
    language: str
    format: str
    sha256: str = Field(index=True)
    size_bytes: int
    storage_key: str
    filename: str
    template_version: str
    flow_run_id: str | None = None
    audit_event_id: int | None = Field(default=None, foreign_key="auditevent.id")
    idempotency_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    # When its file was removed from the store at close (``models.data_return``): the row and
    # its digest stay, so the audit trail that committed to it still verifies; it is no longer
    # served.
    withdrawn_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    # Denials are aggregated per caller and minute (models.denials): that query reads
    # recent events by actor and time.
    __table_args__ = (Index("ix_auditevent_actor_time", "actor_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int | None = Field(default=None, foreign_key="grant.id", index=True)
    subject: str = "grant"
    subject_id: int | None = None
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str
    role: str
    action: str
    outcome: str = "applied"
    from_state: str | None = None
    to_state: str | None = None
    rule: str | None = None
    payload_summary: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    flow_run_id: str | None = None
    idempotency_key: str | None = Field(default=None, unique=True)
    request_hash: str | None = None
    occurred_at: datetime = Field(default_factory=utcnow)
    # The event's leaf data (models.audit_leaves), stored as it is appended: verification
    # hashes these bytes and checks they are what the columns above canonicalise to.
    leaf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


# Every new audit event takes its id and its stored leaf data as it is flushed.
event.listen(Session, "before_flush", seal_audit_events(AuditEvent))


class IdempotencyClaim(SQLModel, table=True):
    """Who is carrying out a request with this Idempotency-Key right now.

    A database row, not a process lock: every service process and worker sharing the
    installation sees it, so a key runs one flow however many processes receive it.
    """

    key: str = Field(primary_key=True)
    grant_id: int
    action: str
    claimed_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class ActionRequest(SQLModel, table=True):
    """An action request grantflow accepted: who asked, for what, with which payload.

    The request, not the Prefect flow run, is the authority: a flow run carries only this
    row's id and token, and whoever carries it out reloads the user and their current roles
    from here. An Idempotency-Key belongs to its caller (unique per user, not globally).
    """

    __tablename__ = "action_request"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    action: str = Field(max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request_hash: str = Field(max_length=64)
    idempotency_key: str | None = Field(default=None, max_length=200)
    token: str = Field(max_length=64)
    as_of: datetime | None = None
    flow_run_id: str | None = Field(default=None, max_length=64)
    status: str = Field(default="accepted", max_length=16)
    audit_event_id: int | None = Field(default=None, foreign_key="auditevent.id")
    created_at: datetime = Field(default_factory=utcnow)


class OwedDocument(SQLModel, table=True):
    """A document a committed step owes its people, until it is stored.

    Written in the step's own transaction, so a step whose rendering fails is never silently
    missing its documents: the row stays open (and the grant shows "documents pending") until
    a later attempt stores them.
    """

    __tablename__ = "owed_document"
    __table_args__ = (UniqueConstraint("audit_event_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    audit_event_id: int = Field(foreign_key="auditevent.id")
    kind: str = Field(max_length=64)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    owed_since: datetime = Field(default_factory=utcnow)
    stored_at: datetime | None = Field(default=None, index=True)


class Notification(SQLModel, table=True):
    """One message to one person, kept until it is sent (the outbox).

    Written in the transaction of what it announces (or by the sweep, under its key), so a
    message is never lost; ``dedupe_key`` makes each one exist once however often its cause
    is seen again, and ``message_id`` (fixed at creation) is the Message-ID it is sent under.
    The body is never stored: it is composed from the grant when it is sent.
    """

    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=48)
    grant_id: int | None = Field(default=None, foreign_key="grant.id", index=True)
    # What it is about beyond the grant: "report-2", "instalment-3" or "".
    subject_key: str = Field(default="", max_length=32)
    # The audit event it announces (its documents are attached), if any.
    audit_event_id: int | None = Field(default=None, foreign_key="auditevent.id")
    recipient_role: str = Field(max_length=16)
    recipient_user_id: int | None = Field(default=None, foreign_key="user.id")
    recipient_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    address: str = Field(max_length=254)
    language: str = Field(max_length=2)
    deadline: date | None = None
    days: int | None = None
    dedupe_key: str = Field(max_length=200, unique=True)
    message_id: str = Field(max_length=200, unique=True)
    # pending -> sent | failed; "digest" waits for the recipient's daily digest, then
    # "digested" (sent inside the digest message ``digest_id``).
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=300)
    digest_id: int | None = Field(default=None, foreign_key="notification.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class SweepRun(SQLModel, table=True):
    """One run of the daily deadline sweep (``workflows.sweep``): which day it swept, from
    which day on (the days it caught up), and what it did, by kind (counts only).

    ``grant_id`` set: a sweep of that one grant's deadlines (the demo's simulated calendar,
    one per grant); None: the installation's daily sweep, the only kind that counts as the
    day's sweep."""

    __tablename__ = "sweep_run"
    id: int | None = Field(default=None, primary_key=True)
    as_of: date = Field(index=True)
    grant_id: int | None = Field(default=None, foreign_key="grant.id", index=True)
    caught_up_from: date | None = None
    token: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    flow_run_id: str | None = Field(default=None, max_length=64)
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
