"""Accepted action requests: the only authority a flow run can act on.

grantflow records each accepted request (user, action, payload, key) in its own database; a
Prefect flow run carries only the request's id and a random token. Whoever carries the run out
(the service in-process, or a worker) reloads the request and the user with their *current*
roles from here, so a flow run created behind grantflow's back (with parameters claiming any
actor) has nothing to act on, and a user revoked while their request waited is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models import lifecycle
from models.context import Actor
from models.errors import ActionRejected, IdempotencyConflict, NotPermitted
from models.tables import ActionRequest, AuditEvent, User

TOKEN_BYTES = 24


class ForgedRequest(ActionRejected):
    """A flow run that does not name a request grantflow accepted (or names it wrongly)."""

    status = 403
    code = "forged-flow-run"
    title = "Not a request grantflow accepted"


def engine_key(request: ActionRequest) -> str:
    """The engine's idempotency key: one transition per accepted request, however often run."""
    return f"request:{request.id}"


def flow_run_key(request: ActionRequest) -> str:
    """Prefect's idempotency key for the request's flow run: one run per request.

    Unique beyond this database (a digest of the request's random token): a Prefect server
    outlives a database restored from backup or recreated, and must not answer a new request
    with an old request's run because their ids coincide.
    """
    digest = hashlib.sha256(request.token.encode()).hexdigest()[:32]
    return f"request:{request.id}:{digest}"


def find_request(session: Session, user_id: int, idempotency_key: str) -> ActionRequest | None:
    """The caller's own earlier request under this key (another user's key is not seen)."""
    return session.exec(
        select(ActionRequest).where(
            ActionRequest.user_id == user_id, ActionRequest.idempotency_key == idempotency_key
        )
    ).first()


def same_request(request: ActionRequest, grant_id: int, action: str, request_hash: str) -> None:
    """Raise when the caller reuses their key for a different request."""
    if (request.grant_id, request.action, request.request_hash) != (
        grant_id,
        action,
        request_hash,
    ):
        raise IdempotencyConflict(
            "idempotency key was already used for a different request "
            f"('{request.action}' on grant {request.grant_id})"
        )


def new_request(
    *,
    grant_id: int,
    action: str,
    user_id: int,
    payload: dict[str, Any] | None,
    request_hash: str,
    idempotency_key: str | None,
    as_of: datetime | None,
) -> ActionRequest:
    lifecycle.require_action(action)
    return ActionRequest(
        grant_id=grant_id,
        action=action,
        user_id=user_id,
        payload=payload or {},
        request_hash=request_hash,
        idempotency_key=idempotency_key,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        as_of=as_of,
    )


GENUINE_PARAMETERS = ("request_id", "token")


def screen_parameters(parameters: dict[str, Any]) -> ForgedRequest | None:
    """A genuine flow run carries a request's id and token and nothing else."""
    unexpected = sorted(set(parameters) - set(GENUINE_PARAMETERS))
    if not unexpected:
        return None
    return ForgedRequest(
        "the flow run carries parameters grantflow never sets: " + ", ".join(unexpected)[:200]
    )


def verified_request(session: Session, request_id: Any, token: Any, stage: str) -> ActionRequest:
    """The accepted request a flow run names, or ``ForgedRequest``.

    A run is genuine only when it names an accepted request with that request's token, and
    the request's action belongs to the flow's family. Tokens are compared in constant time.
    """
    if not isinstance(request_id, int) or isinstance(request_id, bool) or request_id < 1:
        raise ForgedRequest("the flow run names no request")
    request = session.get(ActionRequest, request_id)
    if (
        request is None
        or not isinstance(token, str)
        or not hmac.compare_digest(request.token.encode(), token.encode())
    ):
        raise ForgedRequest(f"the flow run does not carry request {request_id}'s token")
    if lifecycle.resolve_stage(request.action) != stage:
        raise ForgedRequest(f"request {request_id} does not belong to this flow")
    return request


def current_actor(session: Session, request: ActionRequest) -> Actor:
    """The requesting user as they are now: revoked users and removed roles count."""
    user = session.get(User, request.user_id)
    if user is None or not user.active:
        raise NotPermitted(
            f"the user who made request {request.id} is no longer active; it was not carried out"
        )
    return Actor(user.id, user.name, tuple(user.roles), user.organisation_id)  # type: ignore[arg-type]


def forged_run_denial(flow_run_id: str | None, error: ForgedRequest) -> AuditEvent:
    """The one audit event a forged flow run leaves: no actor, no grant, a bounded reason."""
    return AuditEvent(
        grant_id=None,
        actor_id=None,
        actor_name="unknown (a Prefect flow run grantflow did not create)",
        role="none",
        action="carry_out_request",
        outcome="denied",
        rule=error.code,
        payload_summary={"reason": error.message[:300]},
        flow_run_id=flow_run_id,
    )
