"""The effects registry fails closed: every declared action has an effect or is declared
effect-free, every effect names a declared action, and an action with neither is refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from models.effects import (
    EFFECTS,
    NO_EFFECT,
    EffectRegistryError,
    effect_of,
    registry_problems,
    run_effect,
)
from models.lifecycle import ACTIONS_BY_KEY


def test_every_registered_effect_names_a_declared_action():
    undeclared = sorted(set(EFFECTS) - set(ACTIONS_BY_KEY))
    assert not undeclared, f"effects registered for undeclared actions: {undeclared}"


def test_every_effect_free_action_is_declared():
    undeclared = sorted(NO_EFFECT - set(ACTIONS_BY_KEY))
    assert not undeclared, f"NO_EFFECT names undeclared actions: {undeclared}"


def test_every_declared_action_has_an_effect_or_is_declared_effect_free():
    neither = sorted(set(ACTIONS_BY_KEY) - set(EFFECTS) - NO_EFFECT)
    assert not neither, f"actions with no effect and not in NO_EFFECT: {neither}"


def test_no_action_both_has_an_effect_and_is_declared_effect_free():
    both = sorted(set(EFFECTS) & NO_EFFECT)
    assert not both, f"actions both with an effect and in NO_EFFECT: {both}"


def test_the_import_time_check_names_each_kind_of_disagreement():
    problems = registry_problems(
        effects={"submit", "ghost", "withdraw"},
        no_effect={"withdraw", "phantom"},
        actions={"submit", "withdraw", "approve"},
    )
    assert sorted(problems) == sorted(
        [
            "effect for undeclared action 'ghost'",
            "NO_EFFECT names undeclared action 'phantom'",
            "action 'withdraw' has an effect and is in NO_EFFECT",
            "action 'approve' has no effect and is not in NO_EFFECT",
        ]
    )


def test_an_action_without_an_effect_or_a_declaration_is_refused_not_skipped():
    ctx = SimpleNamespace(action=SimpleNamespace(key="undeclared_action"))
    with pytest.raises(EffectRegistryError, match="undeclared_action"):
        run_effect(None, ctx)  # type: ignore[arg-type]


def test_an_effect_free_action_runs_nothing():
    assert effect_of("withdraw") is None
