"""``Prefer: respond-async``: the answer as soon as the step is committed, its documents after.

Over the real app (FastAPI's client held open, so the run answered early keeps its event
loop), a real embedded Prefect server and real renders: the answer is 202 with the documents
owed and none stored yet (the early answer is given before the flow renders anything, so this
is so every time), then the same flow run stores them and the grant stops listing them as
pending; the step is in the history once. A refusal is still its problem; a repeat under the
same Idempotency-Key is answered from the step's record; a run of early answers through a
lifecycle segment ends with every owed document stored exactly once. All data is fictional.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models import lifecycle
from models.fictional.script import steps
from models.tables import AuditEvent, OwedDocument, StoredDocument
from service.api import create_app
from tests.support.api_support import ApiWorld, module_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")

EARLY = {"Prefer": "respond-async"}
ACKNOWLEDGEMENT = "acknowledgement_of_receipt"
WAIT_SECONDS = 120


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    with module_api_world(tmp_path_factory.mktemp("early-answer")) as built:
        yield built


@pytest.fixture
def client(world: ApiWorld) -> Iterator[TestClient]:
    """One event loop for the test's requests, kept while the runs answered early finish."""
    with TestClient(create_app()) as held:
        yield held


def draft(world: ApiWorld, index: int = 0) -> dict[str, Any]:
    response = world.client.post(
        "/api/v1/grants",
        json=world.application(index),
        headers=world.headers(world.applicant_of(index)),
    )
    assert response.status_code == 201, response.text
    return response.json()


def token_headers(world: ApiWorld, user_id: int, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user_id]}", **extra}


def answered_early(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    assert response.headers["Preference-Applied"] == "respond-async"
    return response.json()


def owed(world: ApiWorld, grant_id: int) -> list[OwedDocument]:
    with world.db.reading() as session:
        return list(
            session.exec(
                select(OwedDocument).where(
                    OwedDocument.grant_id == grant_id,
                    OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
                )
            )
        )


def stored(world: ApiWorld, grant_id: int) -> list[StoredDocument]:
    with world.db.reading() as session:
        return list(session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant_id)))


def applied(world: ApiWorld, grant_id: int) -> list[AuditEvent]:
    """The grant's applied lifecycle steps (not its stored-document or message events)."""
    with world.db.reading() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.grant_id == grant_id, AuditEvent.outcome == "applied")
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
        return [e for e in events if lifecycle.action(e.action) is not None]


def until_nothing_owed(world: ApiWorld, grant_id: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while owed(world, grant_id):
        assert time.monotonic() < deadline, f"still owed: {owed(world, grant_id)}"
        time.sleep(0.2)


def test_the_answer_comes_when_the_step_is_committed_and_its_documents_follow(world, client):
    grant = draft(world, 0)
    headers = world.headers(world.applicant_of(0), **EARLY)

    body = answered_early(
        client.post(f"/api/v1/grants/{grant['id']}/actions/submit", headers=headers)
    )

    assert (body["grant_state"], body["replayed"]) == ("submitted", False)
    assert body["documents"] == [] and body["documents_pending"] == [ACKNOWLEDGEMENT]
    assert body["flow_run_id"]
    # The same flow run goes on and stores them; the grant stops listing them as pending.
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        read = client.get(f"/api/v1/grants/{grant['id']}", headers=headers).json()
        if not read["documents_pending"]:
            break
        assert time.monotonic() < deadline, read
        time.sleep(0.2)
    listed = client.get(f"/api/v1/grants/{grant['id']}/documents", headers=headers).json()
    assert {(d["kind"], d["format"]) for d in listed} >= {
        (ACKNOWLEDGEMENT, "pdf"),
        (ACKNOWLEDGEMENT, "docx"),
    }
    documents = stored(world, grant["id"])
    assert {d.audit_event_id for d in documents} == {body["event_id"]}
    assert {d.flow_run_id for d in documents} == {body["flow_run_id"]}
    history = client.get(f"/api/v1/grants/{grant['id']}/history", headers=headers).json()
    submitted = [e for e in history if e["action"] == "submit"]
    assert [(e["outcome"], e["id"]) for e in submitted] == [("applied", body["event_id"])]


def test_without_the_header_the_answer_waits_for_the_documents(world, client):
    grant = draft(world, 1)

    response = client.post(
        f"/api/v1/grants/{grant['id']}/actions/submit",
        headers=world.headers(world.applicant_of(1)),
    )

    assert response.status_code == 200, response.text
    assert "Preference-Applied" not in response.headers
    body = response.json()
    assert body["documents_pending"] == [] and len(body["documents"]) >= 2


def test_a_refusal_is_still_answered_with_its_problem(world, client):
    grant = draft(world, 2)
    headers = world.headers(world.applicant_of(2), **EARLY)
    path = f"/api/v1/grants/{grant['id']}/actions"
    answered_early(client.post(f"{path}/submit", headers=headers))

    again = client.post(f"{path}/submit", headers=headers)
    officer = world.headers(world.cast.screening_officer, **EARLY)
    bad = client.post(f"{path}/request_info", json={"items": "not a list"}, headers=officer)

    for response, status in ((again, 409), (bad, 422)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "Preference-Applied" not in response.headers
    until_nothing_owed(world, grant["id"])


def test_a_refusal_by_the_flow_itself_is_answered_with_its_problem(world, client, monkeypatch):
    """The service's read-only check passes; the flow's transaction refuses (here: the grant
    is no longer a draft). The caller waits for that outcome, then gets the problem."""
    import service.routes.actions

    grant = draft(world, 3)
    headers = world.headers(world.applicant_of(3), **EARLY)
    path = f"/api/v1/grants/{grant['id']}/actions/submit"
    answered_early(client.post(path, headers=headers))
    monkeypatch.setattr(service.routes.actions, "check_action", lambda *args: None)

    response = client.post(path, headers=headers)

    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/wrong-state"), response.json()
    assert [e.action for e in applied(world, grant["id"])].count("submit") == 1
    until_nothing_owed(world, grant["id"])


def test_a_repeat_under_the_same_key_gets_the_steps_record(world, client, monkeypatch):
    """While the documents are still being made a repeat asking for an early answer gets the
    step's record at once (202, replayed, still pending); a repeat without the header waits
    for them, as it always has; nothing happens twice."""
    import workflows.owed_documents

    grant = draft(world, 0)
    key = str(uuid.uuid4())
    path = f"/api/v1/grants/{grant['id']}/actions/submit"
    applicant = world.applicant_of(0)
    rendering = threading.Event()
    render_and_store = workflows.owed_documents.render_and_store

    def held_render_and_store(event_id, kind):  # type: ignore[no-untyped-def]
        assert rendering.wait(WAIT_SECONDS), "the documents were never let through"
        return render_and_store(event_id, kind)

    monkeypatch.setattr(workflows.owed_documents, "render_and_store", held_render_and_store)
    early = {"Idempotency-Key": key, **EARLY}

    first = answered_early(client.post(path, headers=world.headers(applicant, **early)))
    repeat_response = client.post(path, headers=world.headers(applicant, **early))
    repeat = answered_early(repeat_response)
    rendering.set()
    waited = client.post(path, headers=world.headers(applicant, **{"Idempotency-Key": key}))

    assert first["replayed"] is False and first["documents_pending"] == [ACKNOWLEDGEMENT]
    assert repeat_response.headers["Idempotent-Replayed"] == "true"
    assert {**repeat, "replayed": False} == first
    assert waited.status_code == 200 and waited.headers["Idempotent-Replayed"] == "true"
    whole = waited.json()
    assert whole["documents_pending"] == [] and whole["event_id"] == first["event_id"]
    assert whole["flow_run_id"] == first["flow_run_id"]
    assert sorted(d["id"] for d in whole["documents"]) == sorted(
        d.id for d in stored(world, grant["id"])
    )
    assert [e.action for e in applied(world, grant["id"])] == ["submit"]
    # Once the step is whole, a repeat asking for an early answer is simply answered.
    after = client.post(path, headers=world.headers(applicant, **early))
    assert after.status_code == 200 and "Preference-Applied" not in after.headers
    assert after.json() == whole


def test_a_lifecycle_segment_answered_early_stores_every_document_once(world, client):
    from models import fictional
    from models.provisioning import create_application

    organisation, data = fictional.application_for(1, world.cast)
    grant = create_application(world.db, organisation.id, data)
    answers = []
    for action, actor, payload, _at in steps(world.db, world.cast, grant.id):  # type: ignore[arg-type]
        response = client.post(
            f"/api/v1/grants/{grant.id}/actions/{action}",
            json=payload,
            headers=token_headers(world, actor.user_id, **EARLY),
        )
        assert response.status_code in (200, 202), (action, response.text)
        answers.append((action, response.json()))
        if action == "approve":
            break

    assert [a for a, _ in answers][:2] == ["submit", "screen_in"]
    assert any(body["documents_pending"] for _, body in answers)
    until_nothing_owed(world, grant.id)
    events = applied(world, grant.id)
    assert [e.id for e in events] == [body["event_id"] for _, body in answers]
    documents = stored(world, grant.id)
    with world.db.reading() as session:
        owed_rows = session.exec(
            select(OwedDocument).where(OwedDocument.grant_id == grant.id)
        ).all()
    assert owed_rows and all(row.stored_at is not None for row in owed_rows)
    # Each owed document is stored once per format and language, by its step's own run.
    files = [(d.audit_event_id, d.kind, d.subject_key, d.format, d.language) for d in documents]
    assert len(files) == len(set(files))
    assert {(d.audit_event_id, d.kind) for d in documents} == {
        (row.audit_event_id, row.kind) for row in owed_rows
    }
    run_of = {body["event_id"]: body["flow_run_id"] for _, body in answers}
    assert all(d.flow_run_id == run_of[d.audit_event_id] for d in documents)
