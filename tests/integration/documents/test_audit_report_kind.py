"""The audit dossier's report is a document kind like the others: registered (as an audit
kind, apart from the step documents), built from a dossier's evidence alone and rendered by
the common renderer. Fictional grant, organisation and people."""

from __future__ import annotations

from datetime import UTC, date, datetime

from documents import AUDIT_KINDS, KINDS, DocumentContent, build_audit_document, render_document
from documents.audit.evidence import Evidence, Head, ReportFacts
from models.audit import Verification
from models.lifecycle import ACTIONS
from models.tables import AuditEvent, Grant, Instalment, Organisation, StoredDocument
from tests.support.reading import pdf_text, squash

MOMENT = datetime(2026, 5, 1, 18, 5, 3, tzinfo=UTC)
DIGEST = "ab" * 32


def evidence() -> Evidence:
    grant = Grant(
        id=7,
        reference="ILIF-2026-0777",
        fund_id=1,
        organisation_id=3,
        project_title="Riverbank Language Nest",
        project_description="A fictional project.",
        community="Fictional River First Nation",
        requested_cents=4_500_000,
        start_date=date(2026, 6, 1),
        end_date=date(2027, 5, 31),
    )
    organisation = Organisation(
        id=3, legal_name="Riverbank Language Society", operating_name="RLS", business_number="1"
    )
    event = AuditEvent(
        id=11,
        grant_id=7,
        actor_name="Avery Example",
        role="officer",
        action="submit",
        from_state="draft",
        to_state="submitted",
        flow_run_id="run-0001",
        occurred_at=MOMENT,
    )
    document = StoredDocument(
        id=5,
        grant_id=7,
        kind="acknowledgement_of_receipt",
        version=1,
        language="en",
        format="pdf",
        sha256=DIGEST,
        size_bytes=12_345,
        storage_key=f"ab/ab/{DIGEST}.pdf",
        filename="ILIF-2026-0777-acknowledgement.pdf",
        template_version="1.0.0",
        idempotency_key="fictional-1",
    )
    instalment = Instalment(
        id=1,
        grant_id=7,
        sequence=1,
        kind="advance",
        due_date=date(2026, 6, 15),
        amount_cents=900_000,
    )
    return Evidence(
        grant=grant,
        organisation=organisation,
        events=[event],
        indices=[0],
        documents=[document],
        document_files={5: "documents/ILIF-2026-0777-acknowledgement.pdf"},
        head=Head(size=1, root="cd" * 32, at=MOMENT.isoformat(), checkpointed=True),
        fresh=None,
        verification=Verification(events_checked=1, documents_checked=1, root="cd" * 32),
        checkpoint_refused=None,
        facts=ReportFacts(fund_name="Fictional Futures Fund", instalments=(instalment,)),
    )


def test_the_report_is_an_audit_kind_no_lifecycle_action_produces():
    assert set(AUDIT_KINDS) == {"audit_dossier"}
    assert not set(AUDIT_KINDS) & set(KINDS)
    produced = {kind for action in ACTIONS for kind in action.documents}
    assert not produced & set(AUDIT_KINDS)
    assert AUDIT_KINDS["audit_dossier"].title == "Audit Dossier"


def test_the_report_is_built_from_the_evidence_and_rendered_by_the_common_renderer():
    content = build_audit_document("audit_dossier", evidence())
    assert isinstance(content, DocumentContent)
    assert (content.kind, content.language, content.title) == (
        "audit_dossier",
        "en",
        "Audit Dossier",
    )
    assert content.template_version == AUDIT_KINDS["audit_dossier"].template_version
    pdf = render_document(content, "pdf")
    assert pdf == render_document(build_audit_document("audit_dossier", evidence()), "pdf")
    text = squash(pdf_text(pdf))
    unspaced = "".join(text.split())
    for expected in (
        "ILIF-2026-0777",
        "Riverbank Language Society",
        "Fictional Futures Fund",
        "Audit log intact: 1 events, 1 documents and 0 checkpoints checked.",
        "No community review deliberation notes were recorded for this grant.",
        "0 of 1 instalments released",
    ):
        assert expected in text, expected
    assert DIGEST in unspaced and "run-0001" in unspaced
