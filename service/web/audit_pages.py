"""Reading pages: a document's file, the audit trail's check, a grant's dossier.

Each answers what the API's route answers, to the signed-in person, and changes nothing:
checking the trail makes no checkpoint and the dossier is built from what is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from service.deps import DatabaseDep, DocumentId, GrantId
from service.routes.audit import dossier_file, verify_audit
from service.routes.documents import serve_document
from service.web.access import Page
from service.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/documents/{document_id}/file")
def document_file(
    document_id: DocumentId, request: Request, context: Page, db: DatabaseDep
) -> Response:
    assert context.signed_in is not None
    return serve_document(document_id, request, context.signed_in.user, db, "page")


@router.get("/grants/{grant_id}/dossier")
async def dossier(grant_id: GrantId, context: Page, db: DatabaseDep) -> FileResponse:
    assert context.signed_in is not None
    return await dossier_file(grant_id, context.signed_in.user, db, "page")


@router.get("/audit/verify", response_class=HTMLResponse)
async def verify_page(context: Page, db: DatabaseDep) -> HTMLResponse:
    assert context.signed_in is not None
    result = await verify_audit(context.signed_in.user, db)
    return render(context, "verify.html.j2", result=result)
