"""GET .../actions offers what the user can take now, with readiness before any payload.

An action already taken by this user (a conflict declaration, their scores) or reserved to
someone else (the coordinator's recommendation) is not offered; actions with payloads have
their payload-free rules checked (``ready``), and the rules over the payload are named.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import fictional
from models.fictional.cast import lead_email, staff_email
from models.payloads import REVIEW_CRITERIA
from service.users import create_user_with_token
from tests.support.api_support import make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(installation):
    return make_api_world(installation)


def offered(world, grant: dict[str, Any], user) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = world.client.get(f"/api/v1/grants/{grant['id']}/actions", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return {action["key"]: action for action in answer.json()}


def take(world, grant: dict[str, Any], user, action: str, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    answer = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/{action}", json=payload, headers=world.headers(user)
    )
    assert answer.status_code == 200, answer.text


def rules(action: dict[str, Any]) -> list[str]:
    return [blocked["rule"] for blocked in action["blocked_by"]]


def test_a_reviewer_is_offered_each_review_step_until_they_have_taken_it(world):
    grant = world.grant_at(0, stop_after="screen_in")
    elder, other = world.cast.reviewers[0], world.cast.reviewers[1]

    first = offered(world, grant, elder)
    assert set(first) == {"declare_conflict", "score"}
    assert first["declare_conflict"]["ready"] is True
    assert first["score"]["ready"] is False and rules(first["score"]) == ["conflict_declared"]

    take(world, grant, elder, "declare_conflict", {"kind": "none"})
    second = offered(world, grant, elder)
    assert set(second) == {"score"} and second["score"]["ready"] is True
    assert set(offered(world, grant, other)) == {"declare_conflict", "score"}  # theirs, still

    take(world, grant, elder, "score", {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)})
    assert offered(world, grant, elder) == {}


def test_the_recommendation_is_offered_to_the_review_coordinator_only(world):
    grant = world.grant_at(0, stop_after="screen_in")
    coordinator, another_officer = world.cast.screening_officer, world.cast.payments_officer

    at_coordinator = offered(world, grant, coordinator)
    assert {"recommend", "not_recommend"} <= set(at_coordinator)
    recommend = at_coordinator["recommend"]
    assert recommend["ready"] is False and "quorum_met" in rules(recommend)
    assert recommend["payload_rules"] == ["recommended_within_request"]
    assert not {"recommend", "not_recommend"} & set(offered(world, grant, another_officer))


def test_an_approval_is_ready_before_its_amount_is_sent(world):
    grant = world.grant_at(0, stop_after="recommend")
    approve = offered(world, grant, world.cast.approver)["approve"]
    assert approve["ready"] is True and approve["blocked_by"] == []
    assert approve["payload_rules"] == ["approved_within_request", "within_allocation"]
    assert approve["target_readiness"] == []


def test_each_instalment_has_its_own_readiness(world):
    grant = world.grant_at(0, stop_after="record_insurance")
    initiate = offered(world, grant, world.cast.payments_officer)["initiate_payment"]
    per_target = initiate["target_readiness"]
    assert [item["sequence"] for item in per_target] == initiate["targets"] != []
    assert initiate["ready"] == any(item["ready"] for item in per_target)
    assert per_target[0]["ready"] is True  # the first instalment is payable once insured


def test_signing_is_offered_only_to_a_user_who_is_a_signing_contact(world):
    grant = world.grant_at(0, stop_after="approve")
    organisation = fictional.ORGANISATIONS[0]
    owner = world.applicant_of(0)
    colleague, token = create_user_with_token(
        world.db,
        name=organisation["contacts"][1][0],
        roles=["applicant"],
        organisation=str(grant["organisation_id"]),
        email=staff_email(organisation),
    )
    world.tokens[colleague.id] = token
    no_address = world.user_with_roles("applicant", organisation_index=0)

    sign = offered(world, grant, owner)["sign"]
    assert sign["ready"] is True and sign["payload_rules"] == []
    for user in (colleague, no_address):
        assert "sign" not in offered(world, grant, user)
        refused = world.client.post(
            f"/api/v1/grants/{grant['id']}/actions/sign", json={}, headers=world.headers(user)
        )
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["rules"] == ["signer_has_signing_authority"]
        assert problem["detail"].startswith(
            f"only a contact with signing authority for {organisation['legal_name']} can sign"
        )
        assert lead_email(organisation) not in problem["detail"]
    detail = world.client.post(
        f"/api/v1/grants/{grant['id']}/actions/sign", json={}, headers=world.headers(colleague)
    ).json()["detail"]
    assert "the address you signed in with is not one of theirs" in detail
    assert staff_email(organisation) not in detail  # no address in what the trail keeps

    take(world, grant, owner, "sign", {})
    assert (
        world.client.get(f"/api/v1/grants/{grant['id']}", headers=world.headers(owner)).json()[
            "state"
        ]
        == "signed"
    )
