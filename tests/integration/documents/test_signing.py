"""Executed agreements signed by the Fund (PAdES), read back by pyHanko and by poppler's
pdfsig: intact and trusted against the Fund's certificate, broken by one flipped byte, made
with a development key that says so, or with the PKCS#12 file the configuration names."""

from __future__ import annotations

import concurrent.futures
import io
import os
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from documents import build_document, render_document
from documents.issuing import issue_document
from documents.signing import (
    DEVELOPMENT_SUBJECT,
    FundKeyError,
    OrganisationKeyError,
    add_organisation_signature,
    forget_fund_key,
    fund_key,
    verify_pdf,
)
from documents.signing.fund_key import development_key_path, load_pkcs12
from tests.support.document_samples import sample_context
from tests.support.signing_keys import fictional_pkcs12

PDFSIG = shutil.which("pdfsig")
needs_pdfsig = pytest.mark.skipif(
    PDFSIG is None and not os.environ.get("CI"),
    reason="poppler's pdfsig is not installed (scripts/test.sh installs poppler-utils)",
)


@pytest.fixture(autouse=True)
def fresh_fund_key():
    forget_fund_key()
    yield
    forget_fund_key()


def executed(language: str = "en"):
    return build_document(sample_context("executed_agreement", language))


@pytest.fixture(scope="module")
def signed_pdf() -> bytes:
    forget_fund_key()
    return issue_document(executed(), "pdf")


def flipped_in_signed_range(data: bytes) -> bytes:
    """``data`` with one byte of a content stream changed, inside the first signed range."""
    byte_range = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    assert byte_range is not None
    first_range_end = int(byte_range.group(1)) + int(byte_range.group(2))
    start = data.index(b"stream\n", 1000) + len(b"stream\n") + 10
    assert start < first_range_end
    changed = bytearray(data)
    changed[start] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_executed_agreement_pdf_is_intact_and_signed_by_the_fund(language):
    verification = verify_pdf(issue_document(executed(language), "pdf"), fund_key().certificate)
    assert verification.intact and verification.trusted
    (signature,) = verification.signatures
    assert signature.chains_to_fund and signature.covers_whole_file
    assert signature.development_key and DEVELOPMENT_SUBJECT in signature.signer_common_name
    assert abs((datetime.now(UTC) - signature.signing_time).total_seconds()) < 3600


def test_docx_files_and_other_kinds_are_not_signed():
    content = executed()
    assert issue_document(content, "docx") == render_document(content, "docx")
    offer = build_document(sample_context("grant_agreement"))
    unsigned = verify_pdf(issue_document(offer, "pdf"), fund_key().certificate)
    assert not unsigned.signed and not unsigned.trusted


def test_one_flipped_byte_in_the_signed_range_breaks_the_signature(signed_pdf):
    verification = verify_pdf(flipped_in_signed_range(signed_pdf), fund_key().certificate)
    assert verification.signed
    assert not verification.intact and not verification.trusted
    assert not verification.signatures[0].intact


def test_a_signature_by_another_key_does_not_chain_to_the_funds_certificate(signed_pdf):
    other = load_pkcs12(fictional_pkcs12("Not The Fund", b"pw"), b"pw", what="test")
    verification = verify_pdf(signed_pdf, other.certificate)
    assert verification.intact and not verification.trusted


def test_the_development_key_says_so_in_the_signature_box_and_its_reason(signed_pdf):
    reader = PdfReader(io.BytesIO(signed_pdf))
    widgets = [
        annotation.get_object()
        for annotation in reader.pages[0].get("/Annots", [])
        if annotation.get_object().get("/FT") == "/Sig"
    ]
    (widget,) = widgets
    drawn = widget["/AP"]["/N"].get_object().get_data()
    appearance = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), drawn)
    assert b"(DEVELOPMENT KEY - NOT FOR PRODUCTION) Tj" in appearance
    assert "development key — not for production" in widget["/V"]["/Reason"]
    french = PdfReader(io.BytesIO(issue_document(executed("fr"), "pdf")))
    french_widget = next(
        a.get_object() for a in french.pages[0]["/Annots"] if a.get_object().get("/FT") == "/Sig"
    )
    assert "clé de développement" in french_widget["/V"]["/Reason"]


def test_the_executed_agreement_prints_the_signature_record():
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(issue_document(executed(), "pdf"))).pages
    )
    assert "Record of the Recipient’s signature" in text
    assert "Signing authority of" in text


@needs_pdfsig
def test_pdfsig_lists_the_funds_signature_as_valid(signed_pdf, tmp_path):
    path = tmp_path / "executed.pdf"
    path.write_bytes(signed_pdf)
    output = subprocess.run(
        [PDFSIG or "pdfsig", str(path)], capture_output=True, text=True, timeout=60
    ).stdout
    signatures = re.findall(r"^Signature #(\d+):", output, flags=re.M)
    assert signatures == ["1"], output
    fields = dict(re.findall(r"^[ \t]+- ([^:\n]+): (.*)$", output, flags=re.M))
    assert fields["Signature Field Name"] == "FundSignature"
    assert DEVELOPMENT_SUBJECT in fields["Signer Certificate Common Name"]
    assert fields["Signature Validation"] == "Signature is Valid."
    assert "Total document signed" in output
    broken = tmp_path / "flipped.pdf"
    broken.write_bytes(flipped_in_signed_range(signed_pdf))
    flipped = subprocess.run(
        [PDFSIG or "pdfsig", str(broken)], capture_output=True, text=True, timeout=60
    ).stdout
    assert "Signature is Valid." not in flipped


def test_the_development_key_is_owner_only_and_made_once():
    path = development_key_path()
    fund_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = fund_key().fingerprint
    forget_fund_key()
    assert fund_key().fingerprint == first


def _fingerprint_in(data_dir: str) -> str:
    os.environ["GRANTFLOW_DATA_DIR"] = data_dir
    from documents.signing import forget_fund_key as forget
    from documents.signing import fund_key as key

    forget()
    return key().fingerprint


def test_two_processes_racing_to_make_the_development_key_make_one(tmp_path):
    data_dir = str(tmp_path / "var")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        prints = list(pool.map(_fingerprint_in, [data_dir, data_dir]))
    assert prints[0] == prints[1]
    assert [p.name for p in (tmp_path / "var" / "signing").iterdir()] == ["fund-development.p12"]


def configure(monkeypatch, tmp_path: Path, p12: bytes, passphrase: str | None) -> Path:
    path = tmp_path / "fund.p12"
    path.write_bytes(p12)
    monkeypatch.setenv("GRANTFLOW_FUND_PKCS12", str(path))
    if passphrase is not None:
        monkeypatch.setenv("GRANTFLOW_FUND_PKCS12_PASSPHRASE", passphrase)
    return path


def test_a_configured_pkcs12_file_signs_and_is_no_development_key(monkeypatch, tmp_path):
    configure(
        monkeypatch, tmp_path, fictional_pkcs12("Fictional Fund Signing", b"s3cret"), "s3cret"
    )
    key = fund_key()
    assert not key.development
    verification = verify_pdf(issue_document(executed(), "pdf"), key.certificate)
    assert verification.trusted and not verification.development_key
    assert verification.signatures[0].signer_common_name == "Fictional Fund Signing"


def test_the_passphrase_may_come_from_a_file(monkeypatch, tmp_path):
    configure(monkeypatch, tmp_path, fictional_pkcs12("Fictional Fund Signing", b"from-file"), None)
    secret = tmp_path / "passphrase"
    secret.write_text("from-file\n")
    monkeypatch.setenv("GRANTFLOW_FUND_PKCS12_PASSPHRASE_FILE", str(secret))
    assert fund_key().certificate is not None


def test_a_wrong_passphrase_is_a_clear_error_never_a_development_key(monkeypatch, tmp_path):
    configure(monkeypatch, tmp_path, fictional_pkcs12("Fictional Fund Signing", b"right"), "wrong")
    with pytest.raises(FundKeyError, match="passphrase is wrong") as raised:
        fund_key()
    assert "wrong" not in str(raised.value).replace("passphrase is wrong", "")
    with pytest.raises(FundKeyError):
        issue_document(executed(), "pdf")


def test_a_missing_configured_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GRANTFLOW_FUND_PKCS12", str(tmp_path / "absent.p12"))
    with pytest.raises(FundKeyError, match="cannot be read: it does not exist"):
        fund_key()


def test_the_organisation_adds_its_signature_in_an_incremental_update(signed_pdf):
    p12 = fictional_pkcs12("Wren Maplestone", b"org-pass")
    now = datetime.now(UTC)
    added = add_organisation_signature(signed_pdf, p12, b"org-pass", "en", now)
    assert added.pdf.startswith(signed_pdf)
    assert added.subject_common_name == "Wren Maplestone"
    verification = verify_pdf(added.pdf, fund_key().certificate)
    fund, organisation = verification.signatures
    assert fund.intact and fund.chains_to_fund and not fund.covers_whole_file
    assert fund.changes_after_allowed
    assert organisation.intact and not organisation.chains_to_fund
    assert organisation.covers_whole_file
    assert verification.intact and verification.trusted


@pytest.mark.parametrize(
    ("p12", "passphrase", "message"),
    [
        (b"not a pkcs12 file", b"x", "passphrase is wrong or it is not a PKCS#12 file"),
        (fictional_pkcs12("Wren Maplestone", b"right"), b"wrong", "passphrase is wrong"),
        (fictional_pkcs12("Wren Maplestone", b"pw", expired=True), b"pw", "certificate expired"),
    ],
    ids=["not-pkcs12", "wrong-passphrase", "expired"],
)
def test_an_unusable_organisation_key_is_refused(signed_pdf, p12, passphrase, message):
    with pytest.raises(OrganisationKeyError, match=message):
        add_organisation_signature(signed_pdf, p12, passphrase, "en", datetime.now(UTC))
