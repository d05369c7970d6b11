"""``/applications/new``: an organisation starts an application (a draft grant).

The form is made from the application's own schema (``models.provisioning.ApplicationInput``),
its budget as one amount per Ontario fiscal year of the project. The draft is created the
API's way (``create_grant``) and opens on its page, where it is submitted or edited.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from models.errors import InvalidPayload, NotPermitted
from models.provisioning import ApplicationInput
from models.tables import Fund, Organisation
from service.authz import application_scope
from service.deps import DatabaseDep
from service.routes.grants import create_grant
from service.schemas import ApplicationRequest
from service.web.access import FormPost, Page
from service.web.forms import (
    FormErrors,
    FormField,
    fields_of,
    payload_from,
    translated,
    validation_errors,
)
from service.web.rendering import PageContext, render

router = APIRouter(include_in_schema=False)


def _fields(funds: list[str], organisations: list[tuple[int, str]]) -> list[FormField]:
    """The application's fields; staff who apply for any organisation also choose which."""
    fields = [f for f in fields_of(ApplicationInput) if isinstance(f, FormField)]
    chosen = [
        FormField(
            "fund_code",
            "select",
            True,
            "field.fund_code",
            options=tuple(funds),
            translated_options=False,
        )
        if f.name == "fund_code"
        else f
        for f in fields
    ]
    if organisations:
        organisation = FormField(
            "organisation_id",
            "select",
            True,
            "field.organisation_id",
            options=tuple(str(i) for i, _name in organisations),
            translated_options=False,
            option_labels=tuple(name for _i, name in organisations),
        )
        chosen.insert(0, organisation)
    return chosen


def _choices(db, user) -> tuple[list[str], list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """The funds, and the organisations ``user`` chooses among (none: its own)."""
    with db.reading() as session:
        funds = list(session.exec(select(Fund.code).order_by(Fund.code)).all())
        organisations: list[tuple[int, str]] = []
        if application_scope(user) == "any_organisation":
            organisations = [
                (row[0], row[1])
                for row in session.exec(
                    select(Organisation.id, Organisation.legal_name).order_by(
                        Organisation.legal_name
                    )
                ).all()
            ]
    return funds, organisations


def _page(
    context: PageContext,
    db,  # type: ignore[no-untyped-def]
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert context.signed_in is not None
    if application_scope(context.signed_in.user) == "none":
        raise NotPermitted("starting an application needs a role that applies")
    return render(
        context,
        "application_new.html.j2",
        status_code,
        page_path="/applications/new",
        fields=_fields(*_choices(db, context.signed_in.user)),
        values=values or {},
        errors=errors or FormErrors(),
    )


@router.get("/applications/new", response_class=HTMLResponse)
def new_application(context: Page, db: DatabaseDep) -> HTMLResponse:
    return _page(context, db)


@router.post("/applications/new", response_class=HTMLResponse)
async def create_application_from_form(
    request: Request, context: FormPost, db: DatabaseDep
) -> Response:
    assert context.signed_in is not None
    if application_scope(context.signed_in.user) == "none":
        raise NotPermitted("starting an application needs a role that applies")
    form = await request.form()
    posted = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    fields = _fields(*await asyncio.to_thread(_choices, db, context.signed_in.user))
    data, errors = payload_from(fields, posted, context.t.language)
    errors = translated(errors, context.t)
    if not errors:
        errors = validation_errors(ApplicationRequest, data, context.t)
    if not errors:
        try:
            body = ApplicationRequest.model_validate(data)
            grant = await asyncio.to_thread(
                create_grant, body, context.signed_in.user, db, Response()
            )
        except InvalidPayload as error:
            errors = FormErrors(
                general=[
                    error.message if context.t.language == "en" else context.t("validation.invalid")
                ]
            )
        else:
            return RedirectResponse(
                f"/grants/{grant.id}?done=create_application#outcome", status_code=303
            )
    return _page(context, db, posted, errors, 422)
