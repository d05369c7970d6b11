"""What an action needs loaded is declared (``lifecycle.Action.needs``), never a branch on its key.

The engine loads every declared need generically (``models.grant_rows.NEED_LOADERS``); it names no
action and compares no action key with a fixed key. Every guard or effect that reads a need's
context field belongs only to actions declaring that need, so a new action reusing such a
guard cannot silently see an empty panel.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import fields
from pathlib import Path
from typing import get_args

import pytest

import models.engine as engine
import models.grant_rows as grant_rows
from models.context import ActionContext
from models.effects import EFFECTS
from models.guards import GUARDS
from models.lifecycle import ACTIONS, ACTIONS_BY_KEY, Need

ENGINE_SOURCES = {
    module.__name__: Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[arg-type]
    for module in (engine, grant_rows)
}
NEEDS: tuple[str, ...] = get_args(Need)


def _is_action_key(node: ast.expr) -> bool:
    """``<anything>.key`` or a name ``action_key``: an action's key at run time."""
    return (isinstance(node, ast.Attribute) and node.attr == "key") or (
        isinstance(node, ast.Name) and node.id == "action_key"
    )


def _is_fixed(node: ast.expr) -> bool:
    """A literal, a collection of literals, or an UPPER_CASE module constant."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_is_fixed(element) for element in node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name.isupper()


def action_branches(source: str) -> list[str]:
    """Where ``source`` singles out particular actions: a string naming a declared action, a
    comparison of an action key with a fixed value, or a ``match`` on an action key."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in ACTIONS_BY_KEY:
            found.append(f"line {node.lineno}: names the action {node.value!r}")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(map(_is_action_key, operands)) and any(map(_is_fixed, operands)):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Match) and _is_action_key(node.subject):
            found.append(f"line {node.lineno}: match {ast.unparse(node.subject)}")
    return found


@pytest.mark.parametrize(
    "branch",
    [
        'if action.key == "screen_in":\n    panel = load()',
        'if ctx.action.key in ("approve", "decline"):\n    pass',
        "if action_key != SCREENING:\n    pass",
        "if action.key in lifecycle.PANEL_ACTIONS:\n    pass",
        'match action.key:\n    case "x":\n        pass',
        'LOADERS = {"screen_in": load}',
    ],
)
def test_the_detector_sees_a_branch_on_an_action_key(branch: str) -> None:
    assert action_branches(textwrap.dedent(branch))


def test_the_detector_lets_runtime_comparisons_and_other_fields_pass() -> None:
    assert not action_branches(
        'if event.action != action_key:\n    pass\nif action.subject == "grant":\n    pass'
    )


@pytest.mark.parametrize("module", sorted(ENGINE_SOURCES))
def test_the_engine_has_no_branch_on_an_action_key(module: str) -> None:
    assert action_branches(ENGINE_SOURCES[module]) == [], (
        f"{module} singles out actions; declare what they need in models/lifecycle.py"
    )


def test_every_need_has_a_loader_filling_the_context_field_of_its_name() -> None:
    context_fields = {f.name for f in fields(ActionContext)}
    assert set(grant_rows.NEED_LOADERS) == set(NEEDS)
    assert set(NEEDS) <= context_fields


def test_actions_declare_only_needs_the_engine_loads() -> None:
    unknown = {(a.key, n) for a in ACTIONS for n in a.needs if n not in grant_rows.NEED_LOADERS}
    assert not unknown


def _needs_read(function: object) -> set[str]:
    """The needs' context fields a guard or effect reads (``ctx.panel``)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ctx"
        and node.attr in NEEDS
    }


def test_an_action_declares_every_need_its_guards_and_effect_read() -> None:
    missing = []
    for action in ACTIONS:
        readers = [GUARDS[name] for name in action.guards]
        if action.key in EFFECTS:
            readers.append(EFFECTS[action.key])
        for reader in readers:
            for need in sorted(_needs_read(reader) - set(action.needs)):
                missing.append(f"{action.key}: {reader.__name__} reads ctx.{need}")
    assert not missing, f"undeclared needs: {missing}"


def test_the_guard_check_sees_the_panel_read_by_quorum() -> None:
    # Keeps the check above honest: it does find the reads it exists to find.
    assert _needs_read(GUARDS["panel_can_reach_quorum"]) == {"panel"}
