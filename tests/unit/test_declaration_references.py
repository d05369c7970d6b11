"""Every name the lifecycle declaration uses refers to something that exists.

An action's document kinds must be built by ``documents.registry``; its guard names must be
registered in ``models.guards``; and no guard may sit registered but unused (a rule nobody
enforces). Every state of each machine is reached by a declared action or knock-on, so no
effect moves a row along a path the diagrams do not show. Failures name the action.
"""

from __future__ import annotations

import pytest

from documents.registry import KINDS
from models.guards import GUARDS
from models.lifecycle import (
    ACTIONS,
    ACTIONS_BY_KEY,
    DOCUMENT_AUDIENCES,
    INITIAL_STATE,
    KNOCK_ONS,
    STATES_BY_SUBJECT,
    state_keys,
)


def test_every_document_kind_an_action_lists_is_a_known_kind():
    unknown = {
        action.key: [kind for kind in action.documents if kind not in KINDS]
        for action in ACTIONS
        if any(kind not in KINDS for kind in action.documents)
    }
    assert not unknown, f"actions listing unknown document kinds: {unknown}"


def test_the_declared_document_audiences_are_the_builders_own():
    """What the README says each step hands whom (``DOCUMENT_AUDIENCES``) is each builder's
    ``AUDIENCE``, which decides who reads a document and whether its message is sent."""
    assert {key: kind.audience for key, kind in KINDS.items()} == DOCUMENT_AUDIENCES


def test_every_guard_name_an_action_lists_is_a_registered_guard():
    unknown = {
        action.key: [name for name in action.guards if name not in GUARDS]
        for action in ACTIONS
        if any(name not in GUARDS for name in action.guards)
    }
    assert not unknown, f"actions listing unregistered guards: {unknown}"


def test_every_registered_guard_is_used_by_some_action():
    used = {name for action in ACTIONS for name in action.guards}
    unused = sorted(set(GUARDS) - used)
    assert not unused, f"guards no action names: {unused}"


def test_every_knock_on_names_a_declared_action_and_states_of_its_machine():
    for knock_on in KNOCK_ONS:
        assert knock_on.action in ACTIONS_BY_KEY, knock_on
        states = state_keys(knock_on.subject)
        assert set(knock_on.from_states) | {knock_on.to_state} <= set(states), knock_on


def named_states(action) -> set[str]:
    return set(action.from_states) | ({action.to_state} if action.to_state else set())


def test_every_action_moves_between_states_of_its_own_machine():
    wrong = {
        action.key: sorted(named_states(action) - set(state_keys(action.subject)))
        for action in ACTIONS
        if named_states(action) - set(state_keys(action.subject))
    }
    assert not wrong, f"actions naming states their machine lacks: {wrong}"


@pytest.mark.parametrize("subject", sorted(STATES_BY_SUBJECT))
def test_every_state_is_reached_by_a_declared_path(subject):
    reached = {INITIAL_STATE[subject]}
    reached |= {a.to_state for a in ACTIONS if a.subject == subject and a.to_state}
    reached |= {k.to_state for k in KNOCK_ONS if k.subject == subject}
    unreached = sorted(set(state_keys(subject)) - reached)
    assert not unreached, f"{subject} states no declared action or knock-on leads to: {unreached}"
