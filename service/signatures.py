"""Signed documents for the ways in (CLI, API, pages): the Fund's certificate, what a PDF's
signatures say and whether grantflow stored it, and an organisation's own signature.

The uploaded key and passphrase live in this request's memory only: they are never stored,
logged, put in an action request, an audit event or a Prefect run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from documents.issuing import is_signed
from documents.signing import (
    FundKeyError,
    OrganisationKeyError,
    Verification,
    add_organisation_signature,
    fund_key,
    verify_pdf,
)
from models.clock import utcnow
from models.db import Database
from models.errors import NotFound, NotPermitted
from models.organisation_signatures import record_organisation_signature, signing_contact_of
from models.tables import Grant, StoredDocument, User
from service.authz import document_readers
from service.problems import Problem

logger = logging.getLogger(__name__)


def fund_key_problem(error: FundKeyError) -> Problem:
    """The Fund's key cannot be loaded: a 500 whose detail names the setting, not the file."""
    logger.error("the Fund's signing key cannot be used: %s", error)
    return Problem(
        500,
        "fund-key-unavailable",
        "The Fund's signing key cannot be used",
        f"{error}; an administrator should check the installation's signing settings",
    )


def fund_certificate_pem() -> bytes:
    """The Fund's certificate (PEM), against which anyone validates its signatures."""
    try:
        return fund_key().certificate_pem
    except FundKeyError as error:
        raise fund_key_problem(error) from None


@dataclass(frozen=True)
class StoredMatch:
    """A stored document whose bytes are the file's, as the caller may know it."""

    document_id: int
    grant_reference: str
    kind: str
    language: str
    version: int


def stored_matches(db: Database, sha256: str, caller: User | None) -> tuple[StoredMatch, ...]:
    """The stored documents with this SHA-256 that ``caller`` may read (none for no caller):
    an unauthorised caller learns nothing of grants from the lookup."""
    if caller is None:
        return ()
    with db.reading() as session:
        rows = session.exec(select(StoredDocument).where(StoredDocument.sha256 == sha256)).all()
        matches = []
        for row in rows:
            if not document_readers(session, caller, row):
                continue
            grant = session.get(Grant, row.grant_id)
            assert grant is not None
            matches.append(
                StoredMatch(row.id, grant.reference, row.kind, row.language, row.version)  # type: ignore[arg-type]
            )
    return tuple(matches)


def verification_answer(
    verification: Verification, matches: tuple[StoredMatch, ...], caller_known: bool
) -> dict[str, Any]:
    """The answer, as JSON: the cryptographic facts, and the stored documents the file is
    (only to a caller who may read them; ``stored`` is then null for an anonymous caller)."""
    return {
        "sha256": verification.sha256,
        "signed": verification.signed,
        "intact": verification.intact,
        "trusted": verification.trusted,
        "development_key": verification.development_key,
        "signatures": [
            {
                "field": s.field,
                "signer": s.signer,
                "signer_common_name": s.signer_common_name,
                "signing_time": s.signing_time.isoformat() if s.signing_time else None,
                "intact": s.intact,
                "chains_to_fund_certificate": s.chains_to_fund,
                "covers_whole_file": s.covers_whole_file,
                "later_changes_allowed": s.changes_after_allowed,
                "development_key": s.development_key,
                "certificate_sha256": s.certificate_fingerprint,
            }
            for s in verification.signatures
        ],
        "stored": [
            {
                "document_id": m.document_id,
                "grant_reference": m.grant_reference,
                "kind": m.kind,
                "language": m.language,
                "version": m.version,
            }
            for m in matches
        ]
        if caller_known
        else None,
    }


def verify_upload(data: bytes) -> Verification:
    """The file's signatures checked against the Fund's certificate; 422 for what is not a
    readable PDF, 500 when the Fund's key cannot be loaded."""
    from documents.signing import UnreadablePdf

    try:
        certificate = fund_key().certificate
    except FundKeyError as error:
        raise fund_key_problem(error) from None
    try:
        return verify_pdf(data, certificate)
    except UnreadablePdf as error:
        raise Problem(
            422, "unreadable-pdf", "Not a readable PDF", f"the uploaded file is {error}"
        ) from None


class UnusableSigningKey(Problem):
    """422: the uploaded PKCS#12 file cannot sign (``reason`` as ``OrganisationKeyError``'s)."""

    def __init__(self, error: OrganisationKeyError) -> None:
        super().__init__(422, "unusable-signing-key", "The PKCS#12 file cannot sign", str(error))
        self.reason = error.reason


def organisation_may_sign(db: Database, user: User, document_id: int) -> StoredDocument:
    """The document, when ``user`` may add the organisation's signature to it: 404 for a
    document they may not read (as its download), 403 when they are not the organisation's
    signing authority, 409 for a document that carries no Fund signature, 410 if withdrawn."""
    with db.reading() as session:
        document = session.get(StoredDocument, document_id)
        if document is None or not document_readers(session, user, document):
            raise NotFound(f"document {document_id} does not exist")
        grant = session.get(Grant, document.grant_id)
        assert grant is not None
        if signing_contact_of(session, user, grant) is None:
            from models.tables import Organisation

            organisation = session.get(Organisation, grant.organisation_id)
            raise NotPermitted(
                "only a contact with signing authority for "
                f"{organisation.legal_name if organisation else 'the organisation'} can add its "
                "signature, and the address you signed in with is not one of theirs"
            )
    if document.withdrawn_at is not None:
        raise Problem(410, "document-withdrawn", "Document withdrawn", "it was withdrawn")
    if not is_signed(document.kind, document.format):
        raise Problem(
            409,
            "not-a-signed-document",
            "This document carries no Fund signature",
            f"document {document_id} is a {document.kind} {document.format.upper()}; only the "
            "PDF of an executed agreement carries the Fund’s signature and takes the "
            "organisation’s",
        )
    return document


def sign_for_organisation(
    db: Database, user: User, document_id: int, p12: bytes, passphrase: str
) -> StoredDocument:
    """A new stored document: ``document_id``'s PDF with the organisation's signature added
    (the original's bytes unchanged). 422 (``OrganisationKeyError``'s safe message) when the
    PKCS#12 file or passphrase cannot sign."""
    from service.routes.documents import stored_bytes
    from workflows.runtime import document_store

    original = organisation_may_sign(db, user, document_id)
    try:
        signed = add_organisation_signature(
            stored_bytes(original), p12, passphrase.encode("utf-8"), original.language, utcnow()
        )
    except OrganisationKeyError as error:
        raise UnusableSigningKey(error) from None
    stored = document_store().put(signed.pdf, "pdf")
    with db.transaction() as session:
        fresh = session.get(StoredDocument, original.id)
        assert fresh is not None
        row = record_organisation_signature(
            session,
            fresh,
            stored,
            user,
            certificate_fingerprint=signed.certificate_fingerprint,
            subject_common_name=signed.subject_common_name,
        )
        session.flush()
        session.expunge(row)
    return row
