"""The one entry point for every change of state.

``apply_action`` checks, in this order, that the action exists, the actor holds a role that
may take it (an applicant only on its own organisation's grants), the payload is valid, the
subject is in a state the action leaves from, and every named guard holds. Then it runs the
action's effect, moves the state and appends the audit event, all in one transaction: any
failure leaves the database as it was. An idempotency key makes a repeated call return the
first result and change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models import denials, lifecycle, notifications
from models.clock import as_utc, utcnow
from models.context import ActionContext, Actor
from models.db import Database
from models.effects import run_effect
from models.errors import (
    GuardFailed,
    IdempotencyConflict,
    InvalidPayload,
    NotFound,
    NotPermitted,
    WrongState,
    validate_or_explain,
)
from models.governed import engine_window
from models.grant_rows import GrantRows, ReadingContext, context_over, lock_if
from models.guards import ABOUT_THE_ACTOR, GUARDS, READS_PAYLOAD
from models.payloads import Payload
from models.request_key import request_hash_key
from models.tables import (
    Amendment,
    AuditEvent,
    Grant,
    Instalment,
    OutcomeReport,
    OwedDocument,
)


@dataclass(frozen=True)
class TransitionResult:
    event_id: int
    grant_id: int
    reference: str
    action: str
    subject: str
    subject_id: int | None
    from_state: str | None
    to_state: str | None
    grant_state: str
    documents: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    subject_sequence: int | None = None

    @property
    def subject_key(self) -> str:
        """'' for the grant itself, else e.g. 'instalment-2': which instalment or report."""
        return "" if self.subject == "grant" else f"{self.subject}-{self.subject_sequence}"


def parse_payload(action: lifecycle.Action, raw: dict[str, Any] | Payload | None) -> Payload:
    return validate_or_explain(action.payload, raw, f"payload for '{action.key}'")


def _authorize(
    session: Session, grant_id: int, action: lifecycle.Action, actor: Actor, *, lock: bool
) -> tuple[Grant, str]:
    """Load the grant (locked when ``lock``) and decide who may act on it.

    An applicant never learns whether another organisation's grant exists: whatever the
    action, such a grant answers exactly like a missing one.
    """
    grant = session.exec(
        lock_if(select(Grant).where(Grant.id == grant_id), session, lock=lock)
    ).first()
    return grant, _acting_role(grant, grant_id, action, actor)  # type: ignore[return-value]


def _acting_role(grant: Grant | None, grant_id: int, action: lifecycle.Action, actor: Actor) -> str:
    """The role in which ``actor`` takes ``action`` on ``grant`` (None: no such grant), or the
    refusal: 404 for a grant beyond the actor's reach, 403 for an action none of its roles
    may take."""
    # The declared reach (models.visibility), the same notion service.authz reads.
    beyond_own = lifecycle.reaches_other_organisations(actor.roles)
    if grant is None or (not beyond_own and actor.organisation_id != grant.organisation_id):
        raise NotFound(f"grant {grant_id} does not exist")
    role = actor.acting_role(action.roles)
    if role is None:
        raise NotPermitted(
            f"'{action.key}' may be taken by {', '.join(action.roles)}; "
            f"{actor.name} holds {', '.join(actor.roles) or 'no role'}"
        )
    confined = lifecycle.reach_of(role) == "own_organisation"
    if confined and actor.organisation_id != grant.organisation_id:
        raise NotFound(f"grant {grant_id} does not exist")
    return role


def _load_context(
    session: Session,
    grant: Grant,
    role: str,
    action: lifecycle.Action,
    actor: Actor,
    payload: Payload,
    now: datetime,
    *,
    lock: bool,
) -> ActionContext:
    rows = GrantRows(session, grant, actor, [payload], lock=lock).load_all()
    ctx = context_over(rows, grant, role, action, actor, payload, now)
    ctx.subject = _find_subject(ctx)
    return ctx


def _find_subject(ctx: ActionContext) -> Instalment | OutcomeReport | Amendment | None:
    if ctx.action.subject == "grant":
        return None
    sequence = ctx.payload.sequence  # type: ignore[attr-defined]
    rows: list[Any] = {
        "instalment": ctx.instalments,
        "report": ctx.reports,
        "amendment": ctx.amendments,
    }[ctx.action.subject]
    subject = next((row for row in rows if row.sequence == sequence), None)
    if subject is None:
        raise InvalidPayload(
            f"{ctx.grant.reference} has no {ctx.action.subject} {sequence}",
            [{"field": "sequence", "message": f"no {ctx.action.subject} {sequence}"}],
        )
    return subject


def _check_states(ctx: ActionContext) -> str:
    action, grant = ctx.action, ctx.grant
    if action.subject == "grant":
        current = grant.state
    else:
        if grant.state not in action.grant_states:
            raise WrongState(
                f"'{action.key}' is not available while {grant.reference} is {grant.state}; "
                f"the grant must be {' or '.join(action.grant_states)}"
            )
        assert ctx.subject is not None
        current = ctx.subject.state
    if current not in action.from_states:
        raise WrongState(
            f"'{action.key}' is not available while {action.subject} "
            f"{'' if action.subject == 'grant' else str(ctx.subject.sequence) + ' '}"  # type: ignore[union-attr]
            f"is {current}; it applies to: {', '.join(action.from_states)}"
        )
    if current not in action.from_states_for(ctx.role):
        raise WrongState(
            f"'{action.key}' is not available to {ctx.role} while {action.subject} is "
            f"{current}; {ctx.role} may take it from: "
            f"{', '.join(action.from_states_for(ctx.role))}"
        )
    return current


def failed_guards(ctx: ActionContext) -> list[tuple[str, str]]:
    failures = []
    for name in ctx.action.guards:
        message = GUARDS[name](ctx)
        if message is not None:
            failures.append((name, message))
    return failures


def fingerprint(action_key: str, payload: dict[str, Any] | Payload | None) -> str:
    """What a request asked for, so a reused idempotency key with a new request is caught: an
    HMAC-SHA256 under the installation's key (``models.request_key``), so that the audit
    trail's copy confirms no guess of a text the payload carried."""
    body = payload.model_dump(mode="json") if isinstance(payload, Payload) else (payload or {})
    canonical = json.dumps([action_key, body], sort_keys=True, default=str)
    return hmac.new(request_hash_key(), canonical.encode(), hashlib.sha256).hexdigest()


def _replay(
    session: Session, key: str, grant_id: int, action_key: str, request_hash: str
) -> TransitionResult | None:
    event = session.exec(select(AuditEvent).where(AuditEvent.idempotency_key == key)).first()
    if event is None:
        return None
    if (
        event.grant_id != grant_id
        or event.action != action_key
        or event.request_hash != request_hash
    ):
        raise IdempotencyConflict(
            f"idempotency key was already used for a different request ('{event.action}' on "
            f"grant {event.grant_id})"
        )
    grant = session.get(Grant, grant_id)
    assert grant is not None
    action = lifecycle.ACTIONS_BY_KEY[action_key]
    return TransitionResult(
        event_id=event.id,  # type: ignore[arg-type]
        grant_id=grant_id,
        reference=grant.reference,
        action=action_key,
        subject=event.subject,
        subject_id=event.subject_id,
        from_state=event.from_state,
        to_state=event.to_state,
        grant_state=event.payload_summary.get("grant_state", grant.state),
        documents=action.documents,
        details=dict(event.payload_summary.get("details", {})),
        replayed=True,
        subject_sequence=event.payload_summary.get("sequence"),
    )


def _evaluate(
    session: Session,
    grant_id: int,
    action_key: str,
    actor: Actor,
    raw_payload: dict[str, Any] | Payload | None,
    now: datetime,
    *,
    lock: bool,
) -> tuple[ActionContext, str]:
    action = lifecycle.require_action(action_key)
    grant, role = _authorize(session, grant_id, action, actor, lock=lock)
    payload = parse_payload(action, raw_payload)
    ctx = _load_context(session, grant, role, action, actor, payload, now, lock=lock)
    from_state = _check_states(ctx)
    failures = failed_guards(ctx)
    if failures:
        raise GuardFailed(failures)
    return ctx, from_state


def check_action(
    db: Database,
    grant_id: int,
    action_key: str,
    actor: Actor,
    payload: dict[str, Any] | Payload | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Run every check ``apply_action`` would, read-only. Raises the same errors.

    Takes no row locks: a readiness question neither waits for a running action nor holds one
    up. Its answer can be overtaken; ``apply_action`` decides again under its locks.
    """
    with db.reading() as session:
        moment = as_utc(now or utcnow())
        _evaluate(session, grant_id, action_key, actor, payload, moment, lock=False)
        session.rollback()


@dataclass(frozen=True)
class Readiness:
    """Where an action stands for one user before they send its payload.

    ``offered`` is False when a rule about the user's own part on the grant fails (not on its
    panel, already scored, not its coordinator): the action is not theirs to take here.
    ``blocked`` lists the failing rules that do not depend on the payload; the rules that do
    (``payload_rules``) are checked when it is sent.
    """

    offered: bool
    blocked: tuple[tuple[str, str], ...]
    payload_rules: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return self.offered and not self.blocked


def readiness(
    db: Database,
    grant_id: int,
    action_key: str,
    actor: Actor,
    *,
    sequence: int | None = None,
    now: datetime | None = None,
) -> Readiness:
    """The checks ``check_action`` runs, before any payload: authorization, states (of the
    instalment or report ``sequence`` for actions on one) and every payload-free guard.
    Raises what ``check_action`` raises for authorization and states; takes no locks."""
    return readiness_of(db, grant_id, actor, [(action_key, sequence)], now=now)[0]


def readiness_of(
    db: Database,
    grant_id: int,
    actor: Actor,
    asked: Sequence[tuple[str, int | None]],
    *,
    now: datetime | None = None,
) -> list[Readiness]:
    """``readiness`` of each (action, instalment or report sequence) asked, in order, read in
    one session. Raises, at the first one that fails, what ``readiness`` would."""
    actions = [lifecycle.require_action(key) for key, _ in asked]
    if not actions:
        return []
    with db.reading() as session:
        grant = session.exec(select(Grant).where(Grant.id == grant_id)).first()
        answers = readiness_in(session, grant, grant_id, actor, asked, now=now)
        session.rollback()
    return answers


def readiness_in(
    session: Session,
    grant: Grant | None,
    grant_id: int,
    actor: Actor,
    asked: Sequence[tuple[str, int | None]],
    *,
    now: datetime | None = None,
    subjects: Mapping[str, Sequence[Any]] | None = None,
) -> list[Readiness]:
    """``readiness_of`` in the caller's read-only ``session``, on ``grant`` as it loaded it
    (None: there is none with ``grant_id``). The grant's rows are loaded once for every action
    asked (guards only read their context); nothing is written or locked. ``subjects``: the
    grant's instalments, reports or amendments the caller read already (``subject_rows``)."""
    moment = as_utc(now or utcnow())
    actions = [lifecycle.require_action(key) for key, _ in asked]
    unsent = [
        action.payload.model_construct(**({} if sequence is None else {"sequence": sequence}))
        for action, (_, sequence) in zip(actions, asked, strict=True)
    ]
    answers = []
    rows: GrantRows | None = None
    for action, payload in zip(actions, unsent, strict=True):
        role = _acting_role(grant, grant_id, action, actor)
        assert grant is not None
        if rows is None:
            rows = GrantRows(session, grant, actor, unsent, lock=False, subjects=subjects)
        ctx = ReadingContext(rows, grant, role, action, actor, payload, moment)
        ctx.subject = _find_subject(ctx)
        _check_states(ctx)
        payload_free = [name for name in action.guards if name not in READS_PAYLOAD]
        failures = [(name, GUARDS[name](ctx)) for name in payload_free]
        blocked = tuple((name, message) for name, message in failures if message is not None)
        answers.append(
            Readiness(
                offered=not any(name in ABOUT_THE_ACTOR for name, _ in blocked),
                blocked=blocked,
                payload_rules=tuple(name for name in action.guards if name in READS_PAYLOAD),
            )
        )
    return answers


def apply_action(
    db: Database,
    grant_id: int,
    action_key: str,
    actor: Actor,
    payload: dict[str, Any] | Payload | None = None,
    *,
    now: datetime | None = None,
    idempotency_key: str | None = None,
    flow_run_id: str | None = None,
) -> TransitionResult:
    moment = as_utc(now or utcnow())
    request_hash = fingerprint(action_key, payload)
    with db.transaction() as session:
        if idempotency_key:
            _authorize(session, grant_id, lifecycle.require_action(action_key), actor, lock=True)
            replayed = _replay(session, idempotency_key, grant_id, action_key, request_hash)
            if replayed is not None:
                return replayed
        ctx, from_state = _evaluate(
            session, grant_id, action_key, actor, payload, moment, lock=True
        )
        action = ctx.action
        run_effect(session, ctx)
        subject_row = ctx.grant if action.subject == "grant" else ctx.subject
        assert subject_row is not None
        if action.to_state is not None:
            with engine_window():
                subject_row.state = action.to_state
        session.add(subject_row)
        session.add(ctx.grant)
        summary = ctx.payload.audit_summary()
        summary["details"] = ctx.details
        summary["grant_state"] = ctx.grant.state
        event = AuditEvent(
            grant_id=ctx.grant.id,
            subject=action.subject,
            subject_id=subject_row.id,
            actor_id=actor.user_id,
            actor_name=actor.name,
            role=ctx.role,
            action=action.key,
            from_state=from_state,
            to_state=action.to_state or from_state,
            payload_summary=summary,
            flow_run_id=flow_run_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash if idempotency_key else None,
            occurred_at=moment,
        )
        session.add(event)
        session.flush()
        # The messages the step raises, in its own transaction: never lost, never doubled.
        notifications.after_action(session, ctx.grant, event, ctx.fund.staff_language)
        for kind in action.documents:
            # Owed in the step's own transaction: documents that fail to render stay owed
            # (and visibly pending) until a later attempt stores them, never silently lost.
            session.add(OwedDocument(grant_id=ctx.grant.id, audit_event_id=event.id, kind=kind))
        return TransitionResult(
            event_id=event.id,  # type: ignore[arg-type]
            grant_id=ctx.grant.id,  # type: ignore[arg-type]
            reference=ctx.grant.reference,
            action=action.key,
            subject=action.subject,
            subject_id=subject_row.id,
            from_state=from_state,
            to_state=action.to_state or from_state,
            grant_state=ctx.grant.state,
            documents=action.documents,
            details=dict(ctx.details),
            subject_sequence=getattr(ctx.subject, "sequence", None),
        )


# Appends a denied audit event in its own transaction (the refused change left nothing); what
# it keeps is bounded and repeats are aggregated (models.denials).
record_denial = denials.record
