"""Close-out nets the holdback against what was paid and what was spent (models.settlement).

A grant that spends less than it was paid gets a repayment notice and no holdback; one that
spends part of the holdback gets that part and no more. The letters say so, in the
applicant's language, in PDF and DOCX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from documents import build_document, render_document
from documents.formatting import format_date, format_money
from models import fictional
from models.db import Database
from models.engine import TransitionResult, apply_action
from models.errors import GuardFailed
from models.fictional.script import actor, steps
from models.provisioning import create_application
from models.tables import AuditEvent, Instalment, OutcomeReport
from tests.support.models_support import allocations, grant, instalments, new_database
from tests.support.reading import docx_text, pdf_text, squash
from workflows.snapshot import document_context, document_details

UNDERSPENT_CENTS = 3_012_345  # more than the holdback, so money is owed back
PARTLY_SPENT_HOLDBACK_CENTS = 400_000  # less than the holdback: part of it is payable


def is_final_report(db: Database, grant_id: int, sequence: int) -> bool:
    with db.reading() as session:
        report = session.exec(
            select(OutcomeReport).where(
                OutcomeReport.grant_id == grant_id, OutcomeReport.sequence == sequence
            )
        ).one()
    return report.kind == "final"


def committed(db: Database, fund_id: int) -> dict[int, int]:
    return {year: a.committed_cents for year, a in allocations(db, fund_id).items()}


def holdback_of(db: Database, grant_id: int) -> Instalment:
    return next(i for i in instalments(db, grant_id) if i.kind == "holdback")


@dataclass
class CloseOut:
    grant_id: int
    results: dict[str, list[TransitionResult]] = field(default_factory=dict)
    committed_before: dict[int, int] = field(default_factory=dict)
    committed_after: dict[int, int] = field(default_factory=dict)
    early_holdback_refusal: GuardFailed | None = None

    def details(self, action: str) -> dict[str, Any]:
        return self.results[action][-1].details


def close_out(db: Database, cast, index: int, underspent: int) -> CloseOut:  # type: ignore[no-untyped-def]
    """The demo script to ``closed``, the final report ``underspent`` cents short of the
    approved amount. Before close-out begins, an officer tries to pay the holdback early."""
    organisation, application = fictional.application_for(index, cast)
    grant_row = create_application(db, organisation.id, application)
    run = CloseOut(grant_row.id)  # type: ignore[arg-type]
    for action, who, payload, at in steps(db, cast, run.grant_id):
        if action == "submit_report" and is_final_report(db, run.grant_id, payload["sequence"]):
            payload = {**payload, "expenditure_cents": payload["expenditure_cents"] - underspent}
        if action == "begin_closeout":
            officer = actor(cast.payments_officer)
            ref = {"sequence": holdback_of(db, run.grant_id).sequence}
            with pytest.raises(GuardFailed) as refused:
                apply_action(db, run.grant_id, "initiate_payment", officer, ref, now=at)
            run.early_holdback_refusal = refused.value
            run.committed_before = committed(db, cast.fund.id)
        result = apply_action(db, run.grant_id, action, who, payload, now=at)
        run.results.setdefault(action, []).append(result)
        if action == "begin_closeout":
            run.committed_after = committed(db, cast.fund.id)
    return run


def letter(db: Database, run: CloseOut, action: str, kind: str, language: str) -> dict[str, str]:
    """``kind`` as the workflow renders it after ``action``, read back from PDF and DOCX."""
    with db.reading() as session:
        event = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == run.grant_id,
                AuditEvent.action == action,
                AuditEvent.outcome == "applied",
            )
        ).one()
        typed = document_details(
            session, run.grant_id, kind, language, event.payload_summary["details"]
        )
        context = document_context(session, run.grant_id, kind, language, event.occurred_at, typed)
    content = build_document(context)
    return {
        fmt: squash(read(render_document(content, fmt)))
        for read, fmt in ((pdf_text, "pdf"), (docx_text, "docx"))
    }


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    db = new_database(tmp_path)
    return db, fictional.seed(db)


NOTICE = {"en": "Notice of repayment", "fr": "Avis de remboursement"}
WITHHELD_PLAINLY = {"en": "No holdback is released", "fr": "Aucune retenue n’est versée"}


@pytest.mark.parametrize(("index", "language"), [(0, "en"), (2, "fr")])
def test_underspending_withholds_the_holdback_and_asks_back_only_the_rest(world, index, language):
    db, cast = world
    run = close_out(db, cast, index, UNDERSPENT_CENTS)
    figures = run.details("begin_closeout")
    approved, paid = figures["approved_cents"], figures["paid_cents"]
    holdback = figures["holdback_planned_cents"]
    spent = approved - UNDERSPENT_CENTS
    # P = approved - H (every regular instalment), E = P - (underspent - H) < P
    assert (paid, figures["reported_expenditure_cents"]) == (approved - holdback, spent)
    assert figures["unspent_cents"] == UNDERSPENT_CENTS
    assert figures["holdback_payable_cents"] == 0
    assert figures["holdback_withheld_cents"] == holdback > 0
    assert figures["repayment_due_cents"] == paid - spent == UNDERSPENT_CENTS - holdback > 0

    # the holdback is settled without a payment and the grant closes
    assert run.early_holdback_refusal is not None
    assert run.early_holdback_refusal.rule == "holdback_after_closeout_begins"
    settled = holdback_of(db, run.grant_id)
    assert (settled.state, settled.amount_cents, settled.planned_cents) == ("withheld", 0, holdback)
    assert settled.sequence not in [r.subject_sequence for r in run.results["release_payment"]]
    assert grant(db, run.grant_id).state == "closed"
    closed = run.details("close")
    assert closed["paid_total_cents"] == paid and "total_paid_cents" not in closed
    assert (closed["holdback_released_cents"], closed["released_on"]) == (0, None)
    assert closed["repayment_due_by"] == figures["repayment_due_by"]

    # the withheld holdback goes back to the fund, from the grant's (only) fiscal year
    (year,) = [y for y in run.committed_before if run.committed_before[y] != run.committed_after[y]]
    assert run.committed_before[year] - run.committed_after[year] == holdback
    assert figures["released_commitment_cents"] == holdback

    money = {
        name: squash(format_money(cents, language))
        for name, cents in {
            "approved": approved,
            "paid": paid,
            "spent": spent,
            "holdback": holdback,
            "repayment": figures["repayment_due_cents"],
        }.items()
    }
    due = squash(format_date(date.fromisoformat(figures["repayment_due_by"]), language))
    for text in letter(db, run, "begin_closeout", "reconciliation_letter", language).values():
        assert NOTICE[language] in text
        assert all(amount in text for amount in money.values()), money
        assert squash(format_money(UNDERSPENT_CENTS, language)) in text
        assert due in text
    for text in letter(db, run, "close", "holdback_release_letter", language).values():
        assert WITHHELD_PLAINLY[language] in text
        assert all(amount in text for amount in money.values()), money
        assert due in text


def test_a_partly_spent_holdback_pays_that_part_and_no_more(world):
    db, cast = world
    run = close_out(db, cast, 0, PARTLY_SPENT_HOLDBACK_CENTS)
    figures = run.details("begin_closeout")
    approved, paid = figures["approved_cents"], figures["paid_cents"]
    holdback = figures["holdback_planned_cents"]
    payable = holdback - PARTLY_SPENT_HOLDBACK_CENTS
    assert figures["reported_expenditure_cents"] == paid + payable
    assert (figures["holdback_payable_cents"], figures["holdback_withheld_cents"]) == (
        payable,
        PARTLY_SPENT_HOLDBACK_CENTS,
    )
    assert figures["repayment_due_cents"] == 0 and "repayment_due_by" not in figures

    # the reduced holdback is all that is released: the recipient gets exactly what it spent
    released = run.results["release_payment"][-1]
    settled = holdback_of(db, run.grant_id)
    assert released.subject_sequence == settled.sequence
    assert (settled.state, settled.amount_cents, settled.planned_cents) == (
        "released",
        payable,
        holdback,
    )
    assert released.details["paid_to_date_cents"] == paid + payable == approved - 400_000
    assert released.details["remaining_cents"] == PARTLY_SPENT_HOLDBACK_CENTS
    paid_out = [i.amount_cents for i in instalments(db, run.grant_id) if i.state == "released"]
    assert sum(paid_out) == figures["reported_expenditure_cents"]
    assert grant(db, run.grant_id).state == "closed"
    assert run.details("close")["holdback_released_cents"] == payable

    # only the withheld part goes back to the fund
    given_back = sum(run.committed_before.values()) - sum(run.committed_after.values())
    assert given_back == PARTLY_SPENT_HOLDBACK_CENTS

    reconciliation = letter(db, run, "begin_closeout", "reconciliation_letter", "en")
    holdback_letter = letter(db, run, "close", "holdback_release_letter", "en")
    for text in reconciliation.values():
        assert "No repayment is due." in text
        assert f"so {format_money(payable, 'en')} of the holdback of" in text
        assert format_money(PARTLY_SPENT_HOLDBACK_CENTS, "en") in text
    for text in holdback_letter.values():
        assert f"the Fund released {format_money(payable, 'en')} to your organisation" in text
        assert (
            f"The remaining {format_money(PARTLY_SPENT_HOLDBACK_CENTS, 'en')} is withheld" in text
        )
        assert format_money(approved - PARTLY_SPENT_HOLDBACK_CENTS, "en") in text
