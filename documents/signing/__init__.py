"""Signed documents: the Fund's key, PAdES signatures at issue, and their verification.

What is signed is declared in ``documents.registry.SIGNED_KINDS``; ``issue_document`` renders
a document and, for a PDF of a signed kind, certifies it with the Fund's key, so the bytes a
step stores (and their SHA-256) are the signed ones. DOCX files are never signed.
"""

from documents.signing.fund_key import (
    DEVELOPMENT_SUBJECT,
    FundKey,
    FundKeyError,
    forget_fund_key,
    fund_key,
)
from documents.signing.pades import (
    OrganisationKeyError,
    OrganisationSignature,
    add_organisation_signature,
    certify_as_fund,
)
from documents.signing.verification import (
    SignatureCheck,
    UnreadablePdf,
    Verification,
    verify_pdf,
)

__all__ = [
    "DEVELOPMENT_SUBJECT",
    "FundKey",
    "FundKeyError",
    "OrganisationKeyError",
    "OrganisationSignature",
    "SignatureCheck",
    "UnreadablePdf",
    "Verification",
    "add_organisation_signature",
    "certify_as_fund",
    "forget_fund_key",
    "fund_key",
    "verify_pdf",
]
