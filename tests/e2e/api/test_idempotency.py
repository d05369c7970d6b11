"""One Idempotency-Key, one change: an action repeated, in turn or at once, happens once.

For a document-producing action (``submit``) and for money (``release_payment``): the same
request sent ten times with one key makes one transition (one applied audit event with that
key), one set of documents, one Prefect flow run, and gets ten answers equal apart from
``replayed``. A key reused for a different request is a 422 problem and changes nothing.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.tables import ActionRequest, AuditEvent, Grant, Instalment, StoredDocument
from service.api import create_app
from tests.support.api_support import ApiWorld, module_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")

TIMES = 10


@dataclass
class Fixture:
    world: ApiWorld
    payable: list[dict[str, Any]]  # active grants whose first instalment is initiated

    def draft(self, index: int = 0) -> dict[str, Any]:
        """A new draft application of organisation ``index``, started through the API."""
        applicant = self.world.applicant_of(index)
        response = self.world.client.post(
            "/api/v1/grants",
            json=self.world.application(index),
            headers=self.world.headers(applicant),
        )
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(scope="module")
def fx(prefect_harness, tmp_path_factory) -> Iterator[Fixture]:
    with module_api_world(tmp_path_factory.mktemp("idempotency")) as world:
        payable = [world.grant_at(index, stop_after="initiate_payment") for index in (0, 1)]
        yield Fixture(world=world, payable=payable)


# ------------------------------------------------------------------------------ helpers


def flow_runs(grant: dict[str, Any], action: str, since: datetime) -> list[Any]:
    """The Prefect flow runs of ``action`` on ``grant`` created since ``since``.

    Found by the tags every action run carries. The Prefect server outlives this module's
    installation, so runs of other tests' grants with the same id are told apart by time and
    by the grant reference in the run's name.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
    from prefect.client.schemas.sorting import FlowRunSort

    async def read() -> list[Any]:
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=[f"grant:{grant['id']}", f"action:{action}"])
                ),
                # newest first: older runs of other installations' grants with the same id
                # fall past Prefect's default page of 200, never this test's
                sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            )

    return [
        run
        for run in asyncio.run(read())
        if run.created >= since and run.name == f"{grant['reference']} · {action}"
    ]


def events(world: ApiWorld, grant_id: int, action: str) -> list[AuditEvent]:
    """Every audit event of ``action`` on the grant, applied or denied."""
    with world.db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.grant_id == grant_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


def documents_of(world: ApiWorld, grant_id: int, kind: str) -> list[StoredDocument]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(StoredDocument).where(
                    StoredDocument.grant_id == grant_id, StoredDocument.kind == kind
                )
            )
        )


def answer(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    replayed = response.headers.get("Idempotent-Replayed") == "true"
    assert body["replayed"] is replayed, (body, dict(response.headers))
    return body


def without_replayed(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "replayed"}


def assert_happened_once(
    world: ApiWorld,
    grant: dict[str, Any],
    action: str,
    key: str,
    bodies: list[dict[str, Any]],
    since: datetime,
    document_kind: str,
) -> AuditEvent:
    """One transition, one set of documents, one flow run; one first answer, the rest replays."""
    first = [body for body in bodies if not body["replayed"]]
    assert len(first) == 1, [body["replayed"] for body in bodies]
    differing = [body for body in bodies if without_replayed(body) != without_replayed(first[0])]
    assert not differing, f"first answer {first[0]}\ndiffers from {differing[0]}"

    (event,) = events(world, grant["id"], action)  # no second transition, no denial either
    with world.db.reading() as session:
        (request,) = session.exec(
            select(ActionRequest).where(ActionRequest.idempotency_key == key)
        ).all()
    assert (event.outcome, event.idempotency_key) == ("applied", f"request:{request.id}")
    assert (request.status, request.audit_event_id) == ("applied", event.id)
    assert first[0]["event_id"] == event.id

    stored = documents_of(world, grant["id"], document_kind)
    assert stored, f"no {document_kind} stored"
    assert {document.audit_event_id for document in stored} == {event.id}
    assert sorted(d.id for d in stored) == sorted(d["id"] for d in first[0]["documents"])
    assert {d.format for d in stored} == {"pdf", "docx"}
    assert len({(d.format, d.language, d.subject_key) for d in stored}) == len(stored)

    (run,) = flow_runs(grant, action, since)
    assert str(run.id) == first[0]["flow_run_id"] == event.flow_run_id
    assert {d.flow_run_id for d in stored} == {str(run.id)}
    assert run.parameters == {"request_id": request.id, "token": request.token}
    return event


def submit(world: ApiWorld, grant: dict[str, Any], key: str, client=None) -> httpx.Response:  # type: ignore[no-untyped-def]
    return (client or world.client).post(
        f"/api/v1/grants/{grant['id']}/actions/submit",
        headers=world.headers(world.applicant_of(0), **{"Idempotency-Key": key}),
    )


def release(world: ApiWorld, grant: dict[str, Any], key: str, client=None) -> httpx.Response:  # type: ignore[no-untyped-def]
    return (client or world.client).post(
        f"/api/v1/grants/{grant['id']}/actions/release_payment",
        json={"sequence": 1},
        headers=world.headers(world.cast.finance, **{"Idempotency-Key": key}),
    )


def instalment(world: ApiWorld, grant_id: int, sequence: int = 1) -> Instalment:
    with world.db.reading() as session:
        found = session.exec(
            select(Instalment).where(
                Instalment.grant_id == grant_id, Instalment.sequence == sequence
            )
        ).one()
        return found


def grant_state(world: ApiWorld, grant_id: int) -> str:
    with world.db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return grant.state


async def send_at_once(requests: list[Any]) -> list[httpx.Response]:
    """Send the requests concurrently to one app in this event loop (as one server would)."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return list(await asyncio.gather(*(request(client) for request in requests)))


# ------------------------------------------------------------------------------ in turn


def test_a_submission_sent_ten_times_with_one_key_is_submitted_once(fx):
    world, grant, key = fx.world, fx.draft(0), str(uuid.uuid4())
    since = datetime.now(UTC)

    bodies = [answer(submit(world, grant, key)) for _ in range(TIMES)]

    assert [body["replayed"] for body in bodies] == [False] + [True] * (TIMES - 1)
    assert bodies[0]["grant_state"] == "submitted"
    assert_happened_once(
        world, grant, "submit", key, bodies, since, document_kind="acknowledgement_of_receipt"
    )
    assert grant_state(world, grant["id"]) == "submitted"


def test_a_payment_released_ten_times_with_one_key_is_released_once(fx):
    world, grant, key = fx.world, fx.payable[0], str(uuid.uuid4())
    assert instalment(world, grant["id"]).state == "initiated"
    since = datetime.now(UTC)

    bodies = [answer(release(world, grant, key)) for _ in range(TIMES)]

    assert [body["replayed"] for body in bodies] == [False] + [True] * (TIMES - 1)
    paid = instalment(world, grant["id"])
    assert bodies[0]["subject"] == "instalment" and bodies[0]["subject_id"] == paid.id
    assert (bodies[0]["from_state"], bodies[0]["to_state"]) == ("initiated", "released")
    assert paid.state == "released"
    assert_happened_once(
        world, grant, "release_payment", key, bodies, since, document_kind="remittance_advice"
    )
    # The other instalments are untouched: nothing else was paid on the way.
    with world.db.reading() as session:
        others = session.exec(
            select(Instalment).where(Instalment.grant_id == grant["id"], Instalment.sequence > 1)
        ).all()
    assert others and all(other.state == "scheduled" for other in others)


# ------------------------------------------------------------------------------ at once


def test_ten_submissions_at_once_with_one_key_submit_once(fx):
    world, grant, key = fx.world, fx.draft(2), str(uuid.uuid4())
    since = datetime.now(UTC)
    applicant = world.applicant_of(2)
    headers = world.headers(applicant, **{"Idempotency-Key": key})
    path = f"/api/v1/grants/{grant['id']}/actions/submit"

    responses = asyncio.run(
        send_at_once([lambda client: client.post(path, headers=headers)] * TIMES)
    )

    bodies = [answer(response) for response in responses]
    assert_happened_once(
        world, grant, "submit", key, bodies, since, document_kind="acknowledgement_of_receipt"
    )
    assert grant_state(world, grant["id"]) == "submitted"


def test_ten_payment_releases_at_once_from_threads_with_one_key_release_once(fx):
    world, grant, key = fx.world, fx.payable[1], str(uuid.uuid4())
    since = datetime.now(UTC)

    with TestClient(create_app()) as client, ThreadPoolExecutor(TIMES) as pool:
        responses = list(pool.map(lambda _: release(world, grant, key, client), range(TIMES)))

    bodies = [answer(response) for response in responses]
    assert_happened_once(
        world, grant, "release_payment", key, bodies, since, document_kind="remittance_advice"
    )
    assert instalment(world, grant["id"]).state == "released"


def test_repeats_arriving_while_the_first_run_stores_its_documents_get_its_whole_answer(
    fx, monkeypatch
):
    """The transition commits before the documents are rendered; a repeat arriving in between
    must wait for the first run rather than answer with the documents stored so far."""
    import workflows.owed_documents

    world, grant, key = fx.world, fx.draft(1), str(uuid.uuid4())
    since = datetime.now(UTC)
    headers = world.headers(world.applicant_of(1), **{"Idempotency-Key": key})
    path = f"/api/v1/grants/{grant['id']}/actions/submit"
    rendering = threading.Event()
    render_and_store = workflows.owed_documents.render_and_store

    def held_render_and_store(event_id, kind):  # type: ignore[no-untyped-def]
        assert rendering.wait(60), "the documents were never let through"
        return render_and_store(event_id, kind)

    monkeypatch.setattr(workflows.owed_documents, "render_and_store", held_render_and_store)

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            first = asyncio.create_task(client.post(path, headers=headers))
            while not events(world, grant["id"], "submit"):  # the transition is committed
                await asyncio.sleep(0.05)
            repeats = [
                asyncio.create_task(client.post(path, headers=headers)) for _ in range(TIMES - 1)
            ]
            await asyncio.sleep(0.5)  # the repeats reach the service while documents wait
            rendering.set()
            return [await first, *[await repeat for repeat in repeats]]

    bodies = [answer(response) for response in asyncio.run(scenario())]

    assert [body["replayed"] for body in bodies] == [False] + [True] * (TIMES - 1)
    assert_happened_once(
        world, grant, "submit", key, bodies, since, document_kind="acknowledgement_of_receipt"
    )


# ------------------------------------------------------------------------------ key reuse


def assert_key_reused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/idempotency-key-reused"), problem
    assert problem["status"] == 422 and problem["detail"]
    return problem


def test_a_key_reused_for_a_different_payload_is_refused_and_changes_nothing(fx):
    world = fx.world
    grant = fx.draft(1)
    world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/submit",
        headers=world.headers(world.applicant_of(1)),
    ).raise_for_status()
    officer, key = world.cast.screening_officer, str(uuid.uuid4())
    path = f"/api/v1/grants/{grant['id']}/actions/request_info"

    def ask(items: list[str]) -> httpx.Response:
        return world.client.post(
            path, json={"items": items}, headers=world.headers(officer, **{"Idempotency-Key": key})
        )

    first = answer(ask(["Signed Board resolution"]))
    problem = assert_key_reused(ask(["Audited financial statements"]))
    assert "request_info" in problem["detail"]

    (event,) = events(world, grant["id"], "request_info")
    assert event.id == first["event_id"]
    assert event.payload_summary["items"] == ["Signed Board resolution"]
    assert grant_state(world, grant["id"]) == "needs_info"
    # The original request with its key is still answered, as a replay.
    assert answer(ask(["Signed Board resolution"])) == {**first, "replayed": True}


def test_a_key_reused_on_another_grant_is_refused_and_changes_nothing(fx):
    world = fx.world
    first_grant, other_grant = fx.draft(3), fx.draft(3)
    applicant, key = world.applicant_of(3), str(uuid.uuid4())

    def send(grant: dict[str, Any]) -> httpx.Response:
        return world.client.post(
            f"/api/v1/grants/{grant['id']}/actions/submit",
            headers=world.headers(applicant, **{"Idempotency-Key": key}),
        )

    answer(send(first_grant))
    since = datetime.now(UTC)
    problem = assert_key_reused(send(other_grant))
    assert f"grant {first_grant['id']}" in problem["detail"]

    assert grant_state(world, other_grant["id"]) == "draft"
    assert [e.outcome for e in events(world, other_grant["id"], "submit")] == []
    assert documents_of(world, other_grant["id"], "acknowledgement_of_receipt") == []
    assert flow_runs(other_grant, "submit", since) == []


def test_a_key_reused_for_another_action_on_the_same_grant_is_refused(fx):
    world = fx.world
    grant = fx.draft(0)
    applicant, key = world.applicant_of(0), str(uuid.uuid4())
    headers = world.headers(applicant, **{"Idempotency-Key": key})
    answer(world.client.post(f"/api/v1/grants/{grant['id']}/actions/submit", headers=headers))

    response = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/withdraw",
        json={"reason": "The community chose another path."},
        headers=headers,
    )

    assert_key_reused(response)
    assert grant_state(world, grant["id"]) == "submitted"
    assert events(world, grant["id"], "withdraw") == []


# -------------------------------------------------------------------- across processes


def test_repeats_sent_at_once_to_separate_server_processes_make_one_flow_run(fx):
    world, grant, key = fx.world, fx.draft(2), str(uuid.uuid4())
    since = datetime.now(UTC)
    headers = world.headers(world.applicant_of(2), **{"Idempotency-Key": key})
    path = f"/api/v1/grants/{grant['id']}/actions/submit"
    start = threading.Barrier(TIMES)

    def send(_: int) -> httpx.Response:
        # Outside a `with` block each request runs on an event loop of its own.
        client = TestClient(create_app())
        start.wait(30)
        return client.post(path, headers=headers)

    with ThreadPoolExecutor(TIMES) as pool:
        bodies = [answer(response) for response in pool.map(send, range(TIMES))]

    (event,) = events(world, grant["id"], "submit")  # the transition itself happens once
    assert [body["event_id"] for body in bodies] == [event.id] * TIMES
    assert len(flow_runs(grant, "submit", since)) == 1


def test_a_repeat_after_the_grant_moved_on_still_gets_the_first_answer(fx):
    world, grant, key = fx.world, fx.draft(0), str(uuid.uuid4())
    first = answer(submit(world, grant, key))
    answer(
        world.client.post(
            f"/api/v1/grants/{grant['id']}/actions/screen_in",
            json={},
            headers=world.headers(world.cast.screening_officer),
        )
    )

    repeat = answer(submit(world, grant, key))

    assert repeat["replayed"] is True
    assert without_replayed(repeat) == without_replayed(first)


# ------------------------------------------------------------------------ keys per caller


def test_two_reviewers_sending_one_key_and_body_each_have_their_own_declaration(fx):
    """The probe's finding: a second reviewer's conflict declaration was answered with the
    first reviewer's event and never recorded. A key belongs to its caller."""
    world = fx.world
    grant = world.grant_at(4, stop_after="screen_in")
    first, second = world.cast.reviewers[:2]
    key, body = str(uuid.uuid4()), {"kind": "none"}
    path = f"/api/v1/grants/{grant['id']}/actions/declare_conflict"

    def declare(reviewer) -> httpx.Response:  # type: ignore[no-untyped-def]
        headers = world.headers(reviewer, **{"Idempotency-Key": key})
        return world.client.post(path, json=body, headers=headers)

    answers = [answer(declare(reviewer)) for reviewer in (first, second)]

    assert [a["replayed"] for a in answers] == [False, False]
    declared = events(world, grant["id"], "declare_conflict")
    assert [(e.actor_id, e.outcome) for e in declared] == [
        (first.id, "applied"),
        (second.id, "applied"),
    ]
    assert {a["event_id"] for a in answers} == {e.id for e in declared}
    # Each one's repeat is their own replay.
    again = answer(declare(second))
    assert again == {**answers[1], "replayed": True}


def test_another_organisations_key_is_no_collision_and_reveals_nothing(fx):
    world = fx.world
    theirs, ours = fx.draft(0), fx.draft(1)
    key = str(uuid.uuid4())

    def submit_as(index: int, grant: dict[str, Any]) -> httpx.Response:
        return world.client.post(
            f"/api/v1/grants/{grant['id']}/actions/submit",
            headers=world.headers(world.applicant_of(index), **{"Idempotency-Key": key}),
        )

    answer(submit_as(0, theirs))
    mine = submit_as(1, ours)

    body = answer(mine)
    assert body["replayed"] is False and body["grant_id"] == ours["id"]
    assert grant_state(world, ours["id"]) == "submitted"
    assert theirs["reference"] not in mine.text and body["reference"] == ours["reference"]
    assert {d["id"] for d in body["documents"]}.isdisjoint(
        d.id for d in documents_of(world, theirs["id"], "acknowledgement_of_receipt")
    )
