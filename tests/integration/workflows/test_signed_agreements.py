"""Signed agreements on a real installation (SQLite, or PostgreSQL in its pass): grants taken
to an active agreement by real flow runs, their executed agreements signed by the Fund and
checked with pyHanko, over the API and the command line.

- ``sign`` records the SHA-256 of the offer's PDF (none while the offer is still owed); the
  executed agreement prints it.
- An organisation's signing authority adds its own signature (PKCS#12 upload): a new stored
  document with both signatures, the original's bytes unchanged; nobody else may.
- Verification tells a caller which stored document a file is only if they may read it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from documents.signing import fund_key, verify_pdf
from models.tables import ActionRequest, AuditEvent, Grant, StoredDocument
from service.cli import app as cli
from tests.support.api_support import ApiWorld, make_api_world
from tests.support.databases import database_url, use_installation
from tests.support.signing_keys import fictional_pkcs12
from tests.support.web_support import csrf_of, give_everyone_a_password, signed_in, visible_text
from workflows.runtime import database, document_store, reset_caches

pytestmark = pytest.mark.usefixtures("prefect_harness")

ORG_PASSPHRASE = "fictional-org-passphrase-7"


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    root = tmp_path_factory.mktemp("signed-agreements")
    with database_url(root) as url, pytest.MonkeyPatch.context() as patch:
        api = make_api_world(use_installation(patch, root, url))
        yield api
        database().dispose()
    reset_caches()


@pytest.fixture(scope="module")
def active(world) -> dict[str, Any]:
    """Organisation 0's grant, signed and countersigned."""
    return world.grant_at(0, "countersign")


def documents_of(db, grant_id: int, kind: str, fmt: str = "pdf") -> list[StoredDocument]:
    with db.reading() as session:
        return list(
            session.exec(
                select(StoredDocument)
                .where(
                    StoredDocument.grant_id == grant_id,
                    StoredDocument.kind == kind,
                    StoredDocument.format == fmt,
                )
                .order_by(StoredDocument.id)  # type: ignore[arg-type]
            )
        )


def read(document: StoredDocument) -> bytes:
    return document_store().read(document.storage_key)


def test_the_executed_agreement_is_intact_and_signed_by_the_fund(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    data = read(executed)
    assert hashlib.sha256(data).hexdigest() == executed.sha256  # the row is the signed file's
    verification = verify_pdf(data, fund_key().certificate)
    assert verification.intact and verification.trusted and verification.development_key
    docx = documents_of(world.db, active["id"], "executed_agreement", "docx")[0]
    assert not docx.filename.endswith(".pdf")


def test_sign_recorded_the_offer_it_signed_and_the_agreement_prints_it(world, active):
    (offer, *_copies) = documents_of(world.db, active["id"], "grant_agreement")
    with world.db.reading() as session:
        grant = session.get(Grant, active["id"])
        signed = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == active["id"], AuditEvent.action == "sign"
            )
        ).one()
    assert grant.signed_offer_sha256 == offer.sha256
    assert signed.payload_summary["details"]["offer_sha256"] == offer.sha256
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(read(executed))).pages)
    assert offer.sha256 in text.replace("\n", "").replace(" ", "")
    assert grant.signer_title and grant.signer_title in text


def test_the_copy_in_the_other_language_is_signed_too(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    applicant = world.applicant_of(0)
    response = world.client.post(
        f"/api/v1/documents/{executed.id}/other-language", headers=world.headers(applicant)
    )
    assert response.status_code in (200, 201), response.text
    copy = next(d for d in response.json() if d["format"] == "pdf")
    assert copy["language"] != executed.language
    with world.db.reading() as session:
        row = session.get(StoredDocument, copy["id"])
    assert verify_pdf(read(row), fund_key().certificate).trusted


def flipped(data: bytes) -> bytes:
    start = data.index(b"stream\n", 1000) + len(b"stream\n") + 10
    changed = bytearray(data)
    changed[start] ^= 0x01
    return bytes(changed)


def test_the_cli_verifies_a_stored_agreement_and_refuses_a_flipped_byte(world, active, tmp_path):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    good, bad, junk = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "junk.pdf"
    good.write_bytes(read(executed))
    bad.write_bytes(flipped(read(executed)))
    junk.write_bytes(b"not a pdf at all")
    runner = CliRunner()
    intact = runner.invoke(cli, ["documents", "verify", str(good)])
    assert intact.exit_code == 0, intact.output
    assert "intact and signed by the Fund" in intact.output
    assert f"document {executed.id}, {active['reference']} executed_agreement" in intact.output
    assert "DEVELOPMENT KEY" in intact.output
    altered = runner.invoke(cli, ["documents", "verify", str(bad)])
    assert altered.exit_code == 1, altered.output
    assert "ALTERED" in altered.output
    assert runner.invoke(cli, ["documents", "verify", str(junk)]).exit_code == 2
    assert runner.invoke(cli, ["documents", "verify", str(tmp_path / "absent.pdf")]).exit_code == 2


def test_the_funds_certificate_is_exported_by_the_cli_and_the_route(world, tmp_path):
    out = tmp_path / "fund.pem"
    result = CliRunner().invoke(cli, ["documents", "fund-certificate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == fund_key().certificate_pem
    response = world.client.get("/api/v1/fund-certificate")
    assert response.status_code == 200
    assert response.content == fund_key().certificate_pem


def verify_over_http(world, data: bytes, user=None) -> dict[str, Any]:
    headers = world.headers(user) if user is not None else {}
    response = world.client.post(
        "/api/v1/documents/verification",
        files={"file": ("agreement.pdf", data, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_verification_route_names_the_grant_only_to_who_may_read_it(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    data = read(executed)
    anonymous = verify_over_http(world, data)
    assert anonymous["intact"] and anonymous["trusted"]
    assert anonymous["signatures"][0]["chains_to_fund_certificate"]
    assert anonymous["stored"] is None
    assert active["reference"] not in str(anonymous)
    stranger = verify_over_http(world, data, world.applicant_of(1))
    assert stranger["trusted"] and stranger["stored"] == []
    own = verify_over_http(world, data, world.applicant_of(0))
    assert own["stored"] == [
        {
            "document_id": executed.id,
            "grant_reference": active["reference"],
            "kind": "executed_agreement",
            "language": executed.language,
            "version": executed.version,
        }
    ]
    broken = verify_over_http(world, flipped(data))
    assert not broken["intact"] and not broken["trusted"]


def test_the_verification_route_refuses_what_is_not_a_pdf(world):
    response = world.client.post(
        "/api/v1/documents/verification",
        files={"file": ("x.pdf", b"plain text", "application/pdf")},
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("unreadable-pdf")


def sign_as(world, user, document_id: int, p12: bytes, passphrase: str):
    return world.client.post(
        f"/api/v1/documents/{document_id}/organisation-signature",
        files={"pkcs12": ("org.p12", p12, "application/x-pkcs12")},
        data={"passphrase": passphrase},
        headers=world.headers(user),
    )


def test_the_signing_authority_adds_the_organisations_signature(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    original = read(executed)
    p12 = fictional_pkcs12("Wren Maplestone", ORG_PASSPHRASE.encode(), organisation="Lodge")
    response = sign_as(world, world.applicant_of(0), executed.id, p12, ORG_PASSPHRASE)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["id"] != executed.id and made["kind"] == "executed_agreement"
    with world.db.reading() as session:
        row = session.get(StoredDocument, made["id"])
        before = session.get(StoredDocument, executed.id)
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "organisation_signature_added")
        ).one()
        requests = list(session.exec(select(ActionRequest)))
        events = list(session.exec(select(AuditEvent)))
    both = read(row)
    assert both.startswith(original)
    assert before.sha256 == executed.sha256 == hashlib.sha256(read(before)).hexdigest()
    verification = verify_pdf(both, fund_key().certificate)
    fund, organisation = verification.signatures
    assert fund.intact and fund.chains_to_fund
    assert organisation.intact and not organisation.chains_to_fund
    assert organisation.signer_common_name == "Wren Maplestone"
    assert verification.intact and verification.trusted
    assert event.payload_summary == {
        "document_id": executed.id,
        "certificate_sha256": organisation.certificate_fingerprint,
        "subject_common_name": "Wren Maplestone",
    }
    assert row.audit_event_id == event.id
    kept = str([r.payload for r in requests]) + str([e.payload_summary for e in events])
    assert ORG_PASSPHRASE not in kept


def test_a_wrong_passphrase_is_a_422_problem(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    p12 = fictional_pkcs12("Wren Maplestone", b"right-one")
    response = sign_as(world, world.applicant_of(0), executed.id, p12, "wrong-one")
    assert response.status_code == 422, response.text
    assert "passphrase is wrong" in response.json()["detail"]


def test_only_the_organisations_signing_authority_may_sign(world, active):
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    p12 = fictional_pkcs12("Someone Else", b"pw")
    colleague = world.user_with_roles("applicant", organisation_index=0)
    assert sign_as(world, colleague, executed.id, p12, "pw").status_code == 403
    assert sign_as(world, world.applicant_of(1), executed.id, p12, "pw").status_code == 404
    assert sign_as(world, world.cast.approver, executed.id, p12, "pw").status_code == 403


def test_signed_while_the_offer_is_still_owed_no_digest_is_recorded(world, monkeypatch):
    monkeypatch.setenv("GRANTFLOW_TEST_FAIL_RENDER", "grant_agreement")
    approved = world.grant_at(2, "approve")
    response = world.client.post(
        f"/api/v1/grants/{approved['id']}/actions/sign",
        json={},
        headers=world.headers(world.applicant_of(2)),
    )
    assert response.status_code == 200, response.text
    with database().reading() as session:
        grant = session.get(Grant, approved["id"])
        assert grant.signed_at is not None and grant.signed_offer_sha256 is None


def page_form_post(person, grant_id: int, document_id: int, p12: bytes, passphrase: str):
    page = person.get(f"/grants/{grant_id}")
    assert page.status_code == 200
    return person.client.post(
        f"/grants/{grant_id}/documents/{document_id}/organisation-signature",
        data={"csrf_token": csrf_of(page.text), "passphrase": passphrase},
        files={"pkcs12": ("org.p12", p12, "application/x-pkcs12")},
        follow_redirects=False,
    )


def test_the_grant_page_offers_the_form_to_the_signing_authority_only(world, active):
    colleague_user = world.user_with_roles("applicant", organisation_index=0)
    give_everyone_a_password(world)
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    authority = signed_in(world.applicant_of(0))
    page = authority.get(f"/grants/{active['id']}").text
    assert f"/documents/{executed.id}/organisation-signature" in page
    assert 'enctype="multipart/form-data"' in page
    colleague = signed_in(colleague_user)
    assert "organisation-signature" not in colleague.get(f"/grants/{active['id']}").text
    officer = signed_in(world.cast.screening_officer)
    assert 'organisation-signature"' not in officer.get(f"/grants/{active['id']}").text


def test_a_wrong_passphrase_on_the_page_is_an_error_beside_its_field(world, active):
    colleague_user = world.user_with_roles("applicant", organisation_index=0)
    give_everyone_a_password(world)
    executed = documents_of(world.db, active["id"], "executed_agreement")[0]
    authority = signed_in(world.applicant_of(0))
    p12 = fictional_pkcs12("Wren Maplestone", b"the-right-one")
    answer = page_form_post(authority, active["id"], executed.id, p12, "not-it")
    assert answer.status_code == 422
    prefix = f"signature-{executed.id}-"
    assert f'id="{prefix}passphrase-error"' in answer.text
    assert "the passphrase is wrong" in visible_text(answer.text)
    assert "not-it" not in answer.text
    done = page_form_post(authority, active["id"], executed.id, p12, "the-right-one")
    assert done.status_code == 303
    assert done.headers["location"].endswith("?signed=organisation#organisation-signature")
    colleague = signed_in(colleague_user)
    refused = page_form_post(colleague, active["id"], executed.id, p12, "the-right-one")
    assert refused.status_code == 403


def test_a_broken_fund_key_setting_is_a_clear_error_never_a_development_key(
    world, monkeypatch, tmp_path
):
    from documents.signing import forget_fund_key

    missing = tmp_path / "the-funds-key.p12"
    monkeypatch.setenv("GRANTFLOW_FUND_PKCS12", str(missing))
    forget_fund_key()
    try:
        response = world.client.get("/api/v1/fund-certificate")
        assert response.status_code == 500
        problem = response.json()
        assert problem["type"].endswith("fund-key-unavailable")
        assert "GRANTFLOW_FUND_PKCS12" in problem["detail"]
        assert str(missing) not in problem["detail"]
        out = tmp_path / "fund.pem"
        result = CliRunner().invoke(cli, ["documents", "fund-certificate", "--out", str(out)])
        assert result.exit_code == 1 and not out.exists()
    finally:
        monkeypatch.delenv("GRANTFLOW_FUND_PKCS12")
        forget_fund_key()
