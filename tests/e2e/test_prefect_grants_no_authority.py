"""Prefect grants no authority: a flow run made behind grantflow's back changes nothing.

The probe reproduced: a flow run created directly through Prefect's API on
``grantflow-disbursement/grantflow`` with parameters claiming an applicant holds ``finance``
released an instalment. Now a flow run carries only an accepted request's id and token, and
the worker reloads the request and the user's current roles from grantflow's database. These
tests create flow runs of every family's deployment directly through Prefect, as an insider
holding Prefect's credential could, and run a real ``grantflow worker`` over them.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlmodel import select

from models import lifecycle
from models.clock import utcnow
from models.provisioning import system_actor
from models.tables import ActionRequest, AuditEvent, Instalment
from service.users import revoke_user
from tests.support.databases import table_rows
from tests.support.deployment_mode import REPO
from tests.support.models_support import World, advance, grant, new_grant
from workflows.delivery import deliver_due
from workflows.deployments import flow_parameters, register_deployments, submit_action
from workflows.owed_documents import settle_owed_documents
from workflows.requests import accept_request

pytestmark = pytest.mark.slow


def run_worker_until_idle(timeout: float = 240) -> str:
    """A real ``grantflow worker`` process that stops once no run is waiting."""
    finished = subprocess.run(
        [sys.executable, "-m", "service.cli", "worker", "--until-idle"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout + finished.stderr


async def forge(parameter_sets: list[tuple[str, dict[str, Any]]]) -> list[UUID]:
    """Create flow runs of grantflow's deployments straight through Prefect's API."""
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        deployments = {
            family.name: deployment_id
            for deployment_id, family in (await register_deployments(client)).items()
        }
        runs = []
        for stage, parameters in parameter_sets:
            flow_name = f"grantflow-{stage.replace('_', '-')}"
            run = await client.create_flow_run_from_deployment(
                deployments[flow_name], parameters=parameters
            )
            runs.append(run.id)
        return runs


async def final_states(run_ids: list[UUID]) -> list[str]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return [(await client.read_flow_run(run_id)).state_name for run_id in run_ids]


def claimed_actor(user_id: int, roles: list[str]) -> dict[str, Any]:
    return {"user_id": user_id, "name": "Claimed Name", "roles": roles, "organisation_id": None}


def test_flow_runs_made_through_prefect_change_nothing_and_each_leaves_one_denial(
    deployment_world: World,
) -> None:
    world = deployment_world
    grant_id = new_grant(world)
    _, _finance, ref, _at = advance(world, grant_id, "release_payment")
    reference = grant(world.db, grant_id).reference
    applicant = world.cast.applicants[next(iter(world.cast.applicants))]
    # A genuine request, accepted but not yet queued: its id is known, its token is not.
    genuine = accept_request(grant_id, "release_payment", world.cast.finance.id, ref, None)

    # The probe's reproduction for every family: an applicant "holding" every staff role.
    forged: list[tuple[str, dict[str, Any]]] = []
    for stage in lifecycle.STAGES:
        action = next(a.key for a in lifecycle.ACTIONS if lifecycle.resolve_stage(a.key) == stage)
        forged.append(
            (
                stage,
                {
                    "grant_id": grant_id,
                    "reference": reference,
                    "action": "release_payment" if stage == "disbursement" else action,
                    "actor": claimed_actor(applicant.id, ["finance", "approver", "officer"]),
                    "payload": ref if stage == "disbursement" else {},
                    "idempotency_key": None,
                    "now": None,
                },
            )
        )
    # A real request's id with a guessed token, with no token, or with extra claims.
    forged += [
        ("disbursement", {"request_id": genuine.id, "token": "guessed-token"}),
        ("disbursement", {"request_id": genuine.id}),
        (
            "disbursement",
            {**flow_parameters(genuine), "actor": claimed_actor(applicant.id, ["finance"])},
        ),
        ("approval", flow_parameters(genuine)),  # the right token, under another family
    ]
    # The steps taken to get here owe their documents: settle them first, so that whatever
    # changes below is the forged runs' doing.
    asyncio.run(settle_owed_documents())
    # ...and send the messages they wrote (workers send what waits): the outbox is settled too.
    deliver_due(now=utcnow() + timedelta(days=1))
    system_actor(world.db)
    before = table_rows(world.db)
    run_ids = asyncio.run(forge(forged))
    worker_log = run_worker_until_idle()

    after = table_rows(world.db)
    new_events = sorted(set(after.pop("auditevent")) - set(before.pop("auditevent")))
    after.pop("worker_lease"), before.pop("worker_lease")  # the worker's own heartbeat
    changes = {name for name in after if after[name] != before[name]}
    with world.db.reading() as session:
        denials = session.exec(
            select(AuditEvent).where(AuditEvent.rule == "forged-flow-run").order_by(AuditEvent.id)
        ).all()
        instalment = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == ref["sequence"]
            )
        ).one()
    states = asyncio.run(final_states(run_ids))
    print(
        f"\n{len(run_ids)} forged flow runs: {len(changes)} tables changed, "
        f"{len(new_events)} new audit events, {len(denials)} denials; states {set(states)}"
    )
    print(worker_log[-3000:])
    assert changes == set(), f"forged flow runs changed {sorted(changes)}"
    assert len(new_events) == len(run_ids) == len(denials)
    assert sorted(d.flow_run_id for d in denials) == sorted(str(r) for r in run_ids)
    assert all(d.outcome == "denied" and d.actor_id is None and d.grant_id is None for d in denials)
    assert instalment.state == "initiated"
    assert set(states) == {"Failed"}


def test_a_revoked_users_queued_request_is_refused(deployment_world: World) -> None:
    world = deployment_world
    grant_id = new_grant(world)
    _, finance, ref, _at = advance(world, grant_id, "release_payment")
    reference = grant(world.db, grant_id).reference
    run = asyncio.run(submit_action(grant_id, reference, "release_payment", finance, ref))
    assert set(run.parameters) == {"request_id", "token"}, "a flow run carries ids only"
    revoke_user(world.db, finance.user_id)

    run_worker_until_idle()

    with world.db.reading() as session:
        instalment = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == ref["sequence"]
            )
        ).one()
        denial = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant_id, AuditEvent.outcome == "denied"
            )
        ).one()
        request = session.exec(
            select(ActionRequest).where(ActionRequest.flow_run_id == str(run.id))
        ).one()
    assert instalment.state == "initiated"
    assert (denial.action, denial.rule, denial.actor_id) == (
        "release_payment",
        "not-permitted",
        finance.user_id,
    )
    assert request.status == "refused"
    assert asyncio.run(final_states([run.id])) == ["Failed"]
