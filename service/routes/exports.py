"""Exports: the officers' CSV lists and an organisation's own records (ZIP)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from documents.storage import StorageIntegrityError
from models.access_log import Channel, record_read, role_among
from models.data_return import ReturnPackageAltered
from models.tables import Organisation, User
from models.visibility import organisation_roles
from service.authz import one_of
from service.deps import MAX_ID, CurrentUser, DatabaseDep, OrganisationId
from service.exports.lists import (
    LIST_NAMES,
    CsvList,
    GrantFilters,
    ListName,
    list_readers,
    read_list,
)
from service.exports.organisation import authorize_organisation_export, write_organisation_export
from service.problems import Problem, problem_responses
from service.routes.documents import attachment
from service.routes.grants import GrantStateKey, StageKey

router = APIRouter(prefix="/api/v1", tags=["exports"], responses=problem_responses(401, 422))
logger = logging.getLogger(__name__)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
ZIP_MEDIA_TYPE = "application/zip"


def csv_response(exported: CsvList) -> Response:
    return Response(
        exported.to_bytes(),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": attachment(exported.filename),
            "Cache-Control": "private, no-cache",
        },
    )


def _existing_organisation(db: DatabaseDep, organisation_id: int | None) -> int | None:
    """The list's organisation filter as the read's organisation, when there is one by that
    id: a filter naming no organisation lists nothing of anyone's."""
    if organisation_id is None:
        return None
    with db.reading() as session:
        return organisation_id if session.get(Organisation, organisation_id) else None


def served_list(
    db: DatabaseDep, user: User, name: ListName, filters: GrantFilters, channel: Channel
) -> Response:
    """The list as CSV, its read recorded in the access log before it is answered."""
    exported = read_list(db, user, name, filters)
    record_read(
        db,
        reader=user,
        role=role_among(user, list_readers()),
        kind="csv_export",
        channel=channel,
        organisation_id=_existing_organisation(db, filters.organisation_id),
    )
    return csv_response(exported)


LIST_DESCRIPTIONS = {
    "grants": "Every grant you may see that the filters keep, one row each: reference, fund, "
    "organisation, project, state and stage, requested and approved amounts (cents), fiscal "
    "years, dates.",
    "payments": "The instalments of those grants: grant reference, sequence, kind, the Ontario "
    "fiscal year it falls due in, due date, amount and planned amount (cents), state, when it "
    "was initiated and released.",
    "reports": "The outcome reports of those grants: grant reference, sequence, kind, period, "
    "due date, state, when submitted and reviewed, expenditure (cents). Their counts are not "
    "listed: counts are published only with small-cell suppression.",
}


def _list_route(name: ListName) -> None:
    def export_list(
        user: CurrentUser,
        db: DatabaseDep,
        state: Annotated[GrantStateKey | None, Query()] = None,
        stage: Annotated[StageKey | None, Query()] = None,
        fund: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
        organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    ) -> Response:
        filters = GrantFilters(
            state=state.value if state else None,
            stage=stage.value if stage else None,
            fund=fund,
            organisation_id=organisation_id,
            fiscal_year=fiscal_year,
        )
        return served_list(db, user, name, filters, "api")

    export_list.__name__ = f"export_{name}_csv"
    export_list.__doc__ = (
        f"{LIST_DESCRIPTIONS[name]} CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheets "
        "read accents and syllabics; a text cell that would start a formula begins with an "
        f"apostrophe). Staff who see every grant ({one_of(list_readers())}); the grant list's "
        "filters."
    )
    router.get(
        f"/exports/{name}.csv",
        response_class=Response,
        responses={200: {"content": {CSV_MEDIA_TYPE: {}}}, **problem_responses(403)},
        summary=f"The {name} list as CSV (staff)",
    )(export_list)


for _name in LIST_NAMES:
    _list_route(_name)


@router.get(
    "/organisations/{organisation_id}/export",
    response_class=FileResponse,
    responses={200: {"content": {ZIP_MEDIA_TYPE: {}}}, **problem_responses(403, 404, 500)},
    summary="Everything grantflow holds for the organisation (ZIP; its signing authority)",
)
async def export_organisation(
    organisation_id: OrganisationId, user: CurrentUser, db: DatabaseDep
) -> FileResponse:
    """The organisation's records in open formats, for its signing authority (the applicant
    who signs in with the address of one of its contacts with signing authority): JSON
    records of the organisation, its contacts and every grant (budget, payments, outcome
    reports with their counts, the review and decision as the organisation sees them, the
    grant's history), the same as CSV, every document addressed to it (PDF and DOCX), a
    manifest of SHA-256 digests and `verify.py`, a standard-library Python script that
    checks the unpacked folder against it. Another organisation, or one you may not see,
    answers 404; staff and the organisation's other users 403 (the installation's operator
    runs `grantflow org export`).
    """

    return await organisation_export_file(organisation_id, user, db, "api")


async def organisation_export_file(
    organisation_id: int, user: User, db: DatabaseDep, channel: Channel
) -> FileResponse:
    """The organisation's export for ``user`` (refused unless its signing authority), its
    read recorded in the access log before the file is answered."""

    def authorized() -> None:
        with db.reading() as session:
            authorize_organisation_export(session, user, organisation_id)

    await asyncio.to_thread(authorized)
    from workflows.runtime import document_store

    scratch = Path(tempfile.mkdtemp(prefix="grantflow-org-export-"))
    target = scratch / f"organisation-{organisation_id}-export.zip"
    try:
        await asyncio.to_thread(
            write_organisation_export, db, organisation_id, target, document_store()
        )
        await asyncio.to_thread(
            record_read,
            db,
            reader=user,
            role=role_among(user, organisation_roles()),
            kind="organisation_export",
            channel=channel,
            organisation_id=organisation_id,
        )
    except (StorageIntegrityError, FileNotFoundError, ReturnPackageAltered) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        logger.error("organisation %s export: a stored document failed: %r", organisation_id, error)
        raise Problem(
            500,
            "document-corrupted",
            "A stored document failed its integrity check",
            "a stored document or return package of this organisation is missing or no longer "
            "matches its SHA-256, so no export was made; an administrator should run "
            "'grantflow audit verify' and restore the file from a backup",
        ) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return FileResponse(
        target,
        media_type=ZIP_MEDIA_TYPE,
        filename=target.name,
        headers={"Cache-Control": "private, no-store"},
        background=BackgroundTask(shutil.rmtree, scratch, True),
    )
