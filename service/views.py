"""Shape rows into API answers, as the caller's role may see them."""

from __future__ import annotations

from sqlmodel import Session, select

from documents import KINDS
from models import lifecycle
from models.clock import as_utc
from models.lifecycle import grant_state
from models.payloads import AGGREGATE_FIELDS
from models.suppression import suppress_report_counts
from models.tables import (
    Amendment,
    AuditEvent,
    BudgetLine,
    Fund,
    Grant,
    Organisation,
    OwedDocument,
    StoredDocument,
    User,
)
from service.authz import HistoryView, applicant_view_audiences, applicant_view_of
from service.schemas import AmendmentPublic, DocumentPublic, EventPublic, GrantPublic

PANEL_MEMBER = "Community review panel member"


def _utc(moment):  # type: ignore[no-untyped-def]
    return None if moment is None else as_utc(moment)


def grant_public(
    session: Session, grant: Grant, user: User, applicant_view: bool | None = None
) -> GrantPublic:
    organisation = session.get(Organisation, grant.organisation_id)
    fund = session.get(Fund, grant.fund_id)
    assert organisation is not None and fund is not None
    years = session.exec(
        select(BudgetLine.fiscal_year)
        .where(BudgetLine.grant_id == grant.id)
        .order_by(BudgetLine.fiscal_year)
    ).all()
    state = grant_state(grant.state)
    if applicant_view is None:
        applicant_view = applicant_view_of(user, grant)
    return GrantPublic(
        id=grant.id,  # type: ignore[arg-type]
        reference=grant.reference,
        fund_code=fund.code,
        organisation_id=grant.organisation_id,
        organisation_name=organisation.legal_name,
        project_title=grant.project_title,
        project_description=grant.project_description,
        community=grant.community,
        requested_cents=grant.requested_cents,
        approved_cents=grant.approved_cents,
        start_date=grant.start_date,
        end_date=grant.end_date,
        fiscal_years=list(years),
        state=grant.state,
        state_label=state.applicant_label if applicant_view else state.staff_label,
        stage=state.stage,
        created_at=as_utc(grant.created_at),
        submitted_at=_utc(grant.submitted_at),
        decided_at=_utc(grant.decided_at),
        documents_pending=_documents_pending(session, grant, applicant_view),
        amendments=amendments_public(session, grant, applicant_view),
    )


def amendments_public(
    session: Session, grant: Grant, applicant_view: bool
) -> list[AmendmentPublic]:
    """The grant's amendments in order, as the API, the pages and the organisation's export
    show them (the state label as the caller's side sees it)."""
    rows = session.exec(
        select(Amendment).where(Amendment.grant_id == grant.id).order_by(Amendment.sequence)  # type: ignore[arg-type]
    ).all()
    labels = {state.key: state for state in lifecycle.AMENDMENT_STATES}
    answers = []
    for row in rows:
        state = labels[row.state]
        fields = row.model_dump(include=set(AmendmentPublic.model_fields) - {"state_label"})
        for moment in ("proposed_at", "approved_at", "signed_at", "countersigned_at"):
            fields[moment] = _utc(fields[moment])
        label = state.applicant_label if applicant_view else state.staff_label
        answers.append(AmendmentPublic(**fields, state_label=label))
    return answers


def _documents_pending(session: Session, grant: Grant, applicant_view: bool) -> list[str]:
    kinds = session.exec(
        select(OwedDocument.kind)
        .where(
            OwedDocument.grant_id == grant.id,
            OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(OwedDocument.id)  # type: ignore[arg-type]
    ).all()
    if applicant_view:
        readable = applicant_view_audiences()
        kinds = [kind for kind in kinds if KINDS[kind].audience in readable]
    return list(dict.fromkeys(kinds))


def document_public(document: StoredDocument) -> DocumentPublic:
    return DocumentPublic(
        **document.model_dump(
            include={
                "id",
                "grant_id",
                "kind",
                "subject_key",
                "version",
                "language",
                "format",
                "sha256",
                "size_bytes",
                "filename",
                "template_version",
                "flow_run_id",
                "audit_event_id",
            }
        ),
        created_at=as_utc(document.created_at),
        download_url=f"/api/v1/documents/{document.id}/file",
    )


def event_public(event: AuditEvent, view: HistoryView) -> EventPublic:
    """Applicants see what happened to their grant, not which panel member did what."""
    hide_actor = event.role in view.anonymised_roles
    summary = dict(event.payload_summary)
    if not view.notes_marker:
        summary.pop("deliberation_notes", None)
    if view.count_threshold is not None and any(name in summary for name in AGGREGATE_FIELDS):
        counts = {name: summary[name] for name in AGGREGATE_FIELDS if name in summary}
        summary.update(suppress_report_counts(counts, view.count_threshold))
    return EventPublic(
        id=event.id,  # type: ignore[arg-type]
        occurred_at=as_utc(event.occurred_at),
        action=event.action,
        outcome=event.outcome,
        actor=PANEL_MEMBER if hide_actor else event.actor_name,
        role=event.role,
        subject=event.subject,
        subject_id=event.subject_id,
        from_state=event.from_state,
        to_state=event.to_state,
        rule=event.rule,
        summary=summary,
        flow_run_id=event.flow_run_id,
    )
