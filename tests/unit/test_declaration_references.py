"""Every name the lifecycle declaration uses refers to something that exists.

An action's document kinds must be built by ``documents.registry``; its guard names must be
registered in ``models.guards``; and no guard may sit registered but unused (a rule nobody
enforces). Failures name the action, so the fix is obvious.
"""

from __future__ import annotations

from documents.registry import KINDS
from models.guards import GUARDS
from models.lifecycle import ACTIONS


def test_every_document_kind_an_action_lists_is_a_known_kind():
    unknown = {
        action.key: [kind for kind in action.documents if kind not in KINDS]
        for action in ACTIONS
        if any(kind not in KINDS for kind in action.documents)
    }
    assert not unknown, f"actions listing unknown document kinds: {unknown}"


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
