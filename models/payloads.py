"""Payload schemas of the lifecycle actions: what each action needs from the person taking it.

Every free-text field is ``SingleLine`` or ``MultiLine`` (models.text_types) with a documented
maximum length, so what no document can carry is refused before the action runs.

Each schema also says what of itself may enter the audit trail (``audit_summary``): sealed
review content (individual scores, deliberation notes) never does.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models.applications import (
    Budget,
    Community,
    ProjectDescription,
    ProjectTitle,
    budget_inside_project,
    end_after_start,
)
from models.text_types import (
    ITEM_MAX,
    ITEMS_MAX,
    LONG_TEXT_MAX,
    NOTE_MAX,
    RATIONALE_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    MultiLine,
    SingleLine,
)

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
# One requested item, or one condition of approval: a sentence or a short paragraph each.
ListItem = Annotated[MultiLine, Field(max_length=ITEM_MAX)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def audit_summary(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class NoPayload(Payload):
    pass


class ApplicationAmendment(Payload):
    """What the applicant changes in its application (a draft, or after an information
    request): any of the intake's own fields, each with the intake's types and rules
    (``models.applications``); at least one. A budget given replaces the whole budget.

    What the payload alone shows is checked here (an end before a start given with it, a
    budget year outside dates given with it); the amended application as a whole, with the
    grant's unchanged fields, is checked by the ``amendment_keeps_application_valid`` guard.
    The audit trail records which fields were given, never what they say.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "minProperties": 1,
            "examples": [{"project_title": "Safe Paths Home", "budget": {"2027": 12500000}}],
        },
    )

    project_title: ProjectTitle | None = None
    project_description: ProjectDescription | None = None
    community: Community | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Budget | None = None

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, end_date: date | None, info: ValidationInfo) -> date | None:
        start_date = info.data.get("start_date")
        if start_date is not None and end_date is not None:
            end_after_start(start_date, end_date)
        return end_date

    @field_validator("budget")
    @classmethod
    def _budget_inside_project(
        cls, budget: dict[int, int] | None, info: ValidationInfo
    ) -> dict[int, int] | None:
        start_date, end_date = info.data.get("start_date"), info.data.get("end_date")
        if budget is not None and start_date is not None and end_date is not None:
            budget_inside_project(budget, start_date, end_date)
        return budget

    @model_validator(mode="after")
    def _something_to_amend(self) -> ApplicationAmendment:
        if not self.amended_fields():
            raise ValueError(
                "say what to amend: give at least one of " + ", ".join(AMENDABLE_FIELDS)
            )
        return self

    def amended_fields(self) -> list[str]:
        """The fields this amendment gives a value for, in declaration order."""
        return [name for name in AMENDABLE_FIELDS if getattr(self, name, None) is not None]

    def audit_summary(self) -> dict[str, Any]:
        return {"fields": self.amended_fields()}


# What an amendment may change: every field it declares.
AMENDABLE_FIELDS: tuple[str, ...] = tuple(ApplicationAmendment.model_fields)


class InfoRequest(Payload):
    items: list[ListItem] = Field(
        min_length=1, max_length=ITEMS_MAX, description="What the applicant must provide"
    )

    @field_validator("items")
    @classmethod
    def _items_not_blank(cls, items: list[str]) -> list[str]:
        if any(not item.strip() for item in items):
            raise ValueError("each requested item must say what is missing")
        return items


class Reason(Payload):
    reason: MultiLine = Field(min_length=3, max_length=REASON_MAX)


class ScreenIn(Payload):
    coordinator_id: int | None = Field(
        default=None, description="Officer coordinating the review; defaults to the screener"
    )


class ConflictDeclaration(Payload):
    kind: Literal["none", "indirect", "direct"]
    note: MultiLine = Field(default="", max_length=NOTE_MAX)

    def audit_summary(self) -> dict[str, Any]:
        return {"kind": self.kind}


SCORE_RANGE = (1, 5)
# What a scoring form needs from the schema: every criterion, required, each an integer 1-5.
_CRITERIA_SCHEMA: dict[str, Any] = {
    "properties": {
        c: {"type": "integer", "minimum": SCORE_RANGE[0], "maximum": SCORE_RANGE[1]}
        for c in REVIEW_CRITERIA
    },
    "required": list(REVIEW_CRITERIA),
    "additionalProperties": False,
}


class Scores(Payload):
    scores: dict[str, int] = Field(json_schema_extra=_CRITERIA_SCHEMA)

    @field_validator("scores")
    @classmethod
    def _every_criterion_scored_1_to_5(cls, scores: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(scores) - set(REVIEW_CRITERIA))
        missing = [c for c in REVIEW_CRITERIA if c not in scores]
        if unknown:
            raise ValueError(f"unknown criteria: {', '.join(unknown)}")
        if missing:
            raise ValueError(f"missing criteria: {', '.join(missing)}")
        low, high = SCORE_RANGE
        out_of_range = [c for c, s in scores.items() if not low <= s <= high]
        if out_of_range:
            raise ValueError(f"scores must be {low} to {high}: {', '.join(out_of_range)}")
        return scores

    def audit_summary(self) -> dict[str, Any]:
        return {"criteria_scored": len(self.scores)}


class Recommendation(Payload):
    consensus_rating: int = Field(ge=1, le=5)
    rationale: MultiLine = Field(min_length=3, max_length=RATIONALE_MAX)
    recommended_cents: Cents = Field(gt=0)
    deliberation_notes: MultiLine = Field(default="", max_length=LONG_TEXT_MAX)

    def audit_summary(self) -> dict[str, Any]:
        return {
            "consensus_rating": self.consensus_rating,
            "recommended_cents": self.recommended_cents,
            "deliberation_notes": "sealed" if self.deliberation_notes else "none",
        }


class NonRecommendation(Payload):
    consensus_rating: int = Field(ge=1, le=5)
    rationale: MultiLine = Field(min_length=3, max_length=RATIONALE_MAX)
    deliberation_notes: MultiLine = Field(default="", max_length=LONG_TEXT_MAX)

    def audit_summary(self) -> dict[str, Any]:
        return {
            "consensus_rating": self.consensus_rating,
            "deliberation_notes": "sealed" if self.deliberation_notes else "none",
        }


class Approval(Payload):
    approved_cents: Cents = Field(gt=0)
    risk_rating: Literal["low", "medium", "high"]
    conditions: list[ListItem] = Field(default_factory=list, max_length=ITEMS_MAX)


class Insurance(Payload):
    certificate_ref: SingleLine = Field(min_length=2, max_length=REFERENCE_MAX)
    insurer: SingleLine = Field(min_length=2, max_length=REFERENCE_MAX)
    coverage_cents: Cents = Field(gt=0)


class InstalmentRef(Payload):
    sequence: int = Field(ge=1)


class InstalmentHold(Payload):
    sequence: int = Field(ge=1)
    reason: MultiLine = Field(min_length=3, max_length=NOTE_MAX)


class ReportRef(Payload):
    sequence: int = Field(ge=1)


class ReportReturn(Payload):
    sequence: int = Field(ge=1)
    reason: MultiLine = Field(min_length=3, max_length=REASON_MAX)


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


# An amendment's reporting schedule: days after a fiscal year's end an annual report is due,
# and after the end the final report (never later than the holdback falls due).
ANNUAL_REPORT_DAYS = (30, 180)
FINAL_REPORT_DAYS = (30, 90)
AmendmentReason = Annotated[MultiLine, Field(min_length=3, max_length=REASON_MAX)]
# Each change an amendment may make, and the field giving its reason.
AMENDMENT_CHANGES: dict[str, tuple[str, ...]] = {
    "approved_cents_reason": ("approved_cents",),
    "end_date_reason": ("end_date",),
    "report_schedule_reason": ("annual_report_days", "final_report_days"),
}


class AmendmentProposal(Payload):
    """What an amendment changes in the agreement in force: any of the approved amount, the
    end date and the reporting schedule, at least one, each with its reason. Whether the
    change fits the agreement (not below what is paid, a later end within the fund's rules)
    is the ``amendment_fits_agreement`` guard's."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "approved_cents": 27_500_000,
                    "approved_cents_reason": "A second site opens in the extended term.",
                    "end_date": "2028-09-30",
                    "end_date_reason": "The second site opens in the spring.",
                }
            ]
        },
    )

    approved_cents: Cents | None = Field(default=None, gt=0)
    approved_cents_reason: AmendmentReason | None = None
    end_date: date | None = None
    end_date_reason: AmendmentReason | None = None
    annual_report_days: int | None = Field(
        default=None, ge=ANNUAL_REPORT_DAYS[0], le=ANNUAL_REPORT_DAYS[1]
    )
    final_report_days: int | None = Field(
        default=None, ge=FINAL_REPORT_DAYS[0], le=FINAL_REPORT_DAYS[1]
    )
    report_schedule_reason: AmendmentReason | None = None

    @model_validator(mode="after")
    def _each_change_with_its_reason(self) -> AmendmentProposal:
        for reason, changes in AMENDMENT_CHANGES.items():
            given = any(getattr(self, name) is not None for name in changes)
            if given and not getattr(self, reason):
                raise ValueError(f"give {reason}: every change needs its reason")
            if getattr(self, reason) and not given:
                raise ValueError(f"{reason} is given without its change ({', '.join(changes)})")
        if not self.changed_terms():
            raise ValueError(
                "say what to amend: give at least one of approved_cents, end_date, "
                "annual_report_days or final_report_days, with its reason"
            )
        return self

    def changed_terms(self) -> list[str]:
        """The terms this proposal gives a new value for."""
        names = [change for changes in AMENDMENT_CHANGES.values() for change in changes]
        return [name for name in names if getattr(self, name) is not None]

    def audit_summary(self) -> dict[str, Any]:
        # The new terms are the agreement's figures; the reasons stay on the amendment's row.
        summary: dict[str, Any] = {"terms": self.changed_terms()}
        for name in self.changed_terms():
            value = getattr(self, name)
            summary[name] = value.isoformat() if isinstance(value, date) else value
        return summary


class AmendmentRef(Payload):
    sequence: int = Field(ge=1, description="Which amendment of the grant (its number)")


class AmendmentClosing(Payload):
    sequence: int = Field(ge=1, description="Which amendment of the grant (its number)")
    reason: MultiLine = Field(min_length=3, max_length=REASON_MAX)
