"""The amendment actions through the API: offered to whom they belong with the amendment they
apply to, taken by naming it (``sequence``), and the grant's JSON shows the amendments and their
states as each role sees them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api_support import make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(installation):
    return make_api_world(installation)


def offered(world, grant: dict[str, Any], user) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = world.client.get(f"/api/v1/grants/{grant['id']}/actions", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return {action["key"]: action for action in answer.json()}


def post(world, grant: dict[str, Any], user, action: str, payload: dict[str, Any]):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/{action}", json=payload, headers=world.headers(user)
    )


def read(world, grant: dict[str, Any], user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    answer = world.client.get(f"/api/v1/grants/{grant['id']}", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_amendment_is_approved_signed_and_countersigned_through_the_api(world):
    grant = world.grant_at(0, stop_after="propose_amendment", variant="amended")
    approver = world.cast.approver
    applicant = world.cast.applicants[grant["organisation_id"]]
    before = read(world, grant, approver)
    [proposed] = before["amendments"]
    assert proposed["sequence"] == 1 and proposed["state"] == "proposed"
    assert proposed["approved_cents_after"] > before["approved_cents"]

    approve = offered(world, grant, approver)["approve_amendment"]
    assert approve["subject"] == "amendment" and approve["targets"] == [1]
    assert approve["ready"] is True
    another = offered(world, grant, world.cast.payments_officer)["propose_amendment"]
    assert another["ready"] is False
    assert [b["rule"] for b in another["blocked_by"]] == ["no_open_amendment"]

    missing = post(world, grant, approver, "approve_amendment", {"sequence": 9})
    assert missing.status_code == 422, missing.text
    approved = post(world, grant, approver, "approve_amendment", {"sequence": 1})
    assert approved.status_code == 200, approved.text
    documents = approved.json()["documents"]
    assert {(d["kind"], d["subject_key"], d["format"]) for d in documents} == {
        ("amending_agreement", "amendment-1", "pdf"),
        ("amending_agreement", "amendment-1", "docx"),
    }
    own = read(world, grant, applicant)["amendments"][0]
    assert own["state"] == "approved"
    assert own["state_label"] == "Amending agreement ready to sign"

    assert post(world, grant, applicant, "sign_amendment", {"sequence": 1}).status_code == 200
    done = post(world, grant, approver, "countersign_amendment", {"sequence": 1})
    assert done.status_code == 200, done.text
    after = read(world, grant, approver)
    assert after["amendments"][0]["state"] == "in_force"
    assert after["approved_cents"] == proposed["approved_cents_after"]
    assert after["end_date"] == proposed["end_date_after"]
