"""Audit: verify the whole trail, and take a grant's dossier away."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from models.access_log import Channel, record_read, role_among
from models.db import Database
from models.tables import User
from models.visibility import auditing_roles
from service.authz import grant_for, require_role
from service.deps import CurrentUser, DatabaseDep, GrantId
from service.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=problem_responses(401, 403))


class VerificationPublic(BaseModel):
    intact: bool
    events_checked: int
    documents_checked: int
    checkpoints_checked: int
    root: str
    failure: str | None


@router.get(
    "/audit/verify",
    response_model=VerificationPublic,
    summary="Rebuild the audit tree and check it against every checkpoint and document hash",
)
async def verify_audit(user: CurrentUser, db: DatabaseDep) -> VerificationPublic:
    """Rebuild the audit log's Merkle tree (RFC 6962), check it against every saved checkpoint and
    every stored document's bytes against its recorded hash. Auditors and admins.
    """
    from documents.audit.verification import verify
    from workflows.runtime import document_store

    require_role(user, auditing_roles(), "verifying the audit trail")
    result = await asyncio.to_thread(verify, db, files=document_store())
    return VerificationPublic(
        intact=result.intact,
        events_checked=result.events_checked,
        documents_checked=result.documents_checked,
        checkpoints_checked=result.checkpoints_checked,
        root=result.root,
        failure=result.failure,
    )


@router.get(
    "/grants/{grant_id}/dossier",
    summary="The grant's audit dossier (ZIP): history, proofs, report, documents, verifier",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}},
        **problem_responses(404, 422, 500),
    },
)
async def grant_dossier(grant_id: GrantId, user: CurrentUser, db: DatabaseDep) -> FileResponse:
    """A ZIP an auditor can take away: the grant's history (JSON and CSV, with leaf data and
    inclusion proofs), the checkpoint, a PDF audit report, every document, a SHA-256
    manifest and a standalone verifier. Sealed community notes are withheld unless the
    organisation's data agreement allows them. Each export is recorded in the access log
    (`GET /api/v1/access-events`); one that cannot be recorded is not sent (500).
    """
    return await dossier_file(grant_id, user, db, "api")


async def dossier_file(grant_id: int, user: User, db: Database, channel: Channel) -> FileResponse:
    """The grant's dossier to ``user`` (the API's and the page's): checked, built, its reading
    recorded in the access log (a failure to record fails the export), then sent."""
    from documents.audit.dossier import build_dossier
    from workflows.runtime import document_store

    def visible_grant() -> tuple[str, int]:
        with db.reading() as session:
            grant = grant_for(session, user, grant_id)
            return grant.reference, grant.organisation_id

    reference, organisation_id = await asyncio.to_thread(visible_grant)
    auditing = auditing_roles()
    require_role(user, auditing, "exporting an audit dossier")
    scratch = Path(tempfile.mkdtemp(prefix="grantflow-dossier-"))
    target = scratch / f"{reference}-dossier.zip"
    try:
        # A GET changes nothing: no checkpoint is made here; events after the last checkpoint
        # are proven against a fresh root and flagged as such in the dossier.
        await asyncio.to_thread(
            build_dossier, db, grant_id, target, files=document_store(), make_checkpoint=False
        )
        await asyncio.to_thread(
            record_read,
            db,
            reader=user,
            role=role_among(user, auditing),
            kind="dossier",
            channel=channel,
            organisation_id=organisation_id,
            grant_id=grant_id,
        )
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return FileResponse(
        target,
        media_type="application/zip",
        filename=target.name,
        background=BackgroundTask(shutil.rmtree, scratch, True),
    )
