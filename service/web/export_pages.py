"""Downloads from the pages: the officers' CSV lists (with the pipeline's filters) and an
organisation's own export, each answering what its API route answers to the signed-in person.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from service.deps import DatabaseDep, OrganisationId
from service.exports.lists import LIST_NAMES, GrantFilters, ListName
from service.routes.exports import organisation_export_file, served_list
from service.web.access import Page
from service.web.home import Filters

router = APIRouter(include_in_schema=False)


def list_filters(filters: Filters) -> GrantFilters:
    """The pipeline's filters (already checked by ``Filters.from_request``) as the lists'."""
    return GrantFilters(
        state=filters.state or None,
        fund=filters.fund or None,
        organisation_id=int(filters.organisation) if filters.organisation else None,
        fiscal_year=int(filters.fiscal_year) if filters.fiscal_year else None,
    )


def _list_page(name: ListName) -> None:
    def download(request: Request, context: Page, db: DatabaseDep) -> Response:
        assert context.signed_in is not None
        filters = list_filters(Filters.from_request(request))
        return served_list(db, context.signed_in.user, name, filters, "page")

    download.__name__ = f"{name}_csv_page"
    router.get(f"/exports/{name}.csv")(download)


for _name in LIST_NAMES:
    _list_page(_name)


@router.get("/organisations/{organisation_id}/export")
async def organisation_export_page(
    organisation_id: OrganisationId, context: Page, db: DatabaseDep
) -> FileResponse:
    assert context.signed_in is not None
    return await organisation_export_file(organisation_id, context.signed_in.user, db, "page")
