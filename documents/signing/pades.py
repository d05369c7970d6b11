"""PAdES signatures on PDFs: the Fund's certification at issue, an organisation's own after.

The Fund certifies (DocMDP, "fill in forms and sign") every PDF of a signed kind with a
PAdES baseline B-B signature: no signature time-stamp, since grantflow calls no time-stamping
authority over the network; the signing time is the one the signer reports. The signature's
box sits in the first page's top margin, left of the reference, and says who signed; a
development key says so there and in the signature's reason. The certification leaves later
signatures allowed, so an organisation may add its own in an incremental update, and the
Fund's signature still covers everything it signed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.signing.fund_key import FundKey, FundKeyError, load_pkcs12

FUND_FIELD = "FundSignature"
ORGANISATION_FIELD = "OrganisationSignature"
# Letter, in points: the first page's top margin (20 mm) left of the reference at the right.
FUND_BOX = (57, 741, 380, 789)

_WORDS = {
    "en": {
        "signed": "Digitally signed for the Fund",
        "development": "DEVELOPMENT KEY — NOT FOR PRODUCTION",
        "reason": "Executed agreement, certified for the Fund",
        "reason_development": "development key — not for production",
        "organisation_reason": "Signed for the Recipient",
    },
    "fr": {
        "signed": "Signé numériquement pour le Fonds",
        "development": "CLÉ DE DÉVELOPPEMENT — PAS POUR LA PRODUCTION",
        "reason": "Entente signée, certifiée pour le Fonds",
        "reason_development": "clé de développement — pas pour la production",
        "organisation_reason": "Signée pour le bénéficiaire",
    },
}


class OrganisationKeyError(ValueError):
    """The uploaded PKCS#12 file cannot sign: unreadable, wrong passphrase, or a certificate
    not valid now. The message is safe to show beside the form's field; ``reason`` says which
    (``unreadable``, ``not_yet_valid``, ``expired``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class OrganisationSignature:
    """An organisation's signature added to a PDF: the new bytes and whose certificate."""

    pdf: bytes
    certificate_fingerprint: str
    subject_common_name: str


def _signer(key: FundKey) -> SimpleSigner:
    der_key = key.private_key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    def asn1(certificate: object) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined]
        )

    registry = SimpleCertificateStore()
    registry.register_multiple([asn1(c) for c in key.chain])
    return SimpleSigner(
        signing_cert=asn1(key.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=registry,
    )


def _latin(text: str) -> str:
    """``text`` in the characters the box's standard font draws (WinAnsi): a dash for a dash,
    a question mark for what it cannot draw."""
    text = text.replace("—", "-").replace("–", "-").replace("’", "'").replace("%", "%%")
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _stamp(language: str, key: FundKey) -> TextStampStyle:
    words = _WORDS[language]
    lines = [words["signed"], common_name(key.certificate), "%(ts)s"]
    if key.development:
        lines.append(words["development"])
    return TextStampStyle(
        stamp_text="\n".join(_latin(line) if line != "%(ts)s" else line for line in lines),
        text_box_style=TextBoxStyle(font_size=7),
        border_width=1,
        timestamp_format="%Y-%m-%d %H:%M:%S UTC",
    )


def fund_reason(language: str, development: bool) -> str:
    words = _WORDS[language]
    return f"{words['reason']} ({words['reason_development']})" if development else words["reason"]


def certify_as_fund(pdf: bytes, key: FundKey, language: str) -> bytes:
    """``pdf`` certified by the Fund (PAdES B-B, DocMDP allowing forms and signatures)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FUND_FIELD,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=fund_reason(language, key.development),
        name=key.certificate.subject.rfc4514_string(),
    )
    signer = signers.PdfSigner(
        metadata,
        _signer(key),
        stamp_style=_stamp(language, key),
        new_field_spec=fields.SigFieldSpec(FUND_FIELD, on_page=0, box=FUND_BOX),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signer.sign_pdf(writer).getvalue()


def organisation_key(p12: bytes, passphrase: bytes, now: dt.datetime) -> FundKey:
    """The key in an uploaded PKCS#12 file, refused when it cannot be opened or its
    certificate is not valid at ``now``."""
    try:
        key = load_pkcs12(p12, passphrase, what="the PKCS#12 file")
    except FundKeyError as error:
        raise OrganisationKeyError(str(error), "unreadable") from None
    certificate = key.certificate
    if now < certificate.not_valid_before_utc:
        raise OrganisationKeyError(
            f"the certificate is not valid before {certificate.not_valid_before_utc:%Y-%m-%d}",
            "not_yet_valid",
        )
    if now > certificate.not_valid_after_utc:
        raise OrganisationKeyError(
            f"the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}", "expired"
        )
    return key


def add_organisation_signature(
    pdf: bytes, p12: bytes, passphrase: bytes, language: str, now: dt.datetime
) -> OrganisationSignature:
    """``pdf`` with the organisation's own signature appended (an incremental update: the
    bytes before it, and the Fund's signature over them, stay as they were). The key is used
    here and dropped; nothing of it is kept."""
    key = organisation_key(p12, passphrase, now)
    metadata = signers.PdfSignatureMetadata(
        field_name=ORGANISATION_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=_WORDS[language]["organisation_reason"],
    )
    signer = signers.PdfSigner(
        metadata, _signer(key), new_field_spec=fields.SigFieldSpec(ORGANISATION_FIELD)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    signed = signer.sign_pdf(writer).getvalue()
    return OrganisationSignature(signed, key.fingerprint, common_name(key.certificate))


def common_name(certificate: object) -> str:
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)  # type: ignore[attr-defined]
    return str(names[0].value) if names else certificate.subject.rfc4514_string()  # type: ignore[attr-defined]
