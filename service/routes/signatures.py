"""Signed documents over HTTP: the Fund's certificate, verifying a PDF, and an organisation's
own signature on its executed agreement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from service.deps import CurrentUser, DatabaseDep, DocumentId, bearer, current_user
from service.problems import MULTIPART_PROBLEMS, problem_responses
from service.schemas import DocumentPublic
from service.signatures import (
    fund_certificate_pem,
    sign_for_organisation,
    stored_matches,
    verification_answer,
    verify_upload,
)
from service.views import document_public

router = APIRouter(prefix="/api/v1", tags=["signatures"])

MAX_PASSPHRASE = 1024


@router.get(
    "/fund-certificate",
    response_class=Response,
    responses={
        200: {"content": {"application/x-pem-file": {}}, "description": "PEM certificate"},
        **problem_responses(500),
    },
    summary="The Fund's signing certificate (PEM)",
)
def fund_certificate() -> Response:
    """The certificate the Fund signs executed agreements with, in PEM: validate a signed
    PDF against it with any PAdES validator. Public, like the signatures it validates."""
    return Response(
        fund_certificate_pem(),
        media_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="grantflow-fund-certificate.pem"'},
    )


@router.post(
    "/documents/verification",
    responses=problem_responses(400, 401, 413, 415, 422, 500, described=MULTIPART_PROBLEMS),
    summary="Verify a signed PDF",
)
def verify_document(
    request: Request,
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    file: Annotated[UploadFile, File(description="The PDF to verify")],
) -> dict[str, Any]:
    """Whether the uploaded PDF is intact, each signature (signer, signing time, whether it
    chains to the Fund's certificate, covers the whole file, was made with a development
    key), and which stored documents it is. The cryptographic answer is for anyone; the
    stored documents it matches are listed only to a caller (bearer token) who may read
    them, and ``stored`` is null without a token. A token that is sent must be valid (401)."""
    caller = None if credentials is None else current_user(request, db, credentials)
    data = file.file.read()
    verification = verify_upload(data)
    matches = stored_matches(db, verification.sha256, caller)
    return verification_answer(verification, matches, caller is not None)


@router.post(
    "/documents/{document_id}/organisation-signature",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentPublic,
    responses=problem_responses(
        400, 401, 403, 404, 409, 410, 413, 415, 422, 500, described=MULTIPART_PROBLEMS
    ),
    summary="Add the organisation's own signature to an executed agreement",
)
def organisation_signature(
    document_id: DocumentId,
    user: CurrentUser,
    db: DatabaseDep,
    pkcs12: Annotated[UploadFile, File(description="The organisation's PKCS#12 (.p12) file")],
    passphrase: Annotated[str, Form(max_length=MAX_PASSPHRASE)] = "",
) -> DocumentPublic:
    """Sign the executed agreement's PDF with the organisation's own certificate: only its
    signing authority may (403 for other users who can read it, 404 for those who cannot).
    The answer is a new stored document carrying the Fund's and the organisation's
    signatures; the original's bytes never change. The key and passphrase are used for this
    request only and never kept. 422 for a file that is not PKCS#12, a wrong passphrase or a
    certificate not valid today."""
    data = pkcs12.file.read()
    return document_public(sign_for_organisation(db, user, document_id, data, passphrase))
