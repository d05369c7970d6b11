"""A grant that spends less than it was paid gets a repayment notice, in its own language."""

from __future__ import annotations

import pytest
from sqlmodel import select

from documents import build_document, render_document
from documents.formatting import format_date, format_money
from models.db import Database
from models.engine import apply_action
from models.setup import create_application
from models.tables import AuditEvent, OutcomeReport
from service import demo_data
from service.demo_script import steps
from tests.support.reading import docx_text, pdf_text, squash
from workflows.snapshot import document_context, document_details

UNDERSPENT_CENTS = 3_012_345  # more than the holdback, so money is owed back


def is_final_report(db: Database, grant_id: int, sequence: int) -> bool:
    with db.reading() as session:
        report = session.exec(
            select(OutcomeReport).where(
                OutcomeReport.grant_id == grant_id, OutcomeReport.sequence == sequence
            )
        ).one()
    return report.kind == "final"


def close_out_underspent(db: Database, cast, index: int) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    """Take a grant to close-out reporting UNDERSPENT_CENTS less than it received."""
    organisation, application = demo_data.application_for(index, cast)
    grant = create_application(db, organisation.id, application)
    for action, who, payload in steps(db, cast, grant.id):
        if action == "submit_report" and is_final_report(db, grant.id, payload["sequence"]):
            payload = {
                **payload,
                "expenditure_cents": payload["expenditure_cents"] - UNDERSPENT_CENTS,
            }
        result = apply_action(db, grant.id, action, who, payload)
        if action == "begin_closeout":
            return grant.id, result.details
    raise AssertionError("the script never reached close-out")


@pytest.mark.parametrize(("index", "language"), [(0, "en"), (2, "fr")])
def test_unspent_funds_produce_a_repayment_notice_in_the_applicants_language(
    tmp_path, index, language
):
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.create_schema()
    cast = demo_data.seed(db)
    grant_id, details = close_out_underspent(db, cast, index)
    holdback = details["holdback_cents"]
    # Paid so far excludes the holdback; the recipient spent the approved amount less the
    # underspend, so it owes back whatever it received beyond what it spent.
    expected_repayment = max(0, details["paid_cents"] - details["reported_expenditure_cents"])
    assert details["unspent_cents"] == UNDERSPENT_CENTS
    assert details["repayment_due_cents"] == expected_repayment
    assert details["approved_cents"] - holdback == details["paid_cents"]
    assert expected_repayment == UNDERSPENT_CENTS - holdback > 0

    with db.reading() as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant_id, AuditEvent.action == "begin_closeout"
            )
        ).one()
        typed = document_details(
            session, grant_id, "reconciliation_letter", language, event.payload_summary["details"]
        )
        context = document_context(
            session, grant_id, "reconciliation_letter", language, event.occurred_at, typed
        )
    content = build_document(context)
    heading = {"en": "Notice of repayment", "fr": "Avis de remboursement"}[language]
    for read, fmt in ((pdf_text, "pdf"), (docx_text, "docx")):
        text = squash(read(render_document(content, fmt)))
        assert squash(format_money(details["reported_expenditure_cents"], language)) in text
        assert squash(format_money(UNDERSPENT_CENTS, language)) in text
        assert heading in text
        assert squash(format_money(expected_repayment, language)) in text
        assert squash(format_date(typed["repayment_due_by"], language)) in text
