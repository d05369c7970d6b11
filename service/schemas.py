"""What the API answers with. Field names are the contract; money is integer cents (CAD)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from models.provisioning import MAX_CENTS, ApplicationInput, FundInput, FundMoneyTerms
from workflows.requests import ActionOutcome

Item = TypeVar("Item")

# Every number the API stores or looks up fits a signed 64-bit database integer; past it the
# database driver raises (a crash, not a 422).
MAX_ID = 2**63 - 1
FiscalYear = Annotated[int, Field(ge=2000, le=2100)]
AmountCents = Annotated[int, Field(ge=0, le=MAX_CENTS)]
# JSON object keys are strings: say which strings a per-fiscal-year map takes.
FISCAL_YEAR_KEYS: dict[str, Any] = {"propertyNames": {"pattern": "^(20[0-9]{2}|2100)$"}}


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int = Field(description="How many match the filters, across all pages")
    limit: int
    offset: int


class AmendmentPublic(BaseModel):
    """An amendment of the grant's agreement: the terms it changes (``None`` after: left as
    they were), each with its reason, and where it stands."""

    sequence: int = Field(description="Its number; name it in an amendment action's payload")
    state: str = Field(description="Stable state key")
    state_label: str = Field(description="The state as the caller's role sees it")
    approved_cents_before: int
    approved_cents_after: int | None
    approved_cents_reason: str
    end_date_before: date
    end_date_after: date | None
    end_date_reason: str
    annual_report_days_before: int
    annual_report_days_after: int | None
    final_report_days_before: int
    final_report_days_after: int | None
    report_schedule_reason: str
    proposed_at: datetime | None
    approved_at: datetime | None
    signed_at: datetime | None
    countersigned_at: datetime | None


class GrantPublic(BaseModel):
    id: int
    reference: str = Field(examples=["ILIF-2026-0007"])
    fund_code: str
    organisation_id: int
    organisation_name: str
    project_title: str
    project_description: str
    community: str
    requested_cents: int
    approved_cents: int | None
    start_date: date
    end_date: date
    fiscal_years: list[int] = Field(description="Ontario fiscal years, named by their April")
    state: str = Field(description="Stable state key")
    state_label: str = Field(description="The state as the caller's role sees it")
    stage: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    documents_pending: list[str] = Field(
        default_factory=list,
        description="Document kinds a committed step owes and has not produced yet (being "
        "retried); applicants see only those addressed to them",
    )
    amendments: list[AmendmentPublic] = Field(
        default_factory=list,
        description="The amendments of its agreement, in order: the agreement in force is the "
        "original plus those in force",
    )


class ApplicationRequest(ApplicationInput):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "fund_code": "ILIF",
                    "project_title": "Safe Paths Home",
                    "project_description": "Land-based healing and peer mentorship guided by "
                    "Elders and survivor mentors (fictional example).",
                    "community": "Aspen Narrows (fictional)",
                    "start_date": "2027-04-01",
                    "end_date": "2029-03-31",
                    "budget": {"2027": 12500000, "2028": 12501234},
                }
            ]
        },
    )
    organisation_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="Required when staff create an application for an organisation",
    )
    budget: dict[FiscalYear, AmountCents] = Field(
        min_length=1,
        description="Requested cents per Ontario fiscal year (keyed by its April)",
        json_schema_extra=FISCAL_YEAR_KEYS,
    )


class BlockedBy(BaseModel):
    rule: str
    message: str


class TargetReadiness(BaseModel):
    sequence: int
    ready: bool
    blocked_by: list[BlockedBy]


class ActionAvailable(BaseModel):
    key: str
    label: str
    subject: str
    targets: list[int] = Field(
        description="Instalment or report sequences the action applies to now ([] for the grant)"
    )
    ready: bool = Field(
        description=(
            "Every rule that does not depend on the payload holds now (for an action on "
            "instalments or reports: for at least one target); payload_rules are checked when "
            "the payload is sent"
        )
    )
    blocked_by: list[BlockedBy] = Field(
        description="The rules that fail now, each with why (for every target, when none is ready)"
    )
    payload_rules: list[str] = Field(
        description="Rules that depend on what the payload says, checked when it is sent"
    )
    target_readiness: list[TargetReadiness] = Field(
        description="Each target's own readiness ([] for the grant)"
    )
    documents: list[str]
    payload_schema: dict[str, Any]


class DocumentPublic(BaseModel):
    id: int
    grant_id: int
    kind: str
    subject_key: str
    version: int
    language: str
    format: str
    sha256: str
    size_bytes: int
    filename: str
    template_version: str
    flow_run_id: str | None
    audit_event_id: int | None
    created_at: datetime
    download_url: str


class ActionResult(ActionOutcome):
    """The answer to an action: the workflow's outcome, as it is (one model, one name per
    field across the layers)."""


class ActionSubmitted(BaseModel):
    """In `deployment` execution mode: the action's flow run is queued for a worker."""

    grant_id: int
    reference: str
    action: str
    flow_run_id: str
    flow_run_name: str
    state: str = Field(description="The flow run's state when it was submitted")
    history_url: str = Field(description="Where the transition appears once a worker ran it")


class TaskRunPublic(BaseModel):
    name: str
    state: str | None
    run_count: int
    retries: int
    duration_seconds: float | None


class FlowRunPublic(BaseModel):
    id: str
    name: str
    state: str | None
    start_time: str | None
    end_time: str | None
    duration_seconds: float | None
    run_count: int
    retries: int
    tags: list[str]
    task_runs: list[TaskRunPublic]


class EventPublic(BaseModel):
    id: int
    occurred_at: datetime
    action: str
    outcome: str
    actor: str
    role: str
    subject: str
    subject_id: int | None
    from_state: str | None
    to_state: str | None
    rule: str | None
    summary: dict[str, Any]
    flow_run_id: str | None
    flow_run: FlowRunPublic | None = Field(
        default=None,
        description="The Prefect flow run that carried the event out, as Prefect saw it",
    )
    flow_run_status: Literal["found", "unknown", "unavailable"] | None = Field(
        default=None,
        description="For an event with a flow run: 'found' (flow_run is Prefect's answer), "
        "'unknown' (Prefect answered but no longer knows the run), or 'unavailable' (Prefect "
        "could not be reached or refused; flow_run is null, not absent). Null without a run.",
    )


class FundRequest(FundInput, FundMoneyTerms):
    """A new fund. Its names and signer follow models.provisioning.FundInput (free-text rule,
    lengths), its money terms FundMoneyTerms (bounds, the Fund table's defaults); unknown
    fields are refused."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "ILIF",
                    "name_en": "Indigenous-Led Initiatives Fund",
                    "name_fr": "Fonds des initiatives dirigées par des Autochtones",
                    "call_deadline": "2027-02-28T23:59:00Z",
                    "signer_name": "Sasha Redcedar",
                    "signer_title": "Director",
                    "signer_email": "sasha.redcedar@fund.example",
                    "notice_address": "400 Demonstration Way, Suite 12\nToronto ON M0M 0M0",
                    "notice_email": "notices@fund.example",
                    "allocations": {"2027": 400000000, "2028": 400000000},
                }
            ]
        }
    )
    call_deadline: datetime
    allocations: dict[FiscalYear, AmountCents] = Field(
        min_length=1,
        description="Allocation in cents per Ontario fiscal year (its April's year)",
        json_schema_extra=FISCAL_YEAR_KEYS,
    )


class FundPublic(BaseModel):
    id: int
    code: str
    name_en: str
    name_fr: str
    call_deadline: datetime


class OrganisationPublic(BaseModel):
    id: int
    legal_name: str
    operating_name: str
    business_number: str
    preferred_language: str
