"""The data-governance agreement's page: read it (the organisation's users and the staff who
see every grant), propose new terms and accept the other party's proposal (the two signing
authorities only). The forms go through the API's own functions
(``service.routes.data_agreements``): the same checks, the same refusals; a refusal the page
can explain comes back on the page, in the reader's language."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.data_agreement import AT_CLOSE, NOTES_READERS, PURPOSES, SECONDARY_USES, propose
from models.errors import ActionRejected
from models.tables import Organisation
from service.deps import DatabaseDep, OrganisationId
from service.routes.data_agreements import (
    AgreementVersionNumber,
    accept_data_agreement,
    agreement_view,
)
from service.web.access import FormPost, Page
from service.web.rendering import PageContext, render

router = APIRouter(include_in_schema=False)
EXPLAINED = (
    "agreement-unchanged",
    "agreement-proposal-pending",
    "agreement-own-proposal",
    "agreement-proposal-decided",
    "invalid-payload",
)


def _page(
    context: PageContext, db: Any, organisation_id: int, status: int = 200, **values: Any
) -> HTMLResponse:
    assert context.signed_in is not None
    values = {"done": None, "errors": None, **values}
    view = agreement_view(db, context.signed_in.user, organisation_id)
    with db.reading() as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        name = organisation.operating_name or organisation.legal_name
    return render(
        context,
        "data_agreement.html.j2",
        status,
        page_path=f"/organisations/{organisation_id}/data-agreement",
        view=view,
        organisation_name=name,
        choices={
            "purposes": PURPOSES,
            "notes_readers": NOTES_READERS,
            "secondary_use": SECONDARY_USES,
            "at_close": AT_CLOSE,
        },
        **values,
    )


@router.get("/organisations/{organisation_id}/data-agreement", response_class=HTMLResponse)
def agreement_page(
    organisation_id: OrganisationId, context: Page, db: DatabaseDep, done: str | None = None
) -> HTMLResponse:
    shown = done if done in ("proposed", "accepted") else None
    return _page(context, db, organisation_id, done=shown)


def _refused(
    context: PageContext, db: Any, organisation_id: int, error: ActionRejected
) -> HTMLResponse:
    if error.code not in EXPLAINED:
        raise error
    message = context.t(f"agreement.refused.{error.code}")
    return _page(
        context, db, organisation_id, error.status, errors={"general": [message], "by_field": {}}
    )


def _terms(form: Any) -> dict[str, Any]:
    retention = str(form.get("retention_years") or "").strip()
    return {
        "purposes": [str(p) for p in form.getlist("purposes")],
        "notes_readers": str(form.get("notes_readers") or ""),
        "retention_years": int(retention) if retention.isdigit() else retention,
        "secondary_use": str(form.get("secondary_use") or ""),
        "at_close": str(form.get("at_close") or ""),
    }


@router.post("/organisations/{organisation_id}/data-agreement/proposals", response_model=None)
async def propose_page(
    organisation_id: OrganisationId, request: Request, context: FormPost, db: DatabaseDep
) -> Response:
    assert context.signed_in is not None
    terms = _terms(await request.form())
    user = context.signed_in.user

    def propose_terms() -> None:
        # The API's order: the organisation must be visible (404), the user a party (403),
        # then the terms are checked (422).
        agreement_view(db, user, organisation_id)
        with db.transaction() as session:
            propose(session, user, organisation_id, terms)

    try:
        await asyncio.to_thread(propose_terms)
    except ActionRejected as error:
        return _refused(context, db, organisation_id, error)
    return RedirectResponse(
        f"/organisations/{organisation_id}/data-agreement?done=proposed#status", status_code=303
    )


@router.post(
    "/organisations/{organisation_id}/data-agreement/proposals/{version}/acceptance",
    response_model=None,
)
async def accept_page(
    organisation_id: OrganisationId,
    version: AgreementVersionNumber,
    context: FormPost,
    db: DatabaseDep,
) -> Response:
    assert context.signed_in is not None
    try:
        await asyncio.to_thread(
            accept_data_agreement, organisation_id, version, context.signed_in.user, db
        )
    except ActionRejected as error:
        return _refused(context, db, organisation_id, error)
    return RedirectResponse(
        f"/organisations/{organisation_id}/data-agreement?done=accepted#status", status_code=303
    )
