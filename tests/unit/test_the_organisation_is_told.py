"""A step that changes what the organisation must do, or ends or stops what it was promised,
tells it, by a document addressed to it or by a message; read from the declaration alone.

Which steps those are is derived, not listed: a step the organisation does not take itself,
whose subject (or a row its knock-on moves) lands in a state where the organisation must act
next (it has a step of its own from there that does not end the grant: submit, sign, submit a
report), in a final state (the application or grant ends, a report is settled, an instalment
is paid or withheld), or in a state where its money stops (an instalment held). The steps
issue 13 named must be among them, so the rule cannot quietly shrink.
"""

from __future__ import annotations

import pytest

from documents import KINDS
from documents.messages.compose import MESSAGE_KINDS
from models.lifecycle import (
    ACTIONS,
    KNOCK_ONS,
    STATES_BY_SUBJECT,
    Action,
    Subject,
    organisation_message,
)
from models.visibility import applying_role

ORGANISATION = applying_role()
# An instalment in these states is not being paid to the organisation, though it was planned.
MONEY_STOPPED: set[tuple[Subject, str]] = {("instalment", "held")}
NAMED_IN_ISSUE_13 = {
    "request_info",
    "return_report",
    "lapse",
    "hold_payment",
    "close_incomplete",
    "record_overdue_report",
    "decline",
}


def final(subject: Subject, state: str) -> bool:
    return next(s for s in STATES_BY_SUBJECT[subject] if s.key == state).terminal


def where_it_must_act() -> set[tuple[Subject, str]]:
    """States from which the organisation's own steps lead on (not ending the grant)."""
    return {
        (action.subject, state)
        for action in ACTIONS
        if ORGANISATION in action.roles
        and action.to_state
        and not final(action.subject, action.to_state)
        for state in action.from_states
    }


def lands_in(action: Action) -> set[tuple[Subject, str]]:
    landed = {(action.subject, action.to_state)} if action.to_state else set()
    return landed | {(k.subject, k.to_state) for k in KNOCK_ONS if k.action == action.key}


def changes_what_the_organisation_must_do(action: Action) -> bool:
    if ORGANISATION in action.roles:
        return False  # it took the step itself
    must_act = where_it_must_act()
    return any(
        state in must_act or final(*state) or state in MONEY_STOPPED for state in lands_in(action)
    )


CHANGING = [a for a in ACTIONS if changes_what_the_organisation_must_do(a)]


def told(action: Action) -> list[str]:
    """How the organisation hears of ``action``: its documents, its message."""
    documents = [k for k in action.documents if KINDS[k].to_the_organisation]
    message = organisation_message(action)
    if message is not None:
        assert MESSAGE_KINDS[message] == "organisation", message
    return documents + ([message] if message else [])


def test_the_rule_finds_every_step_issue_13_named():
    assert {a.key for a in CHANGING} >= NAMED_IN_ISSUE_13


def test_the_rule_leaves_out_steps_that_change_nothing_for_the_organisation():
    found = {a.key for a in CHANGING}
    assert not found & {"screen_in", "score", "initiate_payment", "record_insurance", "sign"}


@pytest.mark.parametrize("action", CHANGING, ids=lambda a: a.key)
def test_each_such_step_tells_the_organisation(action):
    assert told(action), f"{action.key} changes what the organisation must do and tells it nothing"


def test_a_step_without_documents_of_its_own_tells_it_by_message():
    for action in CHANGING:
        if not any(KINDS[k].to_the_organisation for k in action.documents):
            assert organisation_message(action), action.key
