"""Lifecycle actions: what the caller may do now, and doing it (one Prefect flow run)."""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Response
from fastapi.responses import JSONResponse

from models import lifecycle
from models.engine import Readiness, check_action, readiness_in
from models.errors import GuardFailed, InvalidPayload, WrongState
from models.grant_rows import subject_rows
from models.tables import ActionRequest
from service.action_keys import ActionKey
from service.authz import grant_for
from service.deps import CurrentUser, DatabaseDep, GrantId, actor_of, off_the_loop
from service.problems import BODY_PROBLEMS, problem_responses
from service.schemas import (
    MAX_ID,
    ActionAvailable,
    ActionResult,
    ActionSubmitted,
    BlockedBy,
    TargetReadiness,
)
from workflows.actions import run_request_answering_early, run_request_inline
from workflows.deployments import submit_request
from workflows.execution import execution_mode
from workflows.requests import accept_request, earlier_request, previous_outcome

router = APIRouter(
    prefix="/api/v1/grants", tags=["actions"], responses=problem_responses(401, 404, 422)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a request with the same key to get the first answer; nothing "
        "changes twice.",
    ),
]

Prefer = Annotated[
    str | None,
    Header(
        alias="Prefer",
        max_length=1000,
        description="`respond-async` (RFC 7240): answer 202 as soon as the step is committed; "
        "its documents follow (`documents_pending`).",
    ),
]
RESPOND_ASYNC = "respond-async"


def prefers_async(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    if not prefer:
        return False
    return any(
        preference.split(";")[0].split("=")[0].strip().lower() == RESPOND_ASYNC
        for preference in prefer.split(",")
    )


def _targets(session, grant, action: lifecycle.Action, read: dict | None = None) -> list[int]:  # type: ignore[no-untyped-def]
    """The sequences of the grant's instalments, reports or amendments ``action`` applies to
    now; ``read`` keeps each subject's rows once read, for the next action on that subject."""
    if action.subject == "grant":
        return []
    if grant.state not in action.grant_states:
        return []
    read = {} if read is None else read
    if action.subject not in read:
        read[action.subject] = subject_rows(session, grant.id, action.subject)
    return [row.sequence for row in read[action.subject] if row.state in action.from_states]


def _numbers_fit(payload: Any, path: str = "") -> None:
    """A number past a signed 64-bit integer cannot be stored or looked up: 422, not a crash."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            _numbers_fit(value, f"{path}.{key}" if path else str(key))
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            _numbers_fit(value, f"{path}.{index}" if path else str(index))
    elif isinstance(payload, int) and not -MAX_ID - 1 <= payload <= MAX_ID:
        field = path or "body"
        raise InvalidPayload(
            f"invalid payload: {field}: the number is too large",
            [{"field": field, "message": "must fit in a signed 64-bit integer"}],
        )


def _blocked(found: Readiness) -> list[BlockedBy]:
    return [BlockedBy(rule=rule, message=message) for rule, message in found.blocked]


@functools.cache
def _payload_schema(action: lifecycle.Action) -> dict[str, Any]:
    """The JSON schema of the action's payload: declared once, so made once."""
    return action.payload.model_json_schema()


def _asked(action: lifecycle.Action, targets: list[int]) -> list[tuple[str, int | None]]:
    """What ``readiness_of`` is asked about ``action``: the grant, or each of its targets."""
    if action.subject == "grant":
        return [(action.key, None)]
    return [(action.key, target) for target in targets]


def _offer(action: lifecycle.Action, targets: list[int], found: list[Readiness]):  # type: ignore[no-untyped-def]
    """The action as offered to the user now (``found``: its readiness, for the grant or for
    each of ``targets``), or None when it is not theirs to take here."""
    if action.subject == "grant":
        if not found[0].offered:
            return None
        ready, blocked, each = found[0].ready, _blocked(found[0]), []
        first = found[0]
    else:
        offered = [(t, f) for t, f in zip(targets, found, strict=True) if f.offered]
        if not offered:
            return None
        each = [
            TargetReadiness(sequence=t, ready=f.ready, blocked_by=_blocked(f)) for t, f in offered
        ]
        targets = [t for t, _ in offered]
        ready = any(item.ready for item in each)
        blocked = [] if ready else [b for item in each for b in item.blocked_by]
        first = offered[0][1]
    return ActionAvailable(
        key=action.key,
        label=action.label,
        subject=action.subject,
        targets=targets,
        ready=ready,
        blocked_by=blocked,
        payload_rules=list(first.payload_rules),
        target_readiness=each,
        documents=list(action.documents),
        payload_schema=_payload_schema(action),
    )


@router.get(
    "/{grant_id}/actions",
    response_model=list[ActionAvailable],
    summary="The actions you may take on this grant now, each with its payload schema",
)
@off_the_loop
def available_actions(
    grant_id: GrantId, user: CurrentUser, db: DatabaseDep
) -> list[ActionAvailable]:
    """The lifecycle actions you may take on this grant now, each with its payload's JSON
    schema, the instalments or reports it applies to, and whether the fund's rules hold now
    (with the rule and reason when they do not; rules over the payload are checked when it is
    sent). An action already taken by you (a conflict declaration, your scores) or reserved to
    someone else (the review coordinator's recommendation) is not offered.
    """
    candidates = []
    subjects: dict = {}  # each subject's rows, read once for every action on it
    with db.reading() as session:
        grant = grant_for(session, user, grant_id)
        for action in lifecycle.ACTIONS:
            if not any(role in action.roles for role in user.roles):
                continue
            acting = actor_of(user).acting_role(action.roles)
            confined = acting is not None and lifecycle.reach_of(acting) == "own_organisation"
            if confined and user.organisation_id != grant.organisation_id:
                # Held for its own organisation only (an applicant who also reviews, on a
                # panel's grant): not theirs here, and asking the engine would answer 404.
                continue
            if action.subject == "grant" and grant.state not in action.from_states_for(acting):
                continue
            targets = _targets(session, grant, action, subjects)
            if action.subject != "grant" and not targets:
                continue
            candidates.append((action, targets))
        # Every candidate's readiness over one read of the grant's rows, in this session.
        asked = [pair for action, targets in candidates for pair in _asked(action, targets)]
        found = iter(
            readiness_in(session, grant, grant_id, actor_of(user), asked, subjects=subjects)
        )
    answers = []
    for action, targets in candidates:
        offer = _offer(action, targets, [next(found) for _ in _asked(action, targets)])
        if offer is not None:
            answers.append(offer)
    return answers


@router.post(
    "/{grant_id}/actions/{action}",
    response_model=ActionResult,
    responses={
        **problem_responses(*BODY_PROBLEMS, 409),
        202: {
            "model": ActionResult | ActionSubmitted,
            "description": "With `Prefer: respond-async` (`inline` mode): the step is "
            "committed, its documents are on their way (`ActionResult`, `documents_pending` "
            "naming them; header `Preference-Applied: respond-async`). In `deployment` mode: "
            "the flow run is queued for a worker (`ActionSubmitted`).",
        },
    },
    summary="Take a lifecycle action (runs its Prefect flow)",
    description=(
        "The body is the action's payload (see `GET .../actions` for its schema). The answer "
        "carries the new state, the documents produced and the Prefect flow run id. A guard "
        "that does not hold answers 409 naming the rule; a bad payload 422 naming the field. "
        "In `deployment` execution mode the answer is 202 with the queued flow run's id; the "
        "transition then appears in the grant's history.\n\n"
        "`Prefer: respond-async` (RFC 7240, `inline` mode) answers as soon as the step's "
        "transition has committed: 202, `Preference-Applied: respond-async`, the same body "
        "with `documents` empty (or those already stored) and `documents_pending` naming the "
        "kinds still being produced. The step's flow run goes on producing them; they appear "
        "in `GET .../documents` and leave `documents_pending` once stored, and a step cut off "
        "before then keeps owing them until the owed-documents flow produces them. A refusal "
        "is still answered with its problem (409, 422). A repeat with the same "
        "`Idempotency-Key` and the header gets the step's record as it stands (202 while "
        "documents are pending); without the header it waits for the documents, as ever."
    ),
)
async def take_action(
    grant_id: GrantId,
    action: ActionKey,
    user: CurrentUser,
    db: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    payload: Annotated[dict[str, Any] | None, Body(examples=[{"sequence": 1}])] = None,
    prefer: Prefer = None,
) -> ActionResult | JSONResponse:
    def visible_reference() -> str:
        with db.reading() as session:
            return grant_for(session, user, grant_id).reference

    lifecycle.require_action(action)  # before anything that may record a denial
    reference = await asyncio.to_thread(visible_reference)
    _numbers_fit(payload)
    actor = actor_of(user)
    try:
        await asyncio.to_thread(check_action, db, grant_id, action, actor, payload)
    except (WrongState, GuardFailed):
        # The rules may no longer hold because this very request already happened: then it
        # is answered from its record. That answer comes from inside the run gate (below),
        # once the first request's run has stored its documents, so every repeat gets the
        # same answer as the first.
        earlier = (
            await asyncio.to_thread(
                earlier_request, user.id, grant_id, action, payload, idempotency_key
            )
            if idempotency_key
            else None
        )
        if earlier is None or await asyncio.to_thread(previous_outcome, earlier) is None:
            raise
    request = await asyncio.to_thread(
        accept_request, grant_id, action, user.id, payload, idempotency_key
    )
    if execution_mode() == "deployment":
        return await _submitted(request, reference)
    if prefers_async(prefer):
        return await _answered_early(request, reference, response)
    outcome = await run_request_inline(request, reference)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ActionResult(**outcome.model_dump())


async def _answered_early(
    request: ActionRequest, reference: str, response: Response
) -> ActionResult | JSONResponse:
    """``Prefer: respond-async``: 202 once the step is committed, its documents on their way.

    A run that ended before it could answer early (nothing was carried out again: a repeat
    whose step is whole) answers 200 as without the header.
    """
    outcome, early = await run_request_answering_early(request, reference)
    body = ActionResult(**outcome.model_dump())
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    if not early or (outcome.replayed and not outcome.documents_pending):
        response.headers.update(headers)
        return body
    headers["Preference-Applied"] = RESPOND_ASYNC
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers)


async def _submitted(request: ActionRequest, reference: str) -> JSONResponse:
    run = await submit_request(request, reference)
    body = ActionSubmitted(
        grant_id=request.grant_id,
        reference=reference,
        action=request.action,
        flow_run_id=str(run.id),
        flow_run_name=run.name,
        state=run.state.name if run.state else "Scheduled",
        history_url=f"/api/v1/grants/{request.grant_id}/history",
    )
    return JSONResponse(body.model_dump(), status_code=202)
