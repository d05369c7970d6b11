"""A grant through the whole lifecycle with real Prefect, a real database (SQLite, or PostgreSQL
in the PostgreSQL pass) and real documents.

The English grant taken to close-out is the session's ``closed_grant`` (tests/conftest.py),
shared with the dossier tests: it is driven once.
"""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlmodel import select

from documents import build_document, render_document
from documents.formatting import format_date, format_money
from models import fictional
from models.fictional.script import actor, steps
from models.tables import (
    ActionRequest,
    AuditEvent,
    Grant,
    Instalment,
    OutcomeReport,
    StoredDocument,
)
from tests.support.databases import table_rows
from tests.support.reading import docx_text, pdf_text, squash
from workflows.actions import run_action_inline
from workflows.runtime import document_store
from workflows.snapshot import document_context, document_details

pytestmark = pytest.mark.usefixtures("prefect_harness")


def drive(db, cast, index: int, variant: str = "full", stop_after: str | None = None):
    from models.provisioning import create_application

    organisation, application = fictional.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    outcomes = []
    for action, who, payload, at in steps(db, cast, grant.id, variant):
        outcomes.append(
            asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))
        )
        if action == stop_after:
            break
    return grant, outcomes


def stored(db, grant_id: int, kind: str, fmt: str) -> tuple[StoredDocument, bytes]:
    with db.reading() as session:
        row = session.exec(
            select(StoredDocument).where(
                StoredDocument.grant_id == grant_id,
                StoredDocument.kind == kind,
                StoredDocument.format == fmt,
            )
        ).one()
    return row, document_store().read(row.storage_key)


def schedule(db, grant_id: int) -> tuple[Grant, list[Instalment], list[OutcomeReport]]:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        instalments = list(session.exec(select(Instalment).where(Instalment.grant_id == grant_id)))
        reports = list(
            session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == grant_id))
        )
    return grant, instalments, reports


def assert_agreement_says_everything(db, grant_id: int, language: str, legal_name: str):
    grant, instalments, reports = schedule(db, grant_id)
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        _row, data = stored(db, grant_id, "grant_agreement", fmt)
        text = squash(read(data))
        assert squash(legal_name) in text
        assert squash(format_money(grant.approved_cents, language)) in text
        for instalment in instalments:
            assert squash(format_money(instalment.amount_cents, language)) in text, instalment
            assert squash(format_date(instalment.due_date, language)) in text, instalment
        for report in reports:
            assert squash(format_date(report.due_date, language)) in text, report


@pytest.fixture
def cast(installation):
    return fictional.seed(installation)


@pytest.fixture
def closed(closed_grant, monkeypatch):
    """The session's English grant, taken to close-out by real flow runs, made current."""
    from tests.support.databases import use_installation
    from workflows.runtime import database, reset_caches

    yield use_installation(monkeypatch, closed_grant.root, closed_grant.url), closed_grant
    database().dispose()
    reset_caches()


def test_english_grant_goes_from_application_to_close_out(closed):
    db, closed_grant = closed
    grant, cast, outcomes = closed_grant.grant, closed_grant.cast, closed_grant.outcomes
    assert outcomes[-1].grant_state == "closed"
    assert all(o.flow_run_id for o in outcomes)
    assert len({o.flow_run_id for o in outcomes}) == len(outcomes)

    with db.reading() as session:
        events = list(
            session.exec(
                select(AuditEvent)
                .where(
                    AuditEvent.grant_id == grant.id,
                    AuditEvent.flow_run_id.is_not(None),
                    AuditEvent.action != "document_stored",
                )
                .order_by(AuditEvent.id)
            )
        )
        documents = list(
            session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant.id))
        )
    applied = [e for e in events if e.outcome == "applied"]
    assert [e.action for e in applied] == [o.action for o in outcomes]
    assert [(e.action, e.outcome) for e in events[len(applied) :]] == [("approve", "denied")]
    run_of_event = {e.id: e.flow_run_id for e in events}
    for document in documents:
        assert document.flow_run_id == run_of_event[document.audit_event_id]
        data = document_store().read(document.storage_key)
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert len(data) == document.size_bytes
    kinds = {d.kind for d in documents}
    assert {
        "acknowledgement_of_receipt",
        "review_summary",
        "approval_memo",
        "decision_letter",
        "grant_agreement",
        "executed_agreement",
        "payment_authorization",
        "remittance_advice",
        "report_receipt",
        "reconciliation_letter",
        "holdback_release_letter",
        "closeout_certificate",
    } <= kinds
    assert {d.format for d in documents} == {"pdf", "docx"}
    assert_agreement_says_everything(db, grant.id, "en", cast.organisations[0].legal_name)


def test_flow_runs_are_named_and_tagged_for_the_grant(closed):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    _db, closed_grant = closed
    grant, outcomes = closed_grant.grant, closed_grant.outcomes

    # Read the runs by id: every installation in a test process shares one Prefect server and
    # numbers its grants from 1, so the tag ``grant:1`` names runs of many installations, past
    # Prefect's default page of 200 late in a session.
    async def read_runs():
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    id=FlowRunFilterId(any_=[outcome.flow_run_id for outcome in outcomes])
                )
            )

    runs = {str(r.id): r for r in asyncio.run(read_runs())}
    assert len(runs) == len(outcomes)
    for outcome in outcomes:
        run = runs[outcome.flow_run_id]
        assert run.name == f"{grant.reference} · {outcome.action}"
        assert f"grant:{grant.id}" in run.tags
        assert f"action:{outcome.action}" in run.tags
        assert run.state.is_completed()
    assert "stage:intake" in runs[outcomes[0].flow_run_id].tags


def test_french_organisation_receives_its_agreement_in_french(installation, cast):
    db = installation
    grant, outcomes = drive(db, cast, index=2, stop_after="approve")
    assert outcomes[-1].grant_state == "approved"
    _row, pdf = stored(db, grant.id, "grant_agreement", "pdf")
    assert "Annexe" in pdf_text(pdf)
    assert_agreement_says_everything(db, grant.id, "fr", cast.organisations[2].legal_name)


def test_syllabics_name_survives_into_the_pdf_text(installation, cast):
    db = installation
    grant, _ = drive(db, cast, index=1, stop_after="submit")
    legal_name = cast.organisations[1].legal_name
    assert any("\u1400" <= ch <= "\u167f" for ch in legal_name)
    _row, pdf = stored(db, grant.id, "acknowledgement_of_receipt", "pdf")
    assert legal_name in pdf_text(pdf)
    _row, docx_bytes = stored(db, grant.id, "acknowledgement_of_receipt", "docx")
    assert legal_name in docx_text(docx_bytes)


def test_rendering_the_same_document_twice_gives_the_same_sha256(closed):
    """The agreement stored at approval, rendered again from the database once the grant has
    closed, twice in each format: the same bytes every time."""
    db, closed_grant = closed
    grant = closed_grant.grant
    approve = next(o for o in closed_grant.outcomes if o.action == "approve")
    with db.reading() as session:
        event = session.get(AuditEvent, approve.event_id)
        details = document_details(session, grant.id, "grant_agreement", "en", {})
        context = document_context(
            session, grant.id, "grant_agreement", "en", event.occurred_at, details
        )
    content = build_document(context)
    row, _stored_pdf = stored(db, grant.id, "grant_agreement", "pdf")
    renders = {}
    for fmt in ("pdf", "docx"):
        renders[fmt] = hashlib.sha256(render_document(content, fmt)).hexdigest()
        second = hashlib.sha256(render_document(build_document(context), fmt)).hexdigest()
        assert renders[fmt] == second
    assert renders["pdf"] == row.sha256


def test_a_refused_action_fails_its_flow_run_changes_nothing_and_is_recorded(installation, cast):
    from models.errors import WrongState

    db = installation
    grant, _ = drive(db, cast, index=0, stop_after="submit")
    before = table_rows(db)

    with pytest.raises(WrongState, match="'approve' is not available while grant is submitted"):
        asyncio.run(
            run_action_inline(
                grant.id,
                grant.reference,
                "approve",
                actor(cast.approver),
                {"approved_cents": 100, "risk_rating": "low"},
            )
        )
    after = table_rows(db)
    new_events = set(after.pop("auditevent")) - set(before.pop("auditevent"))
    new_requests = set(after.pop("action_request")) - set(before.pop("action_request"))
    assert after == before
    assert len(new_events) == 1
    assert len(new_requests) == 1, "the accepted request is on record, marked refused"
    with db.reading() as session:
        request = session.exec(select(ActionRequest).order_by(ActionRequest.id.desc())).first()
    assert (request.action, request.status, request.audit_event_id) == ("approve", "refused", None)
    with db.reading() as session:
        denial = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).one()
    assert (denial.action, denial.rule, denial.actor_id) == (
        "approve",
        "wrong-state",
        cast.approver.id,
    )
    assert denial.flow_run_id, "the denial names the flow run that refused it"
