"""An organisation's own records, as its export holds them: exact, and as the applicant sees
them.

Everything the organisation gave or was told is here, unchanged: its registration and
contacts, every grant with its budget, payment plan and outcome reports (their aggregate
counts exact: they are its own figures), the review as the applicant's view shows it and the
grant's history as the applicant's view tells it (``models.visibility``). Left out: other
people's work the applicant does not see (individual reviewers' scores, conflict notes, staff
members' user ids), and the panel's sealed deliberation notes unless ``include_deliberation_notes``
says the organisation's governance body may read them (wired by the data agreement).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from documents import KINDS
from models.clock import as_utc
from models.lifecycle import STATES_BY_SUBJECT, grant_state
from models.review import criterion_means
from models.tables import (
    AuditEvent,
    BudgetLine,
    Contact,
    Fund,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    ReviewScore,
    StoredDocument,
)
from models.visibility import applying_role, declared, panel_roles
from service.authz import HistoryView, applicant_view_audiences
from service.views import amendments_public, event_public

ORGANISATION_FIELDS = (
    "id",
    "legal_name",
    "operating_name",
    "business_number",
    "address",
    "preferred_language",
    "indigenous_led_attested",
    "community_resolution_ref",
    "data_governance_consent",
    "data_agreement_allows_notes",
    "created_at",
)
CONTACT_FIELDS = ("id", "name", "title", "email", "phone", "signing_authority", "senior")
GRANT_FIELDS = (
    "id",
    "reference",
    "project_title",
    "project_description",
    "community",
    "requested_cents",
    "approved_cents",
    "start_date",
    "end_date",
    "state",
    "created_at",
    "submitted_at",
    "info_requested_at",
    "decided_at",
    "offer_expires_on",
    "conditions",
    "decline_reason",
    "signer_name",
    "signed_at",
    "countersigned_at",
    "insurance_certificate_ref",
    "closeout_began_at",
    "closed_at",
)
BUDGET_FIELDS = ("fiscal_year", "requested_cents", "approved_cents")
INSTALMENT_FIELDS = (
    "sequence",
    "kind",
    "due_date",
    "amount_cents",
    "planned_cents",
    "state",
    "initiated_at",
    "released_at",
    "hold_reason",
)
REPORT_FIELDS = (
    "sequence",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "state",
    "submitted_at",
    "reviewed_at",
    "return_reason",
    "expenditure_cents",
    "aggregates",
)
DOCUMENT_FIELDS = (
    "id",
    "kind",
    "subject_key",
    "version",
    "language",
    "format",
    "sha256",
    "size_bytes",
    "filename",
    "template_version",
    "created_at",
)


def as_json_value(value: Any) -> Any:
    """Dates and instants as ISO 8601 (instants in UTC); everything else as it is."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [as_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json_value(v) for k, v in value.items()}
    return value


def record(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: as_json_value(getattr(row, name)) for name in fields}


def applicant_label(subject: str, key: str) -> str:
    """A state's label as the applicant sees it (the key itself for a state not declared)."""
    found = (s for s in STATES_BY_SUBJECT[subject] if s.key == key)  # type: ignore[index]
    return next((s.applicant_label for s in found), key)


def applicant_history_view() -> HistoryView:
    """The history as the organisation's own applicant is told it (``models.visibility``)."""
    applicant = declared((applying_role(),))
    return HistoryView(
        refused_attempts=any(v.history == "full" for v in applicant),
        anonymised_roles=panel_roles(),
        notes_marker=any(v.notes != "none" for v in applicant),
        staff_messages=False,
    )


def applicant_sees_panel_means() -> bool:
    return any(v.scores == "panel_means" for v in declared((applying_role(),)))


@dataclass
class GrantRecords:
    """One grant's records, and its documents to copy (the applicant audience's only)."""

    grant: dict[str, Any]
    documents: list[StoredDocument] = field(default_factory=list)


def review_record(
    session: Session, grant: Grant, include_deliberation_notes: bool
) -> dict[str, Any]:
    """The community review and the decision, as the applicant sees them."""
    review: dict[str, Any] = {
        "consensus_rating": grant.consensus_rating,
        "recommended_cents": grant.recommended_cents,
        "decision": {
            "state": grant.state,
            "decided_at": as_json_value(grant.decided_at),
            "approved_cents": grant.approved_cents,
            "conditions": list(grant.conditions),
            "decline_reason": grant.decline_reason,
        },
    }
    if applicant_sees_panel_means():
        scores = session.exec(select(ReviewScore).where(ReviewScore.grant_id == grant.id)).all()
        review["panel_means"] = dict(criterion_means(scores))
    if include_deliberation_notes:
        review["deliberation_notes"] = grant.sealed_deliberation_notes
    return review


def told_to_applicant(event: AuditEvent) -> bool:
    """An applicant's history lists the messages sent to its organisation, not to staff."""
    if event.subject != "notification":
        return True
    return event.payload_summary.get("recipient_role") == applying_role()


def grant_records(
    session: Session, grant: Grant, include_deliberation_notes: bool = False
) -> GrantRecords:
    fund = session.get(Fund, grant.fund_id)
    assert fund is not None
    budget = session.exec(
        select(BudgetLine).where(BudgetLine.grant_id == grant.id).order_by(BudgetLine.fiscal_year)
    ).all()
    instalments = session.exec(
        select(Instalment).where(Instalment.grant_id == grant.id).order_by(Instalment.sequence)
    ).all()
    reports = session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.grant_id == grant.id)
        .order_by(OutcomeReport.sequence)
    ).all()
    readable = applicant_view_audiences()
    documents = [
        d
        for d in session.exec(
            select(StoredDocument)
            .where(StoredDocument.grant_id == grant.id)
            .order_by(StoredDocument.id)
        ).all()
        if d.kind in KINDS and KINDS[d.kind].audience in readable
    ]
    view = applicant_history_view()
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.grant_id == grant.id, AuditEvent.outcome == "applied")
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    amendments = amendments_public(session, grant, applicant_view=True)
    state = grant_state(grant.state)
    data = {
        **record(grant, GRANT_FIELDS),
        "fund_code": fund.code,
        "state_label": state.applicant_label,
        "stage": state.stage,
        "budget_lines": [record(line, BUDGET_FIELDS) for line in budget],
        "instalments": [
            {**record(i, INSTALMENT_FIELDS), "state_label": applicant_label("instalment", i.state)}
            for i in instalments
        ],
        "outcome_reports": [
            {**record(r, REPORT_FIELDS), "state_label": applicant_label("report", r.state)}
            for r in reports
        ],
        "amendments": [a.model_dump(mode="json") for a in amendments],
        "review": review_record(session, grant, include_deliberation_notes),
        "history": [
            event_public(e, view).model_dump(mode="json", exclude={"flow_run", "flow_run_status"})
            for e in events
            if told_to_applicant(e)
        ],
    }
    return GrantRecords(data, documents)


def organisation_record(session: Session, organisation: Organisation) -> dict[str, Any]:
    return record(organisation, ORGANISATION_FIELDS)


def contact_records(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    contacts = session.exec(
        select(Contact).where(Contact.organisation_id == organisation_id).order_by(Contact.id)
    ).all()
    return [record(c, CONTACT_FIELDS) for c in contacts]


def grant_ids(session: Session, organisation_id: int) -> Iterator[int]:
    yield from session.exec(
        select(Grant.id).where(Grant.organisation_id == organisation_id).order_by(Grant.id)
    ).all()
