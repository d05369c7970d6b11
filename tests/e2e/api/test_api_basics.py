"""The API's everyday paths through the test client, on a real installation."""

from __future__ import annotations

import pytest

from tests.support.api_support import make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(installation):
    return make_api_world(installation)


def test_an_applicant_starts_and_submits_an_application(world):
    applicant = world.applicant_of(0)
    created = world.client.post(
        "/api/v1/grants", json=world.application(0), headers=world.headers(applicant)
    )
    assert created.status_code == 201, created.text
    grant = created.json()
    assert created.headers["Location"] == f"/api/v1/grants/{grant['id']}"
    assert (grant["state"], grant["state_label"]) == ("draft", "Draft (not yet submitted)")
    actions = world.client.get(
        f"/api/v1/grants/{grant['id']}/actions", headers=world.headers(applicant)
    ).json()
    assert {a["key"] for a in actions} == {"submit", "amend_application", "withdraw"}
    submitted = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/submit", headers=world.headers(applicant)
    )
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["grant_state"] == "submitted" and body["flow_run_id"]
    assert {d["format"] for d in body["documents"]} == {"pdf", "docx"}


def test_a_missing_token_is_401_with_a_bearer_challenge(world):
    response = world.client.get("/api/v1/grants")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_a_guard_failure_is_409_naming_the_rule(world):
    grant = world.grant_at(0, stop_after="screen_in")
    officer = world.cast.screening_officer
    response = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/recommend",
        json={"consensus_rating": 4, "rationale": "Strong", "recommended_cents": 100},
        headers=world.headers(officer),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["rules"][0] == "quorum_met"
    assert "quorum not met" in problem["detail"]


def test_a_bad_payload_is_422_naming_the_field(world):
    grant = world.grant_at(0, stop_after="submit")
    response = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/request_info",
        json={"items": []},
        headers=world.headers(world.cast.screening_officer),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items"


def test_history_joins_each_event_with_its_prefect_flow_run(world):
    grant = world.grant_at(0, stop_after="submit")
    history = world.client.get(
        f"/api/v1/grants/{grant['id']}/history", headers=world.headers(world.cast.auditor)
    )
    assert history.status_code == 200, history.text
    submit = next(e for e in history.json() if e["action"] == "submit")
    run = submit["flow_run"]
    assert run["id"] == submit["flow_run_id"]
    assert run["name"] == f"{grant['reference']} · submit"
    assert run["state"] == "Completed" and run["retries"] == 0
    assert f"grant:{grant['id']}" in run["tags"]
    assert {t["name"].split("-")[0] for t in run["task_runs"]} >= {"apply", "render"}
    stored = [e for e in history.json() if e["action"] == "document_stored"]
    assert len(stored) == 2 and all(e["flow_run_id"] == run["id"] for e in stored)


def test_an_auditor_verifies_the_trail_and_takes_a_dossier_away(world):
    grant = world.grant_at(0, stop_after="submit")
    auditor = world.headers(world.cast.auditor)
    verified = world.client.get("/api/v1/audit/verify", headers=auditor).json()
    assert verified["intact"] and verified["events_checked"] > 0
    dossier = world.client.get(f"/api/v1/grants/{grant['id']}/dossier", headers=auditor)
    assert dossier.status_code == 200
    assert dossier.headers["content-type"] == "application/zip"
    assert dossier.content[:2] == b"PK"
    officer = world.headers(world.cast.screening_officer)
    assert world.client.get("/api/v1/audit/verify", headers=officer).status_code == 403


def test_every_operation_is_described_and_every_request_body_has_an_example():
    from service.api import create_app

    spec = create_app().openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            if path.startswith("/api/"):
                assert operation.get("description"), f"{method.upper()} {path} has no description"
    schemas = spec["components"]["schemas"]
    for name in ("ApplicationRequest", "FundRequest", "OrganisationInput"):
        assert schemas[name].get("examples"), f"{name} has no example"


def test_an_officer_is_offered_decline_at_screening_only(world):
    officer, approver = world.cast.screening_officer, world.cast.approver
    submitted = world.grant_at(0, stop_after="submit")
    recommended = world.grant_at(1, stop_after="recommend")

    def offered(grant, user) -> set[str]:  # type: ignore[no-untyped-def]
        answer = world.client.get(
            f"/api/v1/grants/{grant['id']}/actions", headers=world.headers(user)
        )
        assert answer.status_code == 200, answer.text
        return {action["key"] for action in answer.json()}

    assert "decline" in offered(submitted, officer)
    assert "decline" not in offered(recommended, officer)
    assert "decline" in offered(recommended, approver)
