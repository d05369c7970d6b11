"""The organisation's own digital signature, added from the grant page.

Beside the executed agreement, the organisation's signing authority (and no one else) sees a
form: their PKCS#12 file and its passphrase. It posts here as multipart/form-data; the file
and passphrase are used in this request only (``service.signatures``), never kept, logged or
echoed back. A file that cannot sign comes back as an error beside its field; success sends
the person back to the grant page, where the new document (both signatures) is listed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select
from starlette.datastructures import UploadFile

from documents.issuing import is_signed
from models.db import Database
from models.errors import NotFound
from models.organisation_signatures import ORGANISATION_SIGNATURE_ADDED, signing_contact_of
from models.tables import AuditEvent, Grant, StoredDocument, User
from service.deps import DatabaseDep, DocumentId, GrantId
from service.schemas import DocumentPublic
from service.signatures import UnusableSigningKey, organisation_may_sign, sign_for_organisation
from service.web.access import FormPost
from service.web.forms import FormErrors

router = APIRouter(include_in_schema=False)

# Which field an unusable key's error sits beside: a file that does not open is most often a
# mistyped passphrase; a certificate out of its dates is the file's.
FIELD_OF_REASON = {"unreadable": "passphrase", "not_yet_valid": "pkcs12", "expired": "pkcs12"}


@dataclass(frozen=True)
class SignatureOffer:
    document_id: int
    language: str


@dataclass(frozen=True)
class SignaturePosted:
    """The signature form that came back with errors: for which document, and what is wrong
    (nothing of what was uploaded or typed is shown again)."""

    document_id: int
    errors: FormErrors


def signature_offers(
    db: Database, user: User, grant_id: int, documents: list[DocumentPublic]
) -> list[SignatureOffer]:
    """The Fund-signed PDFs of ``grant_id`` that ``user``, as its organisation's signing
    authority, may sign too (not those an organisation's signature already produced)."""
    signable = [d for d in documents if is_signed(d.kind, d.format)]
    if not signable:
        return []
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        if grant is None or signing_contact_of(session, user, grant) is None:
            return []
        produced_by_signatures = set(
            session.exec(
                select(AuditEvent.id).where(
                    AuditEvent.grant_id == grant_id,
                    AuditEvent.action == ORGANISATION_SIGNATURE_ADDED,
                )
            )
        )
    return [
        SignatureOffer(d.id, d.language)
        for d in signable
        if d.audit_event_id not in produced_by_signatures
    ]


def _belongs_to(db: Database, document_id: int, grant_id: int) -> None:
    """404 for a document that is not the grant's (whether it exists elsewhere or not)."""
    with db.reading() as session:
        document = session.get(StoredDocument, document_id)
        if document is None or document.grant_id != grant_id:
            raise NotFound(f"document {document_id} does not exist")


@router.post(
    "/grants/{grant_id}/documents/{document_id}/organisation-signature",
    response_class=HTMLResponse,
)
async def add_organisation_signature(
    grant_id: GrantId, document_id: DocumentId, request: Request, context: FormPost, db: DatabaseDep
) -> Response:
    from service.web.grant_page import render_grant_page

    assert context.signed_in is not None
    t = context.t
    # Who may sign is checked before the form is read (404, then 403), as for the actions.
    await asyncio.to_thread(_belongs_to, db, document_id, grant_id)
    await asyncio.to_thread(organisation_may_sign, db, context.signed_in.user, document_id)
    form = await request.form()
    upload = form.get("pkcs12")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    passphrase = str(form.get("passphrase") or "")
    errors = FormErrors()
    if not data:
        errors.by_field["pkcs12"] = t("signature.error.no_file")
    else:
        try:
            await asyncio.to_thread(
                sign_for_organisation, db, context.signed_in.user, document_id, data, passphrase
            )
        except UnusableSigningKey as error:
            errors.by_field[FIELD_OF_REASON[error.reason]] = t(f"signature.error.{error.reason}")
        else:
            return RedirectResponse(
                f"/grants/{grant_id}?signed=organisation#organisation-signature", status_code=303
            )
    posted = SignaturePosted(document_id, errors)
    return await render_grant_page(context, db, grant_id, signature_posted=posted, status_code=422)
