"""One async Prefect flow per lifecycle action family (stage).

Each run is named ``<reference> · <action>`` and tagged ``grant:<id>``, ``stage:<stage>`` and
``action:<action>``. Its only parameters are an accepted request's id and token
(``models.requests``): who asked, what they asked and their roles are read from grantflow's
database, never from Prefect. Flows orchestrate; the rules live in ``models``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from prefect import flow, tags
from prefect.flows import Flow

from models.context import Actor
from models.engine import TransitionResult
from models.errors import ActionRejected
from models.lifecycle import STAGES, resolve_stage
from models.requests import ForgedRequest, forged_run_denial, verified_request
from models.tables import ActionRequest
from workflows.faults import hold_run_if_asked
from workflows.gate import needs_run_gate
from workflows.grant_artifact import publish_grant_steps
from workflows.once import once
from workflows.owed_documents import produce_owed, produce_owed_documents
from workflows.prefect_adapter import (
    ask_each_server_once,
    lean_task_runs,
    retry_locked_answers_quickly,
    share_tls_context,
)
from workflows.readiness import until_ready
from workflows.requests import (
    ActionOutcome,
    accept_request,
    event_documents,
    note_flow_run,
    note_outcome,
    previous_outcome,
)
from workflows.runtime import database
from workflows.tasks import Refused, apply_transition, current_flow_run_id, send_step_messages

RUN_NAME = "{reference} · {action}"

__all__ = [
    "ActionOutcome",
    "FAMILY_FLOWS",
    "RequestRefused",
    "finish_answered_runs",
    "run_action_inline",
    "run_request_answering_early",
]

logger = logging.getLogger("grantflow.actions")

# Every process that runs grantflow's flows imports this module (see the functions).
retry_locked_answers_quickly()
share_tls_context()
ask_each_server_once()


class RequestRefused(RuntimeError):
    """How a refused request ends its flow run: ids and the refusal's code, nothing else.

    The refusal itself (with its message) is in grantflow's audit trail; an in-process caller
    gets the original error back (``run_request_inline``).
    """


# Where an in-process caller collects the original refusal of the request it runs.
_refusal_holder: ContextVar[list[ActionRejected] | None] = ContextVar(
    "grantflow_refusal_holder", default=None
)


# Where an in-process caller that asked for an early answer (``run_request_answering_early``)
# is told the step's outcome as soon as its transition has committed and been noted.
_early_answer: ContextVar[asyncio.Future[ActionOutcome] | None] = ContextVar(
    "grantflow_early_answer", default=None
)


def _answer_early(outcome: ActionOutcome) -> None:
    waiting = _early_answer.get()
    if waiting is not None and not waiting.done():
        waiting.set_result(outcome)


def record_forged_run(flow_run_id: str | None, error: ForgedRequest) -> None:
    with database().transaction() as session:
        session.add(forged_run_denial(flow_run_id, error))


def _verify(request_id: Any, token: Any, stage: str) -> int:
    run_id = current_flow_run_id()
    try:
        with database().reading() as session:
            request = verified_request(session, request_id, token, stage)
    except ForgedRequest as error:
        record_forged_run(run_id, error)
        raise RequestRefused(f"flow run refused ({error.code})") from None
    if run_id:
        note_flow_run(request.id, run_id)  # type: ignore[arg-type]
    return request.id  # type: ignore[return-value]


async def carry_out(request_id: Any, token: Any, stage: str) -> ActionOutcome:
    verified = await asyncio.to_thread(_verify, request_id, token, stage)
    result: TransitionResult | Refused = await asyncio.to_thread(apply_transition, verified)
    await asyncio.to_thread(
        note_outcome,
        verified,
        "refused" if isinstance(result, Refused) else "applied",
        None if isinstance(result, Refused) else result.event_id,
    )
    if isinstance(result, Refused):
        holder = _refusal_holder.get()
        if holder is not None:
            holder.append(result.error)
        raise RequestRefused(f"request {verified} refused ({result.error.code})")
    if _early_answer.get() is not None:
        # The step is committed and its documents durably owed: the caller may have its answer
        # now, and this run carries on producing them (DESIGN.md: "a step is whole").
        documents, pending = await asyncio.to_thread(event_documents, result.event_id)
        _answer_early(_outcome(result, documents, pending))
    await hold_run_if_asked("after-transition", result.action)
    documents, pending = await produce_owed(result.event_id)
    await asyncio.to_thread(send_step_messages, result.event_id)
    await publish_grant_steps(result.grant_id)
    return _outcome(result, documents, pending)


def _outcome(
    result: TransitionResult, documents: list[dict[str, Any]], pending: list[str]
) -> ActionOutcome:
    return ActionOutcome(
        grant_id=result.grant_id,
        reference=result.reference,
        action=result.action,
        subject=result.subject,
        subject_id=result.subject_id,
        from_state=result.from_state,
        to_state=result.to_state,
        grant_state=result.grant_state,
        event_id=result.event_id,
        flow_run_id=current_flow_run_id(),
        replayed=result.replayed,
        documents=documents,
        documents_pending=pending,
    )


def _family(stage: str) -> Flow:
    # Prefect refuses parameters a flow does not declare before the flow starts (and would
    # record no denial), so ``grantflow worker`` screens runs with others first
    # (``screen_parameters``); the flow itself checks the request and its token.
    async def run(request_id: int | None = None, token: str | None = None) -> ActionOutcome:
        # run_request_inline tags the flow run (grant, stage, action); its tasks go untagged.
        with lean_task_runs():
            return await carry_out(request_id, token, stage)

    run.__name__ = stage
    return flow(
        name=f"grantflow-{stage.replace('_', '-')}",
        description=f"Carry out an accepted {stage.replace('_', ' ')} request on one grant.",
        persist_result=False,
        validate_parameters=False,
    )(run)


FAMILY_FLOWS: dict[str, Flow] = {stage: _family(stage) for stage in STAGES}

# Each family flow by name, so a deployment's entrypoint (``workflows.actions:<stage>_flow``)
# tells Prefect's UI, and any process loading it, which code the deployment runs.
intake_flow = FAMILY_FLOWS["intake"]
community_review_flow = FAMILY_FLOWS["community_review"]
approval_flow = FAMILY_FLOWS["approval"]
agreement_flow = FAMILY_FLOWS["agreement"]
disbursement_flow = FAMILY_FLOWS["disbursement"]
outcome_reporting_flow = FAMILY_FLOWS["outcome_reporting"]
close_out_flow = FAMILY_FLOWS["close_out"]


def family_entrypoint(stage: str) -> str:
    """The family flow's Prefect entrypoint, ``<module>:<name>``."""
    return f"{__name__}:{stage}_flow"


_gates: dict[int, asyncio.Lock] = {}


def run_gate() -> AbstractAsyncContextManager[object]:
    """One in-process flow run at a time per event loop when Prefect's database is SQLite (it
    locks under concurrent in-process runs); no gate on a Prefect server on PostgreSQL, where
    ``once`` and the engine's locks keep each request to one transition."""
    if not needs_run_gate():
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    return _gates.setdefault(id(loop), asyncio.Lock())


def run_name(reference: str, action: str) -> str:
    return RUN_NAME.format(reference=reference, action=action)


async def run_request_inline(request: ActionRequest, reference: str) -> ActionOutcome:
    """Carry out an accepted request in this process and wait for it.

    Runs go one at a time per process while Prefect's database is SQLite (``run_gate``). A
    request with an Idempotency-Key runs at most one flow across every process of the
    installation (``workflows.once``); repeats wait for it and get the first answer.
    """
    await until_ready()  # under serve, an early request waits for the Prefect server
    stage = resolve_stage(request.action)
    family = FAMILY_FLOWS[stage].with_options(flow_run_name=run_name(reference, request.action))

    async def run() -> ActionOutcome:
        with tags(f"grant:{request.grant_id}", f"stage:{stage}", f"action:{request.action}"):
            holder: list[ActionRejected] = []
            reset = _refusal_holder.set(holder)
            try:
                return await family(request.id, request.token)
            except RequestRefused:
                if holder:
                    raise holder[0] from None
                raise
            finally:
                _refusal_holder.reset(reset)

    if request.idempotency_key and _early_answer.get() is not None:
        # A caller asking for an early answer to a request already carried out gets its record
        # as it stands now; the rest of this (trying owed documents again) goes on after it.
        answered = await asyncio.to_thread(previous_outcome, request)
        if answered is not None:
            _answer_early(answered)
    async with run_gate():
        if not request.idempotency_key:
            return await run()
        answered = await asyncio.to_thread(previous_outcome, request)
        if answered is not None and answered.documents_pending:
            # A repeat of a step that still owes documents is the moment to try them again.
            await produce_owed_documents(event_id=answered.event_id)
        return await once(
            f"request:{request.id}",
            request.grant_id,
            request.action,
            lambda: previous_outcome(request),
            run,
        )


# Runs whose caller was answered early and that are still producing their step's documents:
# held here so they are not garbage-collected mid-run, and so serve can wait for them.
_answered_runs: set[asyncio.Task[ActionOutcome]] = set()


def _after_answered_run(task: asyncio.Task[ActionOutcome]) -> None:
    _answered_runs.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        # The caller already has its answer; what the step still owes stays owed and visibly
        # pending, and the owed-documents flow produces it later.
        logger.error("a run answered early ended with %s", type(error).__name__)


async def run_request_answering_early(
    request: ActionRequest, reference: str
) -> tuple[ActionOutcome, bool]:
    """Carry out ``request`` as ``run_request_inline`` does, but answer as soon as the step's
    transition has committed and its outcome is noted: ``(outcome, True)`` while the same flow
    run goes on in this process producing the documents (``documents_pending`` names them),
    the messages and the grant's artifact. A refusal, or a run that ends before it reaches
    that point, answers as ``run_request_inline`` would: ``(outcome, False)`` or the error.
    """
    answered: asyncio.Future[ActionOutcome] = asyncio.get_running_loop().create_future()

    async def whole_run() -> ActionOutcome:
        _early_answer.set(answered)  # this task's own context: the flow run inherits it
        return await run_request_inline(request, reference)

    running = asyncio.create_task(whole_run())
    _answered_runs.add(running)
    try:
        await asyncio.wait({answered, running}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        # The caller went away: the run still carries out what it accepted.
        running.add_done_callback(_after_answered_run)
        raise
    if answered.done():
        running.add_done_callback(_after_answered_run)
        return answered.result(), True
    _answered_runs.discard(running)
    return running.result(), False


def answered_runs_running() -> int:
    """How many runs answered early on this event loop are still going."""
    loop = asyncio.get_running_loop()
    return sum(1 for task in _answered_runs if task.get_loop() is loop)


async def finish_answered_runs(timeout: float) -> int:
    """Wait up to ``timeout`` seconds for the runs answered early to finish, then cancel the
    rest (serve's shutdown); returns how many were cancelled. A cancelled run's documents stay
    owed (committed with its step) and the owed-documents flow produces them later."""
    loop = asyncio.get_running_loop()
    running = {task for task in _answered_runs if task.get_loop() is loop}
    if not running:
        return 0
    _done, unfinished = await asyncio.wait(running, timeout=timeout)
    for task in unfinished:
        task.cancel()
    if unfinished:
        await asyncio.wait(unfinished)
    return len(unfinished)


async def run_action_inline(
    grant_id: int,
    reference: str,
    action: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ActionOutcome:
    """Record ``actor``'s request and carry it out in this process (demo, tests, service)."""
    request = await asyncio.to_thread(
        accept_request, grant_id, action, actor.user_id, payload, idempotency_key, now
    )
    return await run_request_inline(request, reference)
