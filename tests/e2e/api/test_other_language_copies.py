"""Any document in the other official language, on request (issue 13), over the API and the
command line, on a real installation: a grant of an English-speaking organisation taken to an
active agreement by real flow runs, its documents rendered by WeasyPrint and python-docx and
read back with pypdf and python-docx.

The copy says what the original said when it was issued: the grant's rows are changed after
the decision letter went out (the signing contact's name, the approved amount, the project's
title), and the French copy still names the contact, the amount and the title of the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from documents.audit.verification import verify
from documents.context_codec import decode_context
from documents.formatting import format_date, format_money
from models.document_snapshots import DocumentSnapshot
from models.tables import AuditEvent, Contact, Grant, StoredDocument
from models.visibility import operator_role
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.reading import docx_text, pdf_text, squash
from workflows.runtime import document_store

pytestmark = pytest.mark.usefixtures("prefect_harness")

COPY_EVENT = "document_copy_requested"
RENAMED_CONTACT = "Renamed After Issue"
RETITLED_PROJECT = "A Title Given After Issue"


@dataclass(frozen=True)
class Issued:
    """What the decision letter said when it was issued, before the rows changed."""

    grant_id: int
    reference: str
    signer: str
    project_title: str
    approved_cents: int
    offer_expires_on: date
    letter: dict[str, dict[str, Any]]  # by format: the original's document record


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    with module_api_world(tmp_path_factory.mktemp("other-language-copies")) as api:
        yield api


def _documents(world: ApiWorld, grant_id: int, user: Any) -> list[dict[str, Any]]:
    response = world.client.get(f"/api/v1/grants/{grant_id}/documents", headers=world.headers(user))
    assert response.status_code == 200, response.text
    return response.json()


def _text(world: ApiWorld, document: dict[str, Any], user: Any) -> str:
    response = world.client.get(document["download_url"], headers=world.headers(user))
    assert response.status_code == 200, response.text
    read = pdf_text if document["format"] == "pdf" else docx_text
    return squash(read(response.content))


@pytest.fixture(scope="module")
def issued(world: ApiWorld) -> Issued:
    """An active grant of organisation 0 (English), then its rows changed after issue."""
    grant = world.grant_at(0, stop_after="countersign")
    applicant = world.applicant_of(0)
    letters = [
        d for d in _documents(world, grant["id"], applicant) if d["kind"] == "decision_letter"
    ]
    assert {d["language"] for d in letters} == {"en"}
    with world.db.transaction() as session:
        row = session.get(Grant, grant["id"])
        assert row is not None and row.approved_cents and row.offer_expires_on
        signer = session.exec(
            select(Contact).where(
                Contact.organisation_id == row.organisation_id, Contact.signing_authority
            )
        ).first()
        assert signer is not None
        issued = Issued(
            grant_id=grant["id"],
            reference=grant["reference"],
            signer=signer.name,
            project_title=row.project_title,
            approved_cents=row.approved_cents,
            offer_expires_on=row.offer_expires_on,
            letter={d["format"]: d for d in letters},
        )
        signer.name = RENAMED_CONTACT
        row.approved_cents = row.approved_cents - 100_000
        row.project_title = RETITLED_PROJECT
        session.add_all([signer, row])
    return issued


def _copy(world: ApiWorld, document_id: int, user: Any) -> Any:
    return world.client.post(
        f"/api/v1/documents/{document_id}/other-language", headers=world.headers(user)
    )


def _copy_events(world: ApiWorld, grant_id: int) -> list[AuditEvent]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.grant_id == grant_id, AuditEvent.action == COPY_EVENT)
                .order_by(AuditEvent.id)
            )
        )


def test_the_applicant_gets_its_decision_letter_in_french_saying_what_the_original_said(
    world, issued
):
    applicant = world.applicant_of(0)
    original = issued.letter["pdf"]
    english = _text(world, original, applicant)
    assert issued.signer in english and squash(format_money(issued.approved_cents, "en")) in english

    response = _copy(world, original["id"], applicant)

    assert response.status_code == 201, response.text
    copies = {d["format"]: d for d in response.json()}
    assert set(copies) == {"pdf", "docx"}
    for fmt, copy in copies.items():
        assert copy["language"] == "fr" and copy["kind"] == "decision_letter"
        assert copy["subject_key"] == original["subject_key"]
        assert copy["audit_event_id"] == original["audit_event_id"]
        assert copy["template_version"] == original["template_version"]
        assert copy["flow_run_id"] is None  # rendered in the request, not by a step's flow run
        assert copy["filename"].endswith(f".fr.{fmt}")
        text = _text(world, copy, applicant)
        assert "Offre de financement" in text
        assert squash(format_money(issued.approved_cents, "fr")) in text
        assert re.search(r"\d+ \d{3},\d{2} \$", text), "French money: 1 234,56 $"
        assert squash(format_date(issued.offer_expires_on, "fr")) in text
        assert issued.reference in text and issued.project_title in text
        assert f"Bonjour {issued.signer}," in text
        # What the rows say now is not what was issued:
        assert RENAMED_CONTACT not in text and RETITLED_PROJECT not in text
        assert squash(format_money(issued.approved_cents - 100_000, "fr")) not in text
        assert "Offer of Funding" not in text


def test_the_copy_is_listed_with_the_grants_documents_and_audited_once(world, issued):
    applicant = world.applicant_of(0)
    first = _copy(world, issued.letter["pdf"]["id"], applicant)
    copy_ids = sorted(d["id"] for d in first.json())
    listed = {d["id"] for d in _documents(world, issued.grant_id, applicant)}
    assert set(copy_ids) <= listed

    events = _copy_events(world, issued.grant_id)
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.actor_name) == (applicant.id, applicant.name)
    assert event.role == "applicant" and event.outcome == "applied"
    assert event.subject == "document" and event.subject_id == issued.letter["pdf"]["id"]
    assert event.payload_summary == {
        "document_id": issued.letter["pdf"]["id"],
        "language": "fr",
        "copies": copy_ids,
        "produced_by_event": issued.letter["pdf"]["audit_event_id"],
    }
    with world.db.reading() as session:
        stored = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "document_stored",
                AuditEvent.subject_id.in_(copy_ids),  # type: ignore[union-attr]
            )
        ).all()
    assert sorted(e.payload_summary["document_id"] for e in stored) == copy_ids
    result = verify(world.db, files=document_store())
    assert result.intact, result.failure
    assert result.documents_checked >= len(listed)


def test_asking_again_from_either_format_finds_the_same_copy_and_audits_nothing(world, issued):
    applicant, officer = world.applicant_of(0), world.cast.screening_officer
    first = _copy(world, issued.letter["pdf"]["id"], applicant).json()
    before = len(_copy_events(world, issued.grant_id))
    for document_id, who in (
        (issued.letter["pdf"]["id"], applicant),
        (issued.letter["docx"]["id"], officer),
    ):
        again = _copy(world, document_id, who)
        assert again.status_code == 200, again.text
        assert again.json() == first
    assert len(_copy_events(world, issued.grant_id)) == before
    with world.db.reading() as session:
        french = session.exec(
            select(StoredDocument).where(
                StoredDocument.grant_id == issued.grant_id,
                StoredDocument.kind == "decision_letter",
                StoredDocument.language == "fr",
            )
        ).all()
    assert len(french) == 2


def test_the_copy_of_the_copy_is_the_original(world, issued):
    applicant = world.applicant_of(0)
    french = _copy(world, issued.letter["pdf"]["id"], applicant).json()
    back = _copy(world, french[0]["id"], applicant)
    assert back.status_code == 200
    assert {d["id"] for d in back.json()} == {d["id"] for d in issued.letter.values()}


def test_each_document_keeps_the_content_it_was_rendered_from(world, issued):
    with world.db.reading() as session:
        kept = session.get(
            DocumentSnapshot, (issued.letter["pdf"]["audit_event_id"], "decision_letter")
        )
        assert kept is not None
        frozen = decode_context(kept.content)
    assert frozen.kind == "decision_letter" and frozen.language == "en"
    assert frozen.grant.approved_cents == issued.approved_cents
    # As the approve step recorded it (an ISO date), exactly what the builder was given.
    assert frozen.details["offer_expires_on"] == issued.offer_expires_on.isoformat()
    assert issued.signer in {contact.name for contact in frozen.organisation.contacts}


def test_another_organisations_applicant_and_an_auditor_get_no_copy(world, issued):
    document_id = issued.letter["pdf"]["id"]
    stranger = _copy(world, document_id, world.applicant_of(1))
    assert stranger.status_code == 404
    missing = _copy(world, 999_999, world.applicant_of(1))
    assert stranger.json()["detail"].replace(str(document_id), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")
    auditor = _copy(world, document_id, world.cast.auditor)
    assert auditor.status_code == 403
    assert auditor.headers["content-type"] == "application/problem+json"


def test_a_document_issued_before_its_content_was_kept_gets_a_clear_refusal(world, issued):
    """Never a copy from what the rows say today: the content was not kept, so no copy."""
    applicant = world.applicant_of(0)
    receipt = next(
        d
        for d in _documents(world, issued.grant_id, applicant)
        if d["kind"] == "acknowledgement_of_receipt" and d["format"] == "pdf"
    )
    with world.db.transaction() as session:
        kept = session.get(DocumentSnapshot, (receipt["audit_event_id"], receipt["kind"]))
        session.delete(kept)
    before = len(_documents(world, issued.grant_id, applicant))

    refused = _copy(world, receipt["id"], applicant)

    assert refused.status_code == 409
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["type"].endswith("/issued-before-copies")
    assert problem["detail"] == (
        "this document was issued before copies in the other language could be made; ask the Fund"
    )
    assert len(_documents(world, issued.grant_id, applicant)) == before


# The command line, as the installation's operator ----------------------------------------------


def _command(*arguments: str) -> Any:
    from service.cli import app

    return CliRunner().invoke(app, ["documents", "copy", *arguments])


def test_the_command_makes_a_copy_and_prints_its_documents(world, issued):
    agreement = next(
        d
        for d in _documents(world, issued.grant_id, world.cast.screening_officer)
        if d["kind"] == "executed_agreement" and d["format"] == "docx"
    )
    made = _command("--document", str(agreement["id"]), "--language", "fr")
    assert made.exit_code == 0, made.output
    assert f"document {agreement['id']} in fr: made" in made.output
    printed = re.findall(
        r"^(\d+)\t(pdf|docx)\t([0-9a-f]{64})\t(\S+\.fr\.(?:pdf|docx))$", made.output, re.M
    )
    assert [fmt for _id, fmt, _sha, _name in printed] == ["pdf", "docx"]
    event = _copy_events(world, issued.grant_id)[-1]
    assert (event.actor_id, event.actor_name, event.role) == (
        None,
        operator_role(),
        operator_role(),
    )
    assert event.payload_summary["copies"] == [int(i) for i, _fmt, _sha, _name in printed]
    applicant = world.applicant_of(0)
    listed = {d["id"]: d for d in _documents(world, issued.grant_id, applicant)}
    for document_id, _fmt, sha256, _name in printed:
        copy = listed[int(document_id)]
        assert copy["sha256"] == sha256
        assert "Entente de paiement de transfert (signée)" in _text(world, copy, applicant)

    again = _command("--document", str(agreement["id"]))
    assert again.exit_code == 0, again.output
    assert "existed already" in again.output
    assert re.findall(r"^(\d+)\t", again.output, re.M) == [i for i, *_rest in printed]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (("--document", "999999"), "document 999999 does not exist"),
        (("--language", "en"), "is in English already"),
        (("--language", "oj"), "'oj' is not an official language"),
    ],
)
def test_the_command_refuses_with_a_reason_and_exit_2(world, issued, arguments, said):
    if "--document" not in arguments:
        arguments = ("--document", str(issued.letter["pdf"]["id"]), *arguments)
    refused = _command(*arguments)
    assert refused.exit_code == 2
    assert said in refused.output
