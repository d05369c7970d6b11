"""Each guard's declared kind is true to what it reads.

Readiness before a payload is sent (``models.engine.readiness``, ``GET .../actions``) runs
every guard not in ``READS_PAYLOAD`` against a payload that has no fields: a guard that reads
the payload without being declared so would crash there, and one declared so without reading
it would never be checked before sending. ``ABOUT_THE_ACTOR`` guards hide an action from a
user; they must only look at the actor's own part on the grant.
"""

from __future__ import annotations

import dataclasses

import pytest

from models import lifecycle
from models.guards import ABOUT_THE_ACTOR, GUARDS, READS_PAYLOAD
from tests.support.models_support import all_scores, fake_context, fake_people


class NoPayload:
    """A payload that refuses every read: a guard touching it raises."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        raise AssertionError(f"read payload.{name}")


USES = sorted(
    {(action.key, name) for action in lifecycle.ACTIONS for name in action.guards},
)


@pytest.mark.parametrize(("action_key", "guard_name"), USES)
def test_a_guard_reads_the_payload_exactly_when_declared_so(action_key, guard_name):
    ctx = fake_context(action_key)
    ctx.payload = NoPayload()  # type: ignore[assignment]
    if guard_name in READS_PAYLOAD:
        with pytest.raises(AssertionError, match="read payload"):
            GUARDS[guard_name](ctx)
    else:
        GUARDS[guard_name](ctx)  # must not touch the payload


def test_the_kinds_name_registered_guards_and_do_not_overlap():
    registered = set(GUARDS)
    assert registered.issuperset(READS_PAYLOAD) and registered.issuperset(ABOUT_THE_ACTOR)
    assert not READS_PAYLOAD & ABOUT_THE_ACTOR
    hidden_when_failing = {
        "reviewer_assigned",
        "conflict_not_yet_declared",
        "not_yet_scored",
        "actor_is_review_coordinator",
        "signer_has_signing_authority",
        "countersigner_is_fund_signing_authority",
    }
    assert set(ABOUT_THE_ACTOR) == hidden_when_failing


def _someone_else(ctx):  # type: ignore[no-untyped-def]
    stranger = fake_people().approver
    return dataclasses.replace(ctx.actor, user_id=stranger.id, name=stranger.name)


def test_the_panel_and_the_coordinator_guards_fail_for_anyone_else():
    for action_key, guard_name in (
        ("score", "reviewer_assigned"),
        ("recommend", "actor_is_review_coordinator"),
    ):
        ctx = fake_context(action_key)
        assert GUARDS[guard_name](ctx) is None
        ctx.actor = _someone_else(ctx)
        assert GUARDS[guard_name](ctx) is not None, guard_name


def test_declaring_and_scoring_are_refused_once_the_actor_has_done_it_not_before():
    declaring = fake_context("declare_conflict")
    others = [a for a in declaring.assignments if a.reviewer_id != declaring.actor.user_id]
    for assignment in others:
        assignment.conflict = "none"  # the rest of the panel has declared: still offered
    assert GUARDS["conflict_not_yet_declared"](declaring) is None
    declaring.assignment_of(declaring.actor.user_id).conflict = "none"  # type: ignore[union-attr]
    assert GUARDS["conflict_not_yet_declared"](declaring) is not None

    scoring = fake_context("score")
    me = scoring.actor.user_id
    scoring.scores = [s for r in fake_people().reviewers if r.id != me for s in all_scores(r.id)]
    assert GUARDS["not_yet_scored"](scoring) is None
    scoring.scores += all_scores(me)
    assert GUARDS["not_yet_scored"](scoring) is not None
