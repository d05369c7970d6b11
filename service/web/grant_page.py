"""``/grants/{id}``: a grant's page, its action forms, its documents and its timeline.

The page asks the API's own functions (``service.routes``) for what it shows, so a page and
the API never disagree: the grant as ``GET /api/v1/grants/{id}``, the actions as
``GET .../actions``, the documents, the history with each step's Prefect flow run. An action
posted from a form goes the API's way too (``take_action``): checked, accepted, run as a flow.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import select

from models import lifecycle
from models.errors import GuardFailed, IdempotencyConflict, InvalidPayload, WrongState
from models.provisioning import ApplicationInput
from models.tables import BudgetLine, Instalment, OutcomeReport, User
from models.visibility import declared
from service.authz import (
    applicant_view_of,
    grant_for,
    is_own_applicant,
    may_see_organisation,
    require_role,
    sees_every_grant,
)
from service.deps import DatabaseDep, GrantId
from service.routes.actions import available_actions, take_action
from service.routes.grants import grant_documents, history_answer
from service.schemas import ActionAvailable, GrantPublic
from service.views import PANEL_MEMBER
from service.web.access import FormPost, Page
from service.web.document_copies import copy_offers
from service.web.forms import (
    FieldGroup,
    FormErrors,
    FormField,
    budget_values,
    fields_of,
    payload_from,
    translated,
    validation_errors,
)
from service.web.prefect_links import flow_run_url
from service.web.rendering import PageContext, render
from service.web.signature_pages import SignaturePosted, signature_offers
from workflows.document_copies import OTHER_LANGUAGE

router = APIRouter(include_in_schema=False)
# Actions whose payload edits the application: their forms start from what it holds now.
EDITS_THE_APPLICATION = frozenset(
    action.key
    for action in lifecycle.ACTIONS
    if set(action.payload.model_fields) & set(ApplicationInput.model_fields)
)


@dataclass(frozen=True)
class ActionForm:
    key: str
    target: int | None  # the instalment's or report's sequence, for their actions
    offer: ActionAvailable
    fields: list[FormField | FieldGroup]
    idempotency_key: str

    @property
    def anchor(self) -> str:
        return f"action-{self.key}" + (f"-{self.target}" if self.target else "")


@dataclass
class Posted:
    """A form that came back with errors: which one, what was typed, what is wrong."""

    anchor: str
    values: dict[str, str]
    errors: FormErrors


def _people_choices(db) -> dict[str, FormField]:  # type: ignore[no-untyped-def]
    """Fields that name a person offered as a choice of people, not a number to type: the
    review coordinator among those who may coordinate a review."""
    coordinating = lifecycle.roles_taking_actions_guarded_by("actor_is_review_coordinator")
    with db.reading() as session:
        users = session.exec(select(User).where(User.active).order_by(User.name)).all()
    officers = [u for u in users if set(u.roles) & set(coordinating)]
    return {
        "coordinator_id": FormField(
            "coordinator_id",
            "select",
            False,
            "field.coordinator_id",
            options=tuple(str(u.id) for u in officers),
            translated_options=False,
            option_labels=tuple(u.name for u in officers),
            hint_key="hint.coordinator",
        )
    }


def _with_choices(
    fields: list[FormField | FieldGroup], choices: dict[str, FormField]
) -> list[FormField | FieldGroup]:
    return [choices.get(f.name, f) if isinstance(f, FormField) else f for f in fields]


def _forms(offers: list[ActionAvailable], choices: dict[str, FormField]) -> list[ActionForm]:
    forms = []
    for offer in offers:
        action = lifecycle.require_action(offer.key)
        hidden = ("sequence",) if action.subject != "grant" else ()
        fields = _with_choices(fields_of(action.payload, hidden=hidden), choices)
        targets = offer.targets if action.subject != "grant" else [None]
        for target in targets:
            forms.append(ActionForm(offer.key, target, offer, fields, secrets.token_urlsafe(16)))
    return forms


@dataclass(frozen=True)
class DocumentRow:
    """One document as a reader thinks of it, with its PDF and DOCX files."""

    kind: str
    subject_key: str
    language: str
    version: int
    created_at: object
    files: tuple[tuple[str, int], ...]  # (format, stored document id)


def _document_rows(documents: list) -> list[DocumentRow]:  # type: ignore[type-arg]
    rows: dict[tuple, DocumentRow] = {}  # type: ignore[type-arg]
    for d in documents:
        key = (d.kind, d.subject_key, d.language, d.version)
        found = rows.get(key)
        files = (*(found.files if found else ()), (d.format, d.id))
        rows[key] = DocumentRow(d.kind, d.subject_key, d.language, d.version, d.created_at, files)
    return list(rows.values())


def _may_attempt(db, user, grant_id: int, action: lifecycle.Action) -> None:  # type: ignore[no-untyped-def]
    """Before reading the form: 404 for a grant the user may not see, 403 for an action none
    of their roles takes (what the form says is only read for someone who may send it)."""
    with db.reading() as session:
        grant_for(session, user, grant_id)
    require_role(user, action.roles, f"{action.key.replace('_', ' ')}")


def _current_values(db, grant: GrantPublic, context: PageContext) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the grant holds now, under the names payload fields use: a form that edits the
    application (``amend_application``) starts from it."""
    with db.reading() as session:
        lines = session.exec(select(BudgetLine).where(BudgetLine.grant_id == grant.id)).all()
    values = budget_values(
        "budget", {line.fiscal_year: line.requested_cents for line in lines}, context.t
    )
    for name, value in grant.model_dump().items():
        if value is None or isinstance(value, list | dict):
            continue
        if name.endswith("_cents"):
            values[name] = context.t.amount(value)
        elif hasattr(value, "isoformat"):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values


def _payments_and_reports(db, user, grant_id: int):  # type: ignore[no-untyped-def]
    """The grant's instalments and reports, for whoever sees its money (not the panel)."""
    with db.reading() as session:
        grant = grant_for(session, user, grant_id)
        if not (sees_every_grant(user) or is_own_applicant(user, grant)):
            return [], [], applicant_view_of(user, grant)
        instalments = session.exec(
            select(Instalment).where(Instalment.grant_id == grant_id).order_by(Instalment.sequence)
        ).all()
        reports = session.exec(
            select(OutcomeReport)
            .where(OutcomeReport.grant_id == grant_id)
            .order_by(OutcomeReport.sequence)
        ).all()
        return list(instalments), list(reports), applicant_view_of(user, grant)


async def _grant_page(
    context: PageContext,
    db,  # type: ignore[no-untyped-def]
    grant_id: int,
    posted: Posted | None = None,
    status_code: int = 200,
    signature_posted: SignaturePosted | None = None,
) -> HTMLResponse:
    from service.routes.grants import read_grant

    assert context.signed_in is not None
    user = context.signed_in.user
    # The API's own reads, each already run off the event loop (``service.deps.off_the_loop``).
    grant = await read_grant(grant_id, user, db)
    offers = await available_actions(grant_id, user, db)
    documents = await grant_documents(grant_id, user, db)
    instalments, reports, applicant_view = await asyncio.to_thread(
        _payments_and_reports, db, user, grant_id
    )
    history = await history_answer(grant_id, user, db, Response(), "page")
    done = context.request.query_params.get("done", "")
    copied = context.request.query_params.get("copied", "")
    return render(
        context,
        "grant.html.j2",
        status_code,
        page_path=f"/grants/{grant_id}",
        grant=grant,
        audience="own"
        if applicant_view
        else "staff",  # whose words: the organisation's own, or staff
        forms=_forms(offers, await asyncio.to_thread(_people_choices, db)),
        documents=_document_rows(documents),
        copy_offers=await asyncio.to_thread(copy_offers, db, user, documents),
        copied=copied if copied in OTHER_LANGUAGE else "",
        signature_offers=await asyncio.to_thread(signature_offers, db, user, grant_id, documents),
        signature_posted=signature_posted,
        signed_now=context.request.query_params.get("signed") == "organisation",
        instalments=instalments,
        reports=reports,
        history=history,
        posted=posted,
        done=done if lifecycle.action(done) or done == "create_application" else "",
        flow_run_url=flow_run_url,
        show_flow_runs=sees_every_grant(user),
        may_audit=any(v.audits for v in declared(user.roles)),
        sees_agreement=may_see_organisation(user, grant.organisation_id),
        panel_member=PANEL_MEMBER,
        current=await asyncio.to_thread(_current_values, db, grant, context),
        prefilled=EDITS_THE_APPLICATION,
    )


async def render_grant_page(
    context: PageContext,
    db,  # type: ignore[no-untyped-def]
    grant_id: int,
    *,
    signature_posted: SignaturePosted | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The grant page, with the organisation's signature form's errors (``signature_pages``)."""
    return await _grant_page(
        context, db, grant_id, status_code=status_code, signature_posted=signature_posted
    )


@router.get("/grants/{grant_id}", response_class=HTMLResponse)
async def grant_page(grant_id: GrantId, context: Page, db: DatabaseDep) -> HTMLResponse:
    return await _grant_page(context, db, grant_id)


# The path parameter is named ``action`` as on the API's route: a refusal is recorded under
# the action's key (``service.problems._record_if_denied`` reads it), not the route template.
@router.post("/grants/{grant_id}/actions/{action}", response_class=HTMLResponse)
async def post_action(
    grant_id: GrantId,
    request: Request,
    context: FormPost,
    db: DatabaseDep,
    action_key: Annotated[str, Path(alias="action")],
) -> Response:
    assert context.signed_in is not None
    action = lifecycle.require_action(action_key)
    await asyncio.to_thread(_may_attempt, db, context.signed_in.user, grant_id, action)
    form = await request.form()
    posted_values = {k: str(v) for k, v in form.items() if k not in ("csrf_token",)}
    hidden = ("sequence",) if action.subject != "grant" else ()
    fields = fields_of(action.payload, hidden=hidden)
    payload, errors = payload_from(fields, posted_values, context.t.language)
    errors = translated(errors, context.t)
    if not errors:
        errors = validation_errors(action.payload, payload, context.t)
    target = posted_values.get("sequence")
    anchor = f"action-{action_key}" + (f"-{target}" if target and target.isdigit() else "")
    if not errors:
        outcome = await _take(context, db, grant_id, action_key, payload, posted_values)
        if isinstance(outcome, FormErrors):
            errors = outcome
        else:
            return RedirectResponse(
                f"/grants/{grant_id}?done={action_key}#outcome", status_code=303
            )
    posted = Posted(anchor, posted_values, errors)
    status = 409 if errors.general and not errors.by_field else 422
    return await _grant_page(context, db, grant_id, posted, status)


async def _take(
    context: PageContext,
    db,  # type: ignore[no-untyped-def]
    grant_id: int,
    action_key: str,
    payload: dict[str, Any],
    posted: dict[str, str],
) -> FormErrors | None:
    """Take the action the API's way; a refusal becomes the form's errors, in its language."""
    assert context.signed_in is not None
    t = context.t
    key = (posted.get("idempotency_key") or "")[:200] or None
    try:
        await take_action(
            grant_id, action_key, context.signed_in.user, db, Response(), key, payload or None
        )
    except GuardFailed as error:
        return FormErrors(
            general=[_rule_sentence(t, rule, message) for rule, message in error.failures]
        )
    except WrongState:
        return FormErrors(general=[t("action.wrong_state")])
    except IdempotencyConflict:
        return FormErrors(general=[t("action.already_sent")])
    except InvalidPayload as error:
        return FormErrors(
            by_field={e["field"]: _field_message(t, e) for e in error.errors if e.get("field")},
            general=[] if error.errors else [t("validation.invalid")],
        )
    return None


def _rule_sentence(t, rule: str, message: str) -> str:  # type: ignore[no-untyped-def]
    """A rule's refusal: its specific sentence on an English page, the rule's plain French
    explanation on a French page (the engine's sentences are English)."""
    if t.language == "en":
        return message[:1].upper() + message[1:] + "."
    return t(f"rule.{rule}") if t.has(f"rule.{rule}") else t("rule.unknown")


def _field_message(t, error: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    return error["message"] if t.language == "en" else t("validation.invalid")
