"""`deployment` execution: a worker killed with SIGKILL in the middle of a payment.

A release is submitted as a deployment flow run and taken by a real ``grantflow worker``
process, which is told to stop at a hold point (``workflows.faults``) and is then killed
with SIGKILL: once inside the payment's transaction before it commits, once after the
payment committed but before its remittance advice was made. A second worker finds the run
orphaned when the first one's lease lapses, runs it again, and the grant is paid exactly
once, with one remittance advice.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from uuid import uuid4

import pytest
from sqlmodel import select

from documents.audit.verification import verify
from models.errors import IdempotencyConflict
from models.tables import ActionRequest, AuditEvent, Instalment, StoredDocument
from tests.support.deployment_mode import run_states, start_worker, wait_for
from tests.support.models_support import World, advance, grant, new_grant
from workflows.deployments import submit_action

pytestmark = pytest.mark.slow


def release_events(world: World, grant_id: int) -> list[AuditEvent]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent).where(
                    AuditEvent.grant_id == grant_id, AuditEvent.action == "release_payment"
                )
            ).all()
        )


def remittance_documents(world: World, grant_id: int) -> list[StoredDocument]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(StoredDocument).where(
                    StoredDocument.grant_id == grant_id,
                    StoredDocument.kind == "remittance_advice",
                )
            ).all()
        )


@pytest.mark.parametrize("hold_point", ["before-commit", "after-transition"])
def test_a_worker_killed_mid_payment_is_replaced_and_the_grant_is_paid_once(
    deployment_worlds: World, tmp_path: Path, hold_point: str
) -> None:
    world = deployment_worlds
    grant_id = new_grant(world)
    _, finance, ref, _at = advance(world, grant_id, "release_payment")
    reference = grant(world.db, grant_id).reference
    key = f"pay-once-{uuid4()}"
    run = asyncio.run(
        submit_action(grant_id, reference, "release_payment", finance, ref, idempotency_key=key)
    )
    # The same request submitted again is the same flow run, not a second payment.
    again = asyncio.run(
        submit_action(grant_id, reference, "release_payment", finance, ref, idempotency_key=key)
    )
    assert again.id == run.id
    # The key reused for a different request is refused, not answered with the first run.
    with pytest.raises(IdempotencyConflict):
        asyncio.run(
            submit_action(
                grant_id,
                reference,
                "release_payment",
                finance,
                {"sequence": ref["sequence"] + 1},
                idempotency_key=key,
            )
        )

    marker = tmp_path / "held"
    doomed = start_worker(
        tmp_path,
        GRANTFLOW_TEST_HOLD_AT=f"{hold_point}:release_payment",
        GRANTFLOW_TEST_HOLD_FILE=str(marker),
    )
    try:
        wait_for(marker.exists, 90, f"the worker to reach {hold_point}")
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL

    with world.db.reading() as session:
        instalment = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == ref["sequence"]
            )
        ).one()
    committed = hold_point == "after-transition"
    assert instalment.state == ("released" if committed else "initiated")
    assert len(release_events(world, grant_id)) == (1 if committed else 0)
    assert remittance_documents(world, grant_id) == []

    successor = start_worker(tmp_path)
    try:
        wait_for(
            lambda: asyncio.run(run_states(run.id))[-1:] == ["Completed"],
            120,
            "the second worker to finish the orphaned run",
        )
    finally:
        successor.send_signal(signal.SIGTERM)
        successor.wait(timeout=60)

    states = asyncio.run(run_states(run.id))
    attempts = states.count("Running")
    events = release_events(world, grant_id)
    payments = len(events)
    documents = remittance_documents(world, grant_id)
    duplicates = payments - 1 + len(documents) - len({d.format for d in documents})
    print(
        f"\n{hold_point}: {attempts} attempts, {payments} payments, {duplicates} duplicates "
        f"(run states: {' -> '.join(states)})"
    )
    assert "Crashed" in states, "the orphaned run was not recorded as crashed"
    assert attempts == 2 and attempts > payments
    assert payments == 1 and duplicates == 0
    assert sorted(d.format for d in documents) == ["docx", "pdf"]
    with world.db.reading() as session:
        request = session.exec(
            select(ActionRequest).where(ActionRequest.idempotency_key == key)
        ).one()
    assert (request.user_id, request.status) == (finance.user_id, "applied")
    assert events[0].idempotency_key == f"request:{request.id}"
    assert request.audit_event_id == events[0].id
    assert events[0].flow_run_id == str(run.id)
    with world.db.reading() as session:
        paid = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == ref["sequence"]
            )
        ).one()
    assert paid.state == "released" and paid.released_by_id == finance.user_id
    assert verify(world.db).intact


def test_in_deployment_mode_the_api_queues_the_action_and_a_worker_carries_it_out(
    deployment_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = deployment_world
    from service.users import rotate_token
    from tests.support.api_support import ApiWorld
    from workflows.worker import Worker, WorkerSettings

    monkeypatch.setenv("GRANTFLOW_EXECUTION", "deployment")
    from fastapi.testclient import TestClient

    from service.api import create_app

    api = ApiWorld(db=world.db, cast=world.cast, client=TestClient(create_app()))
    finance = world.cast.finance
    api.tokens[finance.id] = rotate_token(world.db, finance.id)
    grant_id = new_grant(world)
    _, _, ref, _at = advance(world, grant_id, "release_payment")
    url = f"/api/v1/grants/{grant_id}/actions/release_payment"
    headers = api.headers(finance, **{"Idempotency-Key": f"release-{uuid4()}"})

    queued = api.client.post(url, json=ref, headers=headers)
    assert queued.status_code == 202, queued.text
    body = queued.json()
    assert body["state"] == "Scheduled" and body["action"] == "release_payment"
    assert body["flow_run_name"].endswith("· release_payment")
    repeated = api.client.post(url, json=ref, headers=headers)
    assert repeated.status_code == 202 and repeated.json()["flow_run_id"] == body["flow_run_id"]
    assert release_events(world, grant_id) == []  # nothing happens until a worker runs it

    settings = WorkerSettings(poll_seconds=0.2, heartbeat_seconds=0.5, lease_seconds=2)
    taken = asyncio.run(
        Worker(settings, log=lambda _line: None).run(asyncio.Event(), until_idle=True)
    )
    assert taken == 1

    events = release_events(world, grant_id)
    assert len(events) == 1 and events[0].flow_run_id == body["flow_run_id"]
    assert sorted(d.format for d in remittance_documents(world, grant_id)) == ["docx", "pdf"]
    history = api.client.get(f"/api/v1/grants/{grant_id}/history", headers=api.headers(finance))
    assert history.status_code == 200
    # The same request after the run finished is still the one flow run, and pays nothing.
    after = api.client.post(url, json=ref, headers=headers)
    assert after.status_code == 202 and after.json()["flow_run_id"] == body["flow_run_id"]
    assert len(release_events(world, grant_id)) == 1


def test_a_misconfigured_execution_mode_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api import create_app
    from workflows.execution import ExecutionModeError

    monkeypatch.setenv("GRANTFLOW_EXECUTION", "threads")
    with pytest.raises(ExecutionModeError, match="'inline' or 'deployment'"):
        create_app()
