"""An amended grant through real flow runs and real documents: the amending agreement and the
executed amendment are stored in the organisation's language (PDF and DOCX) and say each change,
the payment plan in force and the reports; the executed amendment's PDF is signed by the Fund;
the original agreement's stored bytes never change."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlmodel import select

from documents.formatting import format_date, format_money
from documents.signing import fund_key, verify_pdf
from models import fictional
from models.fictional.script import steps
from models.provisioning import create_application
from models.tables import Instalment, StoredDocument
from tests.support.reading import docx_text, pdf_text, squash
from workflows.actions import run_action_inline
from workflows.runtime import document_store

pytestmark = pytest.mark.usefixtures("prefect_harness")


def documents_of(db, grant_id: int) -> dict[tuple[str, str, str], StoredDocument]:
    with db.reading() as session:
        rows = session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant_id))
        return {(d.kind, d.language, d.format): d for d in rows}


def test_an_amendment_is_issued_in_writing_and_the_original_agreement_stays_as_issued(
    installation,
):
    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    originals: dict[tuple[str, str, str], tuple[str, bytes]] = {}
    for action, who, payload, at in steps(db, cast, grant.id, "amended"):
        if action == "propose_amendment":
            # The agreement as issued at approval and at countersignature, before any amendment.
            for key, row in documents_of(db, grant.id).items():
                if key[0] in ("grant_agreement", "executed_agreement"):
                    originals[key] = (row.sha256, document_store().read(row.storage_key))
        outcome = asyncio.run(
            run_action_inline(grant.id, grant.reference, action, who, payload, now=at)
        )
        if action == "countersign_amendment":
            break
    assert outcome.grant_state == "active"
    assert {kind for kind, _, _ in originals} == {"grant_agreement", "executed_agreement"}

    stored = documents_of(db, grant.id)
    for key, (sha256, data) in originals.items():
        assert stored[key].sha256 == sha256
        again = document_store().read(stored[key].storage_key)
        assert again == data and hashlib.sha256(again).hexdigest() == sha256

    language = organisation.preferred_language
    with db.reading() as session:
        plan = list(session.exec(select(Instalment).where(Instalment.grant_id == grant.id)))
        amended = session.get(type(grant), grant.id)
    for kind in ("amending_agreement", "executed_amendment"):
        for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
            row = stored[(kind, language, fmt)]
            text = squash(read(document_store().read(row.storage_key)))
            assert squash(format_money(amended.approved_cents, language)) in text
            assert squash(format_money(application_total(application), language)) in text
            assert squash(format_date(amended.end_date, language)) in text
    executed = squash(
        pdf_text(document_store().read(stored[("executed_amendment", language, "pdf")].storage_key))
    )
    for instalment in plan:
        assert squash(format_money(instalment.amount_cents, language)) in executed
        assert squash(format_date(instalment.due_date, language)) in executed
    # The executed amendment's PDF is signed by the Fund like the executed agreement; the
    # offer (the amending agreement to sign) is not.
    signed = document_store().read(stored[("executed_amendment", language, "pdf")].storage_key)
    checked = verify_pdf(signed, fund_key().certificate)
    assert checked.intact and checked.trusted
    offer = document_store().read(stored[("amending_agreement", language, "pdf")].storage_key)
    assert not verify_pdf(offer, fund_key().certificate).signed


def application_total(application: dict) -> int:
    return sum(application["budget"].values())
