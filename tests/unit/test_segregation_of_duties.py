"""The fund's segregation-of-duties policy, pinned literally.

The README's lifecycle section is generated from ``models.lifecycle``, so regenerating it makes
any edit of the table look consistent. This test is the independent copy: the policy is written
out here by hand, and an edit of the declaration that changes who may approve, countersign, pay
or close, or drops a separation guard, fails until someone changes this file on purpose.
"""

from __future__ import annotations

import pytest

from models.guards import GUARDS
from models.lifecycle import ACTIONS, ACTIONS_BY_KEY

# Guards that keep two duties on one grant or payment in different hands.
SEPARATION_GUARDS = frozenset(
    {
        "approver_not_screening_officer",  # who let the application in does not fund it
        "approver_not_review_coordinator",  # who ran the panel does not fund it
        "releaser_not_initiator",  # who asks for a payment does not send it
        "approver_not_amendment_proposer",  # who proposes an amendment does not decide it
    }
)

# action: (roles allowed, separation guards), exactly.
POLICY: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "approve": (
        frozenset({"approver"}),
        frozenset({"approver_not_screening_officer", "approver_not_review_coordinator"}),
    ),
    "countersign": (
        frozenset({"approver"}),
        frozenset({"approver_not_screening_officer"}),
    ),
    "initiate_payment": (frozenset({"officer"}), frozenset()),
    "release_payment": (frozenset({"finance"}), frozenset({"releaser_not_initiator"})),
    "close": (frozenset({"approver"}), frozenset()),
    # An amendment is decided under the approval's separation, and countersigned like the
    # agreement; its proposer decides neither.
    "propose_amendment": (frozenset({"officer"}), frozenset()),
    "approve_amendment": (
        frozenset({"approver"}),
        frozenset(
            {
                "approver_not_amendment_proposer",
                "approver_not_screening_officer",
                "approver_not_review_coordinator",
            }
        ),
    ),
    "countersign_amendment": (
        frozenset({"approver"}),
        frozenset({"approver_not_amendment_proposer", "approver_not_screening_officer"}),
    ),
}

# Every action that carries a separation guard, with the guards it carries; any other action
# carries none. ``decline`` is here because an approver declining is also bound by screening.
SEPARATED_ACTIONS: dict[str, frozenset[str]] = {
    key: separation for key, (_roles, separation) in POLICY.items() if separation
} | {"decline": frozenset({"approver_not_screening_officer"})}


def separation_of(action_key: str) -> frozenset[str]:
    return frozenset(ACTIONS_BY_KEY[action_key].guards) & SEPARATION_GUARDS


def test_every_separation_guard_is_a_registered_guard():
    assert set(GUARDS) >= SEPARATION_GUARDS


@pytest.mark.parametrize("action_key", sorted(POLICY))
def test_only_the_pinned_roles_may_take_the_action(action_key):
    roles, _separation = POLICY[action_key]
    assert frozenset(ACTIONS_BY_KEY[action_key].roles) == roles


@pytest.mark.parametrize("action_key", sorted(POLICY))
def test_the_action_carries_exactly_the_pinned_separation_guards(action_key):
    _roles, separation = POLICY[action_key]
    assert separation_of(action_key) == separation


def test_separation_guards_appear_on_no_other_action():
    actual = {a.key: separation_of(a.key) for a in ACTIONS if separation_of(a.key)}
    assert actual == SEPARATED_ACTIONS


def test_the_roles_that_approve_and_release_are_disjoint_from_those_that_prepare_them():
    # An officer screens, coordinates and initiates; approving and releasing belong elsewhere.
    assert "officer" not in ACTIONS_BY_KEY["approve"].roles
    assert not set(ACTIONS_BY_KEY["initiate_payment"].roles) & set(
        ACTIONS_BY_KEY["release_payment"].roles
    )
