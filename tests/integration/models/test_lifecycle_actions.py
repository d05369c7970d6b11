"""Every action in the lifecycle table, taken for real through ``apply_action`` on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import lifecycle
from models.clock import utcnow
from models.engine import apply_action
from models.errors import GuardFailed, WrongState
from models.fictional.script import actor
from tests.support.models_support import (
    PREPARATIONS,
    World,
    advance,
    allocations,
    audit_events,
    grant,
    instalments,
    new_grant,
    prepare,
    reports,
    run_script,
    subject_state,
    take,
    take_prepared,
)


def committed(world: World) -> int:
    return sum(a.committed_cents for a in allocations(world.db, world.cast.fund.id).values())


def test_every_declared_action_has_a_walkthrough():
    assert set(PREPARATIONS) == set(lifecycle.ACTIONS_BY_KEY)


@pytest.mark.parametrize("action_key", sorted(PREPARATIONS))
def test_each_action_moves_its_subject_to_the_declared_state_and_is_audited(world, action_key):
    action = lifecycle.ACTIONS_BY_KEY[action_key]
    ready = prepare(world, action_key)
    before = subject_state(world.db, action_key, ready.grant_id, ready.payload)

    result = take_prepared(world, ready)

    after = subject_state(world.db, action_key, ready.grant_id, ready.payload)
    assert before in action.from_states
    assert after == (action.to_state or before)
    assert (result.action, result.from_state, result.to_state) == (action_key, before, after)
    assert result.grant_state == grant(world.db, ready.grant_id).state
    event = audit_events(world.db, ready.grant_id)[-1]
    assert event.id == result.event_id
    assert (event.action, event.outcome, event.subject, event.subject_id) == (
        action_key,
        "applied",
        action.subject,
        result.subject_id,
    )
    assert (event.actor_id, event.actor_name, event.role) == (
        ready.actor.user_id,
        ready.actor.name,
        ready.actor.acting_role(action.roles),
    )
    assert (event.from_state, event.to_state) == (before, after)
    assert result.documents == action.documents


WITHDRAW_FROM = {
    "draft": ("submit", "full", 1),
    "submitted": ("screen_in", "full", 1),
    "needs_info": ("submit", "info_requested", 2),
    "in_review": ("declare_conflict", "full", 1),
}


def test_withdrawal_is_walked_through_from_every_state_it_leaves():
    assert set(WITHDRAW_FROM) == set(lifecycle.ACTIONS_BY_KEY["withdraw"].from_states)


@pytest.mark.parametrize("state", sorted(WITHDRAW_FROM))
def test_an_applicant_may_withdraw_until_the_panel_has_recommended(world, state):
    until, variant, occurrence = WITHDRAW_FROM[state]
    grant_id = new_grant(world)
    advance(world, grant_id, until, variant=variant, occurrence=occurrence)
    assert grant(world.db, grant_id).state == state
    applicant = world.applicant_of(grant_id)

    result = apply_action(world.db, grant_id, "withdraw", applicant, {"reason": "Not this year."})

    assert (result.from_state, result.to_state) == (state, "withdrawn")
    assert audit_events(world.db, grant_id)[-1].payload_summary["reason"] == "Not this year."
    with pytest.raises(WrongState, match="'submit' is not available while grant is withdrawn"):
        apply_action(world.db, grant_id, "submit", applicant, {})


def test_an_applicant_resubmits_after_an_information_request(world):
    grant_id = new_grant(world)
    request = advance(world, grant_id, "request_info", variant="info_requested")
    first_submission = grant(world.db, grant_id).submitted_at

    requested = take(world, request, grant_id)
    assert grant(world.db, grant_id).state == "needs_info"
    cure_by = (utcnow().date() + timedelta(days=world.cast.fund.cure_period_days)).isoformat()
    assert requested.details == {
        "items": ["Signed Board resolution for the 2nd year"],
        "cure_by": cure_by,
    }

    resubmitted = apply_action(world.db, grant_id, "submit", world.applicant_of(grant_id), {})
    assert (resubmitted.from_state, resubmitted.to_state) == ("needs_info", "submitted")
    assert grant(world.db, grant_id).submitted_at > first_submission
    trail = [(e.action, e.from_state, e.to_state) for e in audit_events(world.db, grant_id)]
    assert trail[1:] == [
        ("submit", "draft", "submitted"),
        ("request_info", "submitted", "needs_info"),
        ("submit", "needs_info", "submitted"),
    ]


def test_an_unsigned_offer_lapses_only_after_its_deadline_and_frees_the_allocation(world):
    ready = prepare(world, "lapse")
    offer = grant(world.db, ready.grant_id)
    committed_while_offered = committed(world)

    with pytest.raises(GuardFailed) as refused:
        apply_action(world.db, ready.grant_id, "lapse", ready.actor, {})
    assert refused.value.rule == "offer_deadline_passed"
    assert str(refused.value) == (
        f"the offer is open until {offer.offer_expires_on}; it cannot lapse before then "
        "[offer_deadline_passed]"
    )

    result = take_prepared(world, ready)
    assert result.to_state == "lapsed"
    assert result.details["released_commitment_cents"] == offer.approved_cents
    assert committed(world) == committed_while_offered - offer.approved_cents
    applicant = world.applicant_of(ready.grant_id)
    with pytest.raises(WrongState):
        apply_action(world.db, ready.grant_id, "sign", applicant, {})


def test_an_offer_signed_after_it_expired_is_refused(world):
    grant_id = new_grant(world)
    sign = advance(world, grant_id, "sign")
    with pytest.raises(GuardFailed) as refused:
        take(world, sign, grant_id, now=utcnow() + timedelta(days=400))
    assert refused.value.rule == "offer_not_expired"


def test_a_held_instalment_is_paid_only_after_it_is_resumed(world):
    ready = prepare(world, "hold_payment")
    officer, ref = ready.actor, {"sequence": ready.payload["sequence"]}
    take_prepared(world, ready)
    held = instalments(world.db, ready.grant_id)[0]
    assert (held.state, held.hold_reason) == ("held", "Bank check.")

    with pytest.raises(WrongState) as refused:
        apply_action(world.db, ready.grant_id, "initiate_payment", officer, ref)
    assert str(refused.value) == (
        "'initiate_payment' is not available while instalment 1 is held; it applies to: scheduled"
    )

    apply_action(world.db, ready.grant_id, "resume_payment", officer, ref)
    resumed = instalments(world.db, ready.grant_id)[0]
    assert (resumed.state, resumed.hold_reason) == ("scheduled", "")
    apply_action(world.db, ready.grant_id, "initiate_payment", officer, ref)
    apply_action(world.db, ready.grant_id, "release_payment", actor(world.cast.finance), ref)
    assert instalments(world.db, ready.grant_id)[0].state == "released"


def test_finance_may_hold_an_initiated_payment_which_must_then_be_initiated_again(world):
    grant_id = new_grant(world)
    _, finance, ref, _at = advance(world, grant_id, "release_payment")
    assert instalments(world.db, grant_id)[0].initiated_by_id is not None

    apply_action(world.db, grant_id, "hold_payment", finance, {**ref, "reason": "Bank details."})

    held = instalments(world.db, grant_id)[0]
    assert (held.state, held.initiated_by_id, held.initiated_at) == ("held", None, None)
    with pytest.raises(WrongState):
        apply_action(world.db, grant_id, "release_payment", finance, ref)


def test_a_returned_report_is_corrected_resubmitted_and_accepted(world):
    ready = prepare(world, "return_report")
    officer, sequence = ready.actor, ready.payload["sequence"]
    submitted = reports(world.db, ready.grant_id)[0]
    take_prepared(world, ready)
    returned = reports(world.db, ready.grant_id)[0]
    assert (returned.state, returned.return_reason) == ("returned", "Add referrals.")

    correction = {
        "sequence": sequence,
        "expenditure_cents": submitted.expenditure_cents,
        **{**submitted.aggregates, "referrals": 21},
    }
    applicant = world.applicant_of(ready.grant_id)
    result = apply_action(
        world.db, ready.grant_id, "submit_report", applicant, correction, now=ready.now
    )
    assert (result.from_state, result.to_state) == ("returned", "submitted")
    resubmitted = reports(world.db, ready.grant_id)[0]
    assert (resubmitted.return_reason, resubmitted.aggregates["referrals"]) == ("", 21)

    ref = {"sequence": sequence}
    apply_action(world.db, ready.grant_id, "accept_report", officer, ref, now=ready.now)
    assert reports(world.db, ready.grant_id)[0].state == "accepted"


def test_terminating_an_active_agreement_gives_back_what_was_never_paid(world):
    ready = prepare(world, "terminate")
    approved = grant(world.db, ready.grant_id).approved_cents
    committed_before = committed(world)

    result = take_prepared(world, ready)

    assert result.to_state == "terminated"
    assert result.details["released_commitment_cents"] == approved
    assert committed(world) == committed_before - approved
    with pytest.raises(WrongState, match="the grant must be active or closing"):
        apply_action(
            world.db,
            ready.grant_id,
            "initiate_payment",
            actor(world.cast.payments_officer),
            {"sequence": 1},
        )


def test_terminating_during_close_out_gives_back_only_the_unpaid_holdback(world):
    grant_id = new_grant(world)
    take(world, advance(world, grant_id, "begin_closeout"), grant_id)
    holdback = next(i for i in instalments(world.db, grant_id) if i.kind == "holdback")
    committed_before = committed(world)

    result = apply_action(
        world.db, grant_id, "terminate", actor(world.cast.approver), {"reason": "Dissolved."}
    )

    assert (result.from_state, result.to_state) == ("closing", "terminated")
    assert result.details["released_commitment_cents"] == holdback.amount_cents
    assert committed(world) == committed_before - holdback.amount_cents


VARIANT_ENDS = {
    "full": "closed",
    "info_requested": "closed",
    "declined_at_screening": "declined",
    "declined_at_approval": "declined",
}


@pytest.mark.parametrize("variant", sorted(VARIANT_ENDS))
def test_each_demo_variant_ends_in_its_terminal_state_with_an_unbroken_audit_trail(world, variant):
    grant_id = new_grant(world)
    results = run_script(world, grant_id, variant)

    assert grant(world.db, grant_id).state == VARIANT_ENDS[variant]
    assert lifecycle.grant_state(VARIANT_ENDS[variant]).terminal
    events = [e for e in audit_events(world.db, grant_id) if e.action in lifecycle.ACTIONS_BY_KEY]
    assert [e.id for e in events] == [r.event_id for r in results]
    assert all(e.outcome == "applied" for e in events)
    moves = [(e.from_state, e.to_state) for e in events if e.subject == "grant"]
    assert moves[0][0] == "draft"
    assert moves[-1][1] == VARIANT_ENDS[variant]
    for (_, reached), (left, _) in zip(moves, moves[1:], strict=False):
        assert left == reached


def test_an_officer_declines_only_at_screening_and_an_approver_after_review(world):
    """The officer's narrower from-states are declared (``role_from_states``), not a guard."""
    grant_id = new_grant(world)
    _, approver, reason, _at = advance(world, grant_id, "approve")  # the grant is now recommended
    officer = actor(world.cast.screening_officer)
    assert grant(world.db, grant_id).state == "recommended"

    with pytest.raises(WrongState) as refused:
        apply_action(world.db, grant_id, "decline", officer, {"reason": "Outside the call."})
    assert str(refused.value) == (
        "'decline' is not available to officer while grant is recommended; "
        "officer may take it from: submitted, needs_info"
    )
    assert grant(world.db, grant_id).state == "recommended"

    result = apply_action(world.db, grant_id, "decline", approver, {"reason": "Not this round."})
    assert result.to_state == "declined"


def test_an_officer_declines_at_screening():
    declared = lifecycle.ACTIONS_BY_KEY["decline"]
    assert declared.from_states_for("officer") == ("submitted", "needs_info")
    assert declared.from_states_for("approver") == declared.from_states
