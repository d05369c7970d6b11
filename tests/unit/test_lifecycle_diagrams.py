"""Each machine's Mermaid diagram draws every declared transition of that machine, and only
those: the README cannot show a path the engine refuses, or hide one it takes."""

from __future__ import annotations

import pytest

from models.lifecycle import ACTIONS, INITIAL_STATE, KNOCK_ONS, STATES_BY_SUBJECT, Subject
from models.lifecycle_docs import generate, mermaid


def edges(subject: Subject) -> set[tuple[str, str]]:
    """The (source, target) pairs of a machine's diagram, start and end markers included."""
    found = set()
    for line in mermaid(subject):
        if "-->" in line:
            source, rest = line.strip().split(" --> ")
            found.add((source, rest.split(":")[0]))
    return found


def declared_edges(subject: Subject) -> set[tuple[str, str]]:
    declared = {("[*]", INITIAL_STATE[subject])}
    for action in ACTIONS:
        if action.subject == subject and action.to_state:
            declared |= {(source, action.to_state) for source in action.from_states}
    for knock_on in KNOCK_ONS:
        if knock_on.subject == subject:
            declared |= {(source, knock_on.to_state) for source in knock_on.from_states}
    terminal = {state.key for state in STATES_BY_SUBJECT[subject] if state.terminal}
    return declared | {(key, "[*]") for key in terminal}


@pytest.mark.parametrize("subject", sorted(STATES_BY_SUBJECT))
def test_the_diagram_draws_exactly_the_declared_transitions(subject):
    assert edges(subject) == declared_edges(subject)


@pytest.mark.parametrize("subject", sorted(STATES_BY_SUBJECT))
def test_the_generated_section_holds_each_machines_diagram(subject):
    assert "\n".join(mermaid(subject)) in generate()


def test_the_generated_section_has_one_state_diagram_per_machine():
    assert generate().count("stateDiagram-v2") == len(STATES_BY_SUBJECT)
