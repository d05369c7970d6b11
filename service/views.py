"""Shape rows into API answers, as the caller's role may see them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select

from documents import KINDS
from models import lifecycle
from models.clock import as_utc
from models.db import among
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


# What a grant's answer shows of it: these columns of the grant (no ORM object is built for
# them: on a page of 50 that cost about 0.7 ms of CPU more), its organisation's legal name and
# its fund's code.
SHOWN_COLUMNS = (
    Grant.id,
    Grant.reference,
    Grant.organisation_id,
    Grant.project_title,
    Grant.project_description,
    Grant.community,
    Grant.requested_cents,
    Grant.approved_cents,
    Grant.start_date,
    Grant.end_date,
    Grant.state,
    Grant.created_at,
    Grant.submitted_at,
    Grant.decided_at,
    Organisation.legal_name.label("organisation_name"),  # type: ignore[attr-defined]
    Fund.code.label("fund_code"),  # type: ignore[attr-defined]
)

# A row of ``named_grants``: the shown columns by name (``grant.state``, ``grant.fund_code``).
ShownGrant = Row[Any]


def named_grants() -> Select[Any]:
    """The grants as their answers show them (``SHOWN_COLUMNS``), in one query with their
    organisation's name and fund's code; narrow it like any grant query
    (``service.authz.visible_grants``, ``where``)."""
    return (
        select(*SHOWN_COLUMNS)
        .join(Organisation, Organisation.id == Grant.organisation_id)  # type: ignore[arg-type]
        .join(Fund, Fund.id == Grant.fund_id)  # type: ignore[arg-type]
    )


def grant_public(
    session: Session, grant: ShownGrant, user: User, applicant_view: bool | None = None
) -> GrantPublic:
    return grants_public(session, [grant], user, applicant_view)[0]


def grants_public(
    session: Session,
    grants: Sequence[ShownGrant],
    user: User,
    applicant_view: bool | None = None,
) -> list[GrantPublic]:
    """The grants (rows of ``named_grants``) as ``user`` may see them, in their order. A page
    of grants costs the same few queries as one grant: each related table is read once for
    all of them."""
    if not grants:
        return []
    ids = [grant.id for grant in grants]
    years = _grouped(
        session.exec(
            select(BudgetLine.grant_id, BudgetLine.fiscal_year)
            .where(among(session, BudgetLine.grant_id, ids))
            .order_by(BudgetLine.grant_id, BudgetLine.fiscal_year)
        )
    )
    owed = _grouped(
        session.exec(
            select(OwedDocument.grant_id, OwedDocument.kind)
            .where(
                among(session, OwedDocument.grant_id, ids),
                OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(OwedDocument.id)  # type: ignore[arg-type]
        )
    )
    amendments = _grouped(
        (row.grant_id, row)
        for row in session.exec(
            select(Amendment)
            .where(among(session, Amendment.grant_id, ids))
            .order_by(Amendment.grant_id, Amendment.sequence)  # type: ignore[arg-type]
        )
    )
    answers = []
    for grant in grants:
        state = grant_state(grant.state)
        applicant = applicant_view_of(user, grant) if applicant_view is None else applicant_view
        answers.append(
            GrantPublic(
                id=grant.id,  # type: ignore[arg-type]
                reference=grant.reference,
                fund_code=grant.fund_code,
                organisation_id=grant.organisation_id,
                organisation_name=grant.organisation_name,
                project_title=grant.project_title,
                project_description=grant.project_description,
                community=grant.community,
                requested_cents=grant.requested_cents,
                approved_cents=grant.approved_cents,
                start_date=grant.start_date,
                end_date=grant.end_date,
                fiscal_years=years.get(grant.id, []),  # type: ignore[arg-type]
                state=grant.state,
                state_label=state.applicant_label if applicant else state.staff_label,
                stage=state.stage,
                created_at=as_utc(grant.created_at),
                submitted_at=_utc(grant.submitted_at),
                decided_at=_utc(grant.decided_at),
                documents_pending=_pending(owed.get(grant.id, []), applicant),  # type: ignore[arg-type]
                amendments=_amendments(amendments.get(grant.id, []), applicant),  # type: ignore[arg-type]
            )
        )
    return answers


def _grouped(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    """(key, value) pairs as lists of values by key, each list in the pairs' order."""
    grouped: dict[Any, list[Any]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def amendments_public(
    session: Session, grant: Grant, applicant_view: bool
) -> list[AmendmentPublic]:
    """The grant's amendments in order, as the API, the pages and the organisation's export
    show them (the state label as the caller's side sees it)."""
    rows = session.exec(
        select(Amendment).where(Amendment.grant_id == grant.id).order_by(Amendment.sequence)  # type: ignore[arg-type]
    ).all()
    return _amendments(list(rows), applicant_view)


def _amendments(rows: list[Amendment], applicant_view: bool) -> list[AmendmentPublic]:
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


def _pending(kinds: list[str], applicant_view: bool) -> list[str]:
    """The kinds of document still owed, in the order they became owed, once each."""
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
