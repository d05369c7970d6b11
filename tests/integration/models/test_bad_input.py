"""Refused requests: the right error, a message naming the problem, and no trace in the database.

Every refusal below compares a dump of every row of every table before and after.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from models.budget import fiscal_label
from models.clock import fiscal_year_of, utcnow
from models.engine import apply_action, record_denial
from models.errors import (
    GuardFailed,
    IdempotencyConflict,
    InvalidPayload,
    NotFound,
    NotPermitted,
    UnknownAction,
    WrongState,
)
from models.fictional.cast import FUND
from models.fictional.script import actor
from models.fictional.seeding import application_for
from models.provisioning import create_application, create_fund
from tests.support.models_support import (
    World,
    advance,
    allocations,
    audit_events,
    grant,
    new_database,
    new_grant,
    prepare,
    snapshot,
    take,
    user_holding_only,
)


def refused_without_trace(world: World, error: type[Exception], attempt) -> Exception:
    before = snapshot(world.db)
    with pytest.raises(error) as refused:
        attempt()
    assert snapshot(world.db) == before
    return refused.value


def first_project_year() -> int:
    return fiscal_year_of(utcnow().date()) + 1


def small_fund(world: World, code: str, allocations_by_year: dict[int, int]) -> str:
    create_fund(
        world.db,
        code=code,
        name_en=f"Small fictional fund {code}",
        name_fr=f"Petit fonds fictif {code}",
        call_deadline=utcnow() + timedelta(days=60),
        signer_name=FUND.signer_name,
        signer_title=FUND.signer_title,
        signer_email=FUND.signer_email,
        notice_address=FUND.notice_address,
        notice_email=FUND.notice_email,
        allocations=allocations_by_year,
    )
    return code


# --------------------------------------------------------------------------- wrong requests


def test_an_unknown_action_is_refused_naming_the_actions_there_are(world):
    grant_id = new_grant(world)
    applicant = world.applicant_of(grant_id)

    error = refused_without_trace(
        world, UnknownAction, lambda: apply_action(world.db, grant_id, "fast_track", applicant)
    )

    assert str(error).startswith("unknown action 'fast_track'; actions are: submit, request_info,")
    assert str(error).endswith("begin_closeout, close, terminate")


def test_an_action_in_the_wrong_state_names_the_states_it_applies_to(world):
    grant_id = new_grant(world)
    advance(world, grant_id, "screen_in")
    approval = {"approved_cents": 1_000_000, "risk_rating": "low"}

    error = refused_without_trace(
        world,
        WrongState,
        lambda: apply_action(world.db, grant_id, "approve", actor(world.cast.approver), approval),
    )

    assert (
        str(error)
        == "'approve' is not available while grant is submitted; it applies to: recommended"
    )


def test_a_payment_before_the_agreement_is_live_names_the_grant_states_it_needs(world):
    grant_id = new_grant(world)
    advance(world, grant_id, "sign")
    reference = grant(world.db, grant_id).reference
    officer = actor(world.cast.payments_officer)

    error = refused_without_trace(
        world,
        WrongState,
        lambda: apply_action(world.db, grant_id, "initiate_payment", officer, {"sequence": 1}),
    )

    assert str(error) == (
        f"'initiate_payment' is not available while {reference} is approved; "
        "the grant must be active or closing"
    )


def test_a_missing_required_field_is_named(world):
    ready = prepare(world, "approve")

    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(
            world.db, ready.grant_id, "approve", ready.actor, {"approved_cents": 1_000_000}
        ),
    )

    assert str(error) == "invalid payload for 'approve': risk_rating: Field required"
    assert error.errors == [{"field": "risk_rating", "message": "Field required"}]


@pytest.mark.parametrize(
    ("action_key", "amount_field", "rule"),
    [
        ("approve", "approved_cents", "greater than 0"),
        ("recommend", "recommended_cents", "greater than 0"),
        ("record_insurance", "coverage_cents", "greater than 0"),
        ("submit_report", "expenditure_cents", "greater than or equal to 0"),
    ],
)
def test_a_negative_amount_is_refused(world, action_key, amount_field, rule):
    ready = prepare(world, action_key)
    payload = {**ready.payload, amount_field: -100}

    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(world.db, ready.grant_id, action_key, ready.actor, payload),
    )

    assert str(error) == (
        f"invalid payload for '{action_key}': {amount_field}: Input should be {rule}"
    )


def test_an_outcome_report_field_that_could_hold_a_person_is_refused(world):
    ready = prepare(world, "submit_report")
    payload = {**ready.payload, "survivor_name": "anyone"}

    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(world.db, ready.grant_id, "submit_report", ready.actor, payload),
    )

    assert "survivor_name: Extra inputs are not permitted" in str(error)


def test_an_instalment_the_grant_does_not_have_is_named(world):
    ready = prepare(world, "initiate_payment")
    reference = grant(world.db, ready.grant_id).reference

    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(
            world.db, ready.grant_id, "initiate_payment", ready.actor, {"sequence": 99}
        ),
    )

    assert str(error) == f"{reference} has no instalment 99"


def test_an_approval_above_the_funds_available_allocation_is_refused(world):
    year = first_project_year()
    fund_code = small_fund(world, "SMALLA", {year: 10_000_000})
    grant_id = new_grant(world, fund_code=fund_code)
    approval = advance(world, grant_id, "approve")
    requested = grant(world.db, grant_id).requested_cents
    assert requested == 12_500_000

    error = refused_without_trace(world, GuardFailed, lambda: take(world, approval, grant_id))

    assert error.rule == "within_allocation"
    assert str(error) == (
        f"approval would exceed the fund's allocation: fiscal year {fiscal_label(year)} is "
        "short by $25,000.00 ($100,000.00 available, $125,000.00 needed) [within_allocation]"
    )


def test_an_approval_of_exactly_the_available_allocation_commits_all_of_it(world):
    year = first_project_year()
    fund_code = small_fund(world, "SMALLB", {year: 10_000_000})
    grant_id = new_grant(world, fund_code=fund_code)
    action_key, approver, payload, _at = advance(world, grant_id, "approve")

    take(world, (action_key, approver, {**payload, "approved_cents": 10_000_000}), grant_id)

    fund_id = grant(world.db, grant_id).fund_id
    allocation = allocations(world.db, fund_id)[year]
    assert allocation.committed_cents == allocation.allocated_cents == 10_000_000


def test_an_approval_above_the_requested_amount_is_refused(world):
    grant_id = new_grant(world)
    action_key, approver, payload, _at = advance(world, grant_id, "approve")
    requested = grant(world.db, grant_id).requested_cents
    too_much = {**payload, "approved_cents": requested + 1}

    error = refused_without_trace(
        world, GuardFailed, lambda: take(world, (action_key, approver, too_much), grant_id)
    )

    assert error.failures == [
        (
            "approved_within_request",
            "the approved amount $125,000.01 exceeds the requested $125,000.00",
        )
    ]


def test_an_application_with_a_negative_budget_line_is_refused(world):
    organisation, data = application_for(0, world.cast)
    year = first_project_year()
    data = {**data, "budget": {year: 20_000_000, year + 1: -1}}
    data["end_date"] = data["end_date"].replace(year=year + 2)

    error = refused_without_trace(
        world, InvalidPayload, lambda: create_application(world.db, organisation.id, data)
    )

    assert "budget amounts must not be negative" in str(error)


def test_a_fund_with_a_negative_allocation_is_not_created_at_all(world):
    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: small_fund(world, "NEGATIVE", {2027: 1_000, 2028: -1}),
    )
    assert str(error) == "allocations must not be negative"


def test_a_zero_budget_year_without_an_allocation_does_not_block_approval(world):
    year = first_project_year()
    fund_code = small_fund(world, "ONEYEAR", {year: 100_000_000})
    organisation, data = application_for(0, world.cast)
    grant_id = create_application(
        world.db,
        organisation.id,
        {
            **data,
            "fund_code": fund_code,
            "end_date": data["end_date"].replace(year=year + 2),
            "budget": {year: 12_500_000, year + 1: 0},
        },
    ).id

    result = take(world, advance(world, grant_id, "approve"), grant_id)

    assert result.to_state == "approved"
    assert allocations(world.db, grant(world.db, grant_id).fund_id)[year].committed_cents == (
        12_500_000
    )


# --------------------------------------------------------------------------- denials


def test_recording_a_denial_appends_one_denied_event_and_nothing_else(world):
    grant_id = new_grant(world)
    action_key, approver, payload, _at = advance(world, grant_id, "approve")
    too_much = {**payload, "approved_cents": payload["approved_cents"] + 1}
    with pytest.raises(GuardFailed) as refused:
        take(world, (action_key, approver, too_much), grant_id)
    before = snapshot(world.db)

    record_denial(world.db, grant_id, "approve", approver, refused.value, flow_run_id="run-42")

    after = snapshot(world.db)
    assert {t: rows for t, rows in after.items() if t != "auditevent"} == {
        t: rows for t, rows in before.items() if t != "auditevent"
    }
    assert after["auditevent"][:-1] == before["auditevent"]
    assert len(after["auditevent"]) == len(before["auditevent"]) + 1
    denied = audit_events(world.db, grant_id)[-1]
    assert (denied.outcome, denied.action, denied.rule, denied.grant_id) == (
        "denied",
        "approve",
        "approved_within_request",
        grant_id,
    )
    assert (denied.actor_id, denied.actor_name, denied.role, denied.flow_run_id) == (
        approver.user_id,
        approver.name,
        "approver",
        "run-42",
    )
    assert (denied.from_state, denied.to_state) == (None, None)
    assert denied.payload_summary == {"reason": str(refused.value)}
    assert grant(world.db, grant_id).state == "recommended"


def test_a_denial_without_a_rule_is_recorded_under_the_errors_code(world):
    grant_id = new_grant(world)
    auditor = user_holding_only(world, "auditor")
    with pytest.raises(NotPermitted) as refused:
        apply_action(world.db, grant_id, "submit", auditor, {})

    record_denial(world.db, grant_id, "submit", auditor, refused.value)

    denied = audit_events(world.db, grant_id)[-1]
    assert (denied.outcome, denied.rule, denied.role) == ("denied", "not-permitted", "auditor")


def test_a_denial_on_a_grant_that_does_not_exist_is_recorded_without_a_grant(world):
    applicant = world.applicant_of(new_grant(world))
    error = NotFound("grant 999999 does not exist")
    count = len(audit_events(world.db))

    record_denial(world.db, 999_999, "submit", applicant, error)

    events = audit_events(world.db)
    assert len(events) == count + 1
    assert (events[-1].grant_id, events[-1].rule) == (None, "not-found")


def test_a_denial_keeps_at_most_five_hundred_characters_of_the_reason(world):
    grant_id = new_grant(world)
    applicant = world.applicant_of(grant_id)

    record_denial(world.db, grant_id, "submit", applicant, NotPermitted("x" * 2_000))

    assert audit_events(world.db, grant_id)[-1].payload_summary == {"reason": "x" * 500}


# --------------------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_ten_times_moves_the_grant_once(world):
    grant_id = new_grant(world)
    submit = advance(world, grant_id, "submit")
    key = f"submit-{grant(world.db, grant_id).reference}"
    events_before = len(audit_events(world.db, grant_id))

    first, *replays = [take(world, submit, grant_id, idempotency_key=key) for _ in range(10)]

    assert first.replayed is False
    assert replays == [replace(first, replayed=True)] * 9
    applied = audit_events(world.db, grant_id)[events_before:]
    assert [(e.action, e.outcome, e.idempotency_key) for e in applied] == [
        ("submit", "applied", key)
    ]
    assert grant(world.db, grant_id).state == "submitted"


def test_an_idempotency_key_reused_for_a_different_action_is_a_conflict(world):
    grant_id = new_grant(world)
    key = f"key-{grant_id}"
    take(world, advance(world, grant_id, "submit"), grant_id, idempotency_key=key)
    screen_in = ("screen_in", actor(world.cast.screening_officer), {})

    error = refused_without_trace(
        world, IdempotencyConflict, lambda: take(world, screen_in, grant_id, idempotency_key=key)
    )

    assert str(error) == (
        f"idempotency key was already used for a different request ('submit' on grant {grant_id})"
    )


def test_an_idempotency_key_reused_on_another_grant_is_a_conflict(world):
    first_grant, second_grant = new_grant(world), new_grant(world)
    key = f"key-{first_grant}-{second_grant}"
    take(world, advance(world, first_grant, "submit"), first_grant, idempotency_key=key)
    submit = advance(world, second_grant, "submit")

    error = refused_without_trace(
        world, IdempotencyConflict, lambda: take(world, submit, second_grant, idempotency_key=key)
    )

    assert str(error) == (
        "idempotency key was already used for a different request "
        f"('submit' on grant {first_grant})"
    )


def test_a_refused_attempt_does_not_use_up_its_idempotency_key(world):
    grant_id = new_grant(world)
    action_key, approver, payload, _at = advance(world, grant_id, "approve")
    key = f"approve-{grant_id}"
    too_much = {**payload, "approved_cents": payload["approved_cents"] + 1}
    with pytest.raises(GuardFailed):
        take(world, (action_key, approver, too_much), grant_id, idempotency_key=key)

    result = take(world, (action_key, approver, payload), grant_id, idempotency_key=key)

    assert (result.replayed, result.to_state) == (False, "approved")


def test_replaying_a_key_still_requires_permission_to_see_the_grant(world):
    grant_id = new_grant(world)
    key = f"submit-replay-{grant_id}"
    take(world, advance(world, grant_id, "submit"), grant_id, idempotency_key=key)
    outsider = world.applicant_of_another_organisation(grant_id)

    with pytest.raises(NotFound):
        apply_action(world.db, grant_id, "submit", outsider, {}, idempotency_key=key)


def test_an_idempotency_key_reused_with_a_different_payload_is_a_conflict(tmp_path):
    from models import fictional
    from models.engine import apply_action
    from models.errors import IdempotencyConflict
    from models.fictional.script import actor
    from models.provisioning import create_application

    db = new_database(tmp_path)
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    applicant = actor(cast.applicants[organisation.id])
    apply_action(db, grant.id, "submit", applicant, {}, idempotency_key="k-1")
    officer = actor(cast.screening_officer)
    apply_action(db, grant.id, "request_info", officer, {"items": ["A"]}, idempotency_key="k-2")
    with pytest.raises(IdempotencyConflict):
        apply_action(db, grant.id, "request_info", officer, {"items": ["B"]}, idempotency_key="k-2")
