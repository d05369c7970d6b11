"""Whether a signed PDF is intact, who signed it and when, and whether the Fund did.

Every signature is validated with pyHanko against one trust root: the Fund's certificate. So a
signature "chains to the Fund" only when the Fund's key made it (or a key its certificate
issued); an organisation's own signature is reported as present and intact, not trusted by
the Fund (the Fund does not vouch for the organisation's certificate authority). Nothing is
fetched over the network: no revocation lists, no OCSP, no time-stamp authority.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.signing.fund_key import DEVELOPMENT_SUBJECT

# pyHanko logs each untrusted chain as a warning; the answer below says it in its own words.
logging.getLogger("pyhanko").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)


class UnreadablePdf(ValueError):
    """The input is not a PDF pyHanko can read."""


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of the file, as validated."""

    field: str
    signer: str  # the certificate's subject, e.g. "Common Name: ..., Organization: ..."
    signer_common_name: str
    signing_time: datetime | None  # as the signer reports it (PAdES B-B: no time-stamp)
    intact: bool  # the bytes it covers are unchanged and the signature is mathematically valid
    chains_to_fund: bool
    covers_whole_file: bool
    changes_after_allowed: bool  # what was appended after it is what its DocMDP permits
    development_key: bool
    certificate_fingerprint: str

    @property
    def by_the_fund(self) -> bool:
        return self.chains_to_fund


@dataclass(frozen=True)
class Verification:
    """The cryptographic answer for one file."""

    sha256: str
    signatures: tuple[SignatureCheck, ...]

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        """Every signature intact, every later change one its signer allowed, and nothing
        appended after the last signature."""
        return (
            self.signed
            and all(s.intact and s.changes_after_allowed for s in self.signatures)
            and self.signatures[-1].covers_whole_file
        )

    @property
    def trusted(self) -> bool:
        """Intact, and signed by the Fund's key."""
        return self.intact and any(s.chains_to_fund for s in self.signatures)

    @property
    def development_key(self) -> bool:
        return any(s.development_key and s.chains_to_fund for s in self.signatures)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _common_name(certificate: asn1_x509.Certificate) -> str:
    return str(certificate.subject.native.get("common_name", ""))


def verify_pdf(data: bytes, fund_certificate: x509.Certificate) -> Verification:
    """Validate every signature of ``data`` against ``fund_certificate`` as the only trust
    root. ``UnreadablePdf`` when ``data`` is not a readable PDF."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise UnreadablePdf(f"not a readable PDF ({type(error).__name__})") from None
    checks = []
    for signature in embedded:
        context = ValidationContext(trust_roots=[_asn1(fund_certificate)], allow_fetching=False)
        certificate = signature.signer_cert
        common_name = _common_name(certificate)
        try:
            status = validate_pdf_signature(signature, signer_validation_context=context)
        except (SignatureValidationError, PdfError, ValueError) as error:
            logging.getLogger("grantflow.signing").info(
                "signature %s not validated: %s", signature.field_name, type(error).__name__
            )
            checks.append(
                SignatureCheck(
                    field=str(signature.field_name),
                    signer=certificate.subject.human_friendly,
                    signer_common_name=common_name,
                    signing_time=signature.self_reported_timestamp,
                    intact=False,
                    chains_to_fund=False,
                    covers_whole_file=False,
                    changes_after_allowed=False,
                    development_key=DEVELOPMENT_SUBJECT in common_name,
                    certificate_fingerprint=certificate.sha256.hex(),
                )
            )
            continue
        checks.append(
            SignatureCheck(
                field=str(signature.field_name),
                signer=certificate.subject.human_friendly,
                signer_common_name=common_name,
                signing_time=status.signer_reported_dt,
                intact=bool(status.intact and status.valid),
                chains_to_fund=bool(status.intact and status.valid and status.trusted),
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                changes_after_allowed=status.docmdp_ok is not False
                and status.coverage
                in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION),
                development_key=DEVELOPMENT_SUBJECT in common_name,
                certificate_fingerprint=certificate.sha256.hex(),
            )
        )
    return Verification(digest, tuple(checks))
