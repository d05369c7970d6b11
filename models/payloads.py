"""Payload schemas of the lifecycle actions: what each action needs from the person taking it.

Each schema also says what of itself may enter the audit trail (``audit_summary``): sealed
review content (individual scores, deliberation notes) never does.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

REVIEW_CRITERIA: tuple[str, ...] = (
    "indigenous_governance",
    "survivor_centred",
    "cultural_grounding",
    "need_and_reach",
    "partnerships",
    "feasibility_budget",
    "evaluation_ocap",
)

AGGREGATE_FIELDS: tuple[str, ...] = (
    "people_served_new",
    "people_served_continuing",
    "service_contacts",
    "referrals",
    "culturally_based_services",
)

Cents = int


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def audit_summary(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class NoPayload(Payload):
    pass


class InfoRequest(Payload):
    items: list[str] = Field(min_length=1, description="What the applicant must provide")

    @field_validator("items")
    @classmethod
    def _items_not_blank(cls, items: list[str]) -> list[str]:
        if any(not item.strip() for item in items):
            raise ValueError("each requested item must say what is missing")
        return items


class Reason(Payload):
    reason: str = Field(min_length=3, max_length=4_000)


class ScreenIn(Payload):
    coordinator_id: int | None = Field(
        default=None, description="Officer coordinating the review; defaults to the screener"
    )


class ConflictDeclaration(Payload):
    kind: Literal["none", "indirect", "direct"]
    note: str = Field(default="", max_length=2_000)

    def audit_summary(self) -> dict[str, Any]:
        return {"kind": self.kind}


class Scores(Payload):
    scores: dict[str, int]

    @field_validator("scores")
    @classmethod
    def _every_criterion_scored_1_to_5(cls, scores: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(scores) - set(REVIEW_CRITERIA))
        missing = [c for c in REVIEW_CRITERIA if c not in scores]
        if unknown:
            raise ValueError(f"unknown criteria: {', '.join(unknown)}")
        if missing:
            raise ValueError(f"missing criteria: {', '.join(missing)}")
        out_of_range = [c for c, s in scores.items() if not 1 <= s <= 5]
        if out_of_range:
            raise ValueError(f"scores must be 1 to 5: {', '.join(out_of_range)}")
        return scores

    def audit_summary(self) -> dict[str, Any]:
        return {"criteria_scored": len(self.scores)}


class Recommendation(Payload):
    consensus_rating: int = Field(ge=1, le=5)
    rationale: str = Field(min_length=3, max_length=8_000)
    recommended_cents: Cents = Field(gt=0)
    deliberation_notes: str = Field(default="", max_length=20_000)

    def audit_summary(self) -> dict[str, Any]:
        return {
            "consensus_rating": self.consensus_rating,
            "recommended_cents": self.recommended_cents,
            "deliberation_notes": "sealed" if self.deliberation_notes else "none",
        }


class NonRecommendation(Payload):
    consensus_rating: int = Field(ge=1, le=5)
    rationale: str = Field(min_length=3, max_length=8_000)
    deliberation_notes: str = Field(default="", max_length=20_000)

    def audit_summary(self) -> dict[str, Any]:
        return {
            "consensus_rating": self.consensus_rating,
            "deliberation_notes": "sealed" if self.deliberation_notes else "none",
        }


class Approval(Payload):
    approved_cents: Cents = Field(gt=0)
    risk_rating: Literal["low", "medium", "high"]
    conditions: list[str] = Field(default_factory=list)


class Signature(Payload):
    signer_name: str = Field(min_length=2, max_length=200)
    signer_title: str = Field(min_length=2, max_length=200)


class Insurance(Payload):
    certificate_ref: str = Field(min_length=2, max_length=200)
    insurer: str = Field(min_length=2, max_length=200)
    coverage_cents: Cents = Field(gt=0)


class InstalmentRef(Payload):
    sequence: int = Field(ge=1)


class InstalmentHold(Payload):
    sequence: int = Field(ge=1)
    reason: str = Field(min_length=3, max_length=2_000)


class ReportRef(Payload):
    sequence: int = Field(ge=1)


class ReportReturn(Payload):
    sequence: int = Field(ge=1)
    reason: str = Field(min_length=3, max_length=4_000)


class ReportSubmission(Payload):
    """Aggregate counts for the period. No field can hold a person: extra fields are refused."""

    sequence: int = Field(ge=1)
    expenditure_cents: Cents = Field(ge=0)
    people_served_new: int = Field(ge=0)
    people_served_continuing: int = Field(ge=0)
    service_contacts: int = Field(ge=0)
    referrals: int = Field(ge=0)
    culturally_based_services: int = Field(ge=0)

    def aggregates(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in AGGREGATE_FIELDS}
