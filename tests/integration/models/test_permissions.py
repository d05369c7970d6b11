"""The permission matrix, generated from the lifecycle table: every action by every role.

Each action gets one real grant (built once for the module) in a state the action leaves
from. A user holding only one role then asks ``check_action``: a role the action names is
never refused permission (only a guard may stop it); any other role is refused with
``NotPermitted``; an applicant of another organisation is told the grant does not exist.
"""

from __future__ import annotations

import pytest

from models import lifecycle
from models.context import Actor
from models.engine import apply_action, check_action
from models.errors import ActionRejected, GuardFailed, InvalidPayload, NotFound, NotPermitted
from tests.support.models_support import (
    Prepared,
    World,
    prepare,
    snapshot,
    user_holding_only,
)

PERMITTED = [(a.key, role) for a in lifecycle.ACTIONS for role in a.roles]
REFUSED = [
    (a.key, role) for a in lifecycle.ACTIONS for role in lifecycle.ROLES if role not in a.roles
]
APPLICANT_ACTIONS = [a.key for a in lifecycle.actions_for_role("applicant")]
# A fresh user holds the role but is not the person the grant names: these guards stop them.
NOT_THE_NAMED_PERSON = {
    ("declare_conflict", "reviewer"): "reviewer_assigned",
    ("score", "reviewer"): "reviewer_assigned",
    ("recommend", "officer"): "actor_is_review_coordinator",
    ("not_recommend", "officer"): "actor_is_review_coordinator",
    # Only the Fund's signing authority countersigns, not every approver.
    ("countersign", "approver"): "countersigner_is_fund_signing_authority",
    ("countersign_amendment", "approver"): "countersigner_is_fund_signing_authority",
}


def pair_id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}-by-{pair[1]}"


@pytest.fixture(scope="module")
def ready(world) -> dict[str, Prepared]:
    """One grant per action, at the point where the demo script's person could take it."""
    return {a.key: prepare(world, a.key) for a in lifecycle.ACTIONS}


@pytest.fixture(scope="module")
def holding_only(world, ready) -> dict[str, Actor]:
    """A fresh user per staff role, created after every grant was screened (so no fresh
    reviewer sits on a panel)."""
    return {role: user_holding_only(world, role) for role in lifecycle.ROLES if role != "applicant"}


def someone_holding_only(role: str, world: World, holding_only, grant_id: int) -> Actor:
    return world.applicant_of(grant_id) if role == "applicant" else holding_only[role]


def check(world: World, prepared: Prepared, who: Actor) -> None:
    check_action(
        world.db, prepared.grant_id, prepared.action, who, prepared.payload, now=prepared.now
    )


def apply(world: World, prepared: Prepared, who: Actor) -> None:
    apply_action(
        world.db, prepared.grant_id, prepared.action, who, prepared.payload, now=prepared.now
    )


def test_the_matrix_covers_every_action_and_role(capsys):
    assert len(PERMITTED) + len(REFUSED) == len(lifecycle.ACTIONS) * len(lifecycle.ROLES)
    assert {a for a, _ in PERMITTED} == set(lifecycle.ACTIONS_BY_KEY)
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(PERMITTED) + len(REFUSED)} role×action pairs checked "
            f"({len(lifecycle.ACTIONS)} actions × {len(lifecycle.ROLES)} roles: "
            f"{len(PERMITTED)} permitted, {len(REFUSED)} refused), "
            f"plus {len(APPLICANT_ACTIONS)} actions by an applicant of another organisation"
        )


@pytest.mark.parametrize("action_key", sorted(lifecycle.ACTIONS_BY_KEY))
def test_the_person_the_demo_script_names_passes_every_check(world, ready, action_key):
    check(world, ready[action_key], ready[action_key].actor)


@pytest.mark.parametrize(("action_key", "role"), PERMITTED, ids=map(pair_id, PERMITTED))
def test_a_role_the_action_names_is_never_refused_permission(
    world, ready, holding_only, action_key, role
):
    prepared = ready[action_key]
    who = someone_holding_only(role, world, holding_only, prepared.grant_id)
    stopping_rule = NOT_THE_NAMED_PERSON.get((action_key, role))
    if stopping_rule is None:
        check(world, prepared, who)
    else:
        with pytest.raises(GuardFailed) as refused:
            check(world, prepared, who)
        assert refused.value.rule == stopping_rule


@pytest.mark.parametrize(("action_key", "role"), REFUSED, ids=map(pair_id, REFUSED))
def test_a_role_the_action_does_not_name_is_refused_permission(
    world, ready, holding_only, action_key, role
):
    prepared = ready[action_key]
    who = someone_holding_only(role, world, holding_only, prepared.grant_id)
    with pytest.raises(NotPermitted) as refused:
        check(world, prepared, who)
    allowed = ", ".join(lifecycle.ACTIONS_BY_KEY[action_key].roles)
    assert (
        str(refused.value) == f"'{action_key}' may be taken by {allowed}; {who.name} holds {role}"
    )


@pytest.mark.parametrize("action_key", APPLICANT_ACTIONS)
def test_an_applicant_is_told_another_organisations_grant_does_not_exist(world, ready, action_key):
    prepared = ready[action_key]
    outsider = world.applicant_of_another_organisation(prepared.grant_id)
    for attempt in (check, apply):
        with pytest.raises(NotFound) as refused:
            attempt(world, prepared, outsider)
        assert str(refused.value) == f"grant {prepared.grant_id} does not exist"


def test_a_grant_that_does_not_exist_is_not_found_by_anyone(world, ready):
    applicant = world.applicant_of(ready["submit"].grant_id)
    with pytest.raises(NotFound, match="grant 999999 does not exist"):
        check_action(world.db, 999_999, "submit", applicant, {})


@pytest.mark.parametrize("action_key", sorted(lifecycle.ACTIONS_BY_KEY))
def test_apply_action_refuses_an_auditor_and_changes_nothing(
    world, ready, holding_only, action_key
):
    prepared = ready[action_key]
    before = snapshot(world.db)
    with pytest.raises(NotPermitted):
        apply(world, prepared, holding_only["auditor"])
    assert snapshot(world.db) == before


def test_auditors_and_admins_take_no_lifecycle_action():
    assert lifecycle.actions_for_role("auditor") == ()
    assert lifecycle.actions_for_role("admin") == ()


def test_every_action_names_only_known_roles():
    assert {role for a in lifecycle.ACTIONS for role in a.roles} <= set(lifecycle.ROLES)


def test_an_applicant_cannot_learn_that_another_organisations_grant_exists(world, ready):
    outcomes = {}
    for action_key, prepared in ready.items():
        outsider = world.applicant_of_another_organisation(prepared.grant_id)
        try:
            check(world, prepared, outsider)
            outcomes[action_key] = "allowed"
        except ActionRejected as refused:
            outcomes[action_key] = type(refused).__name__
    assert outcomes == dict.fromkeys(ready, "NotFound")


def test_permission_is_checked_before_the_payload_is_read(world, ready, holding_only):
    prepared = ready["approve"]
    with pytest.raises(NotPermitted):
        check_action(world.db, prepared.grant_id, "approve", holding_only["auditor"], {})


def test_a_role_holder_with_a_bad_payload_is_told_what_is_wrong_with_it(world, ready):
    prepared = ready["approve"]
    with pytest.raises(InvalidPayload, match="risk_rating: Field required"):
        check_action(world.db, prepared.grant_id, "approve", prepared.actor, {"approved_cents": 1})
