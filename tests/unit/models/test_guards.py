"""Every named guard refuses with a sentence that says what is wrong, and holds otherwise.

Each refusal below starts from ``fake_context(action)``, a request that satisfies every guard of
the action, and breaks one fact. The meta-tests fail when a guard is added to the lifecycle
without a refusal here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from models import lifecycle
from models.context import ActionContext
from models.engine import failed_guards
from models.errors import GuardFailed
from models.fictional.cast import FUND
from models.guards import GUARDS
from models.tables import ReviewAssignment, User
from tests.support.models_support import (
    END,
    NON_SIGNER,
    NON_SIGNER_EMAIL,
    NOW,
    ORGANISATION,
    REQUESTED,
    SIGNER,
    START,
    acting_as,
    all_scores,
    fake_amendment,
    fake_context,
    fake_grant,
    fake_people,
    fake_report,
    force_state,
    with_payload,
)

Refusal = Callable[[], tuple[ActionContext, str]]
REFUSALS: dict[str, Refusal] = {}


def refusal(guard_name: str) -> Callable[[Refusal], Refusal]:
    def register(build: Refusal) -> Refusal:
        REFUSALS[guard_name] = build
        return build

    return register


def message_of(guard_name: str, ctx: ActionContext) -> str | None:
    return GUARDS[guard_name](ctx)


# --------------------------------------------------------------------------- intake


@refusal("registration_complete")
def organisation_without_business_number_second_contact_or_signing_authority():
    ctx = fake_context("submit")
    ctx.organisation.business_number = "12345"
    ctx.contacts = ctx.contacts[1:]
    return ctx, (
        "organisation registration is incomplete: missing a valid CRA business number "
        "(9 digits, e.g. 123456789RR0001), at least two contacts, "
        "a contact with signing authority"
    )


@refusal("indigenous_led_attested")
def organisation_that_has_not_attested_indigenous_leadership():
    ctx = fake_context("submit")
    ctx.organisation.indigenous_led_attested = False
    return ctx, "the organisation has not attested that it is Indigenous-led"


@refusal("community_resolution_on_file")
def blank_community_resolution():
    ctx = fake_context("submit")
    ctx.organisation.community_resolution_ref = "   "
    return ctx, "no Band Council or Board resolution supporting the project is on file"


@refusal("data_governance_consent_given")
def no_data_governance_agreement():
    ctx = fake_context("submit")
    ctx.organisation.data_governance_consent = False
    return ctx, "the organisation has not agreed a data-governance agreement"


@refusal("requested_within_fund_maximum")
def request_one_cent_above_the_maximum_award():
    ctx = fake_context("submit")
    ctx.grant.requested_cents = 185_000_001
    return ctx, (
        "the requested amount $1,850,000.01 exceeds the fund's maximum award of $1,850,000.00"
    )


@refusal("budget_matches_request")
def budget_short_of_the_request():
    ctx = fake_context("submit")
    ctx.budget[0].requested_cents = 20_000_000
    return ctx, "the budget's fiscal years add up to $200,000.00, not the requested $250,000.00"


@refusal("project_dates_valid")
def project_ending_the_day_it_starts():
    ctx = fake_context("submit")
    ctx.grant.end_date = ctx.grant.start_date
    return ctx, "the project must end after it starts"


@refusal("before_call_deadline")
def first_submission_a_minute_after_the_call_closed():
    ctx = fake_context("submit")
    ctx.now = ctx.fund.call_deadline + timedelta(minutes=1)
    return ctx, "the call for applications closed before this submission"


@refusal("within_cure_period")
def resubmission_a_day_after_the_cure_period_ended():
    from models.governed import engine_window

    ctx = fake_context("submit")
    with engine_window():
        ctx.grant.state = "needs_info"
    ctx.grant.info_requested_at = ctx.now - timedelta(days=ctx.fund.cure_period_days + 1)
    cure_by = (ctx.grant.info_requested_at + timedelta(days=ctx.fund.cure_period_days)).date()
    return ctx, (
        f"the {ctx.fund.cure_period_days}-day cure period for the requested information "
        f"ended on {cure_by}"
    )


@refusal("amendment_keeps_application_valid")
def amendment_ending_the_project_before_it_starts():
    ctx = with_payload(fake_context("amend_application"), end_date=START - timedelta(days=1))
    return ctx, (
        "the amended application is not valid: end_date must be after start_date "
        "(start_date 2027-04-01, end_date 2027-03-31)"
    )


def test_an_amendment_moving_the_dates_past_the_budget_must_bring_the_budget_along():
    later = {"start_date": START.replace(year=2028), "end_date": END.replace(year=2029)}
    ctx = with_payload(fake_context("amend_application"), **later)
    assert message_of("amendment_keeps_application_valid", ctx) == (
        "the amended application is not valid: budget years [2027] fall outside the "
        "project's fiscal years (start_date 2028-04-01, end_date 2029-03-31); amend the "
        "budget together with the dates"
    )
    with_payload(ctx, budget={2028: REQUESTED})
    assert message_of("amendment_keeps_application_valid", ctx) is None


def test_an_amendment_of_the_budget_alone_is_held_to_the_grant_s_dates():
    ctx = with_payload(fake_context("amend_application"), budget={2027: 1, 2028: 1})
    assert message_of("amendment_keeps_application_valid", ctx) == (
        "the amended application is not valid: budget years [2028] fall outside the "
        "project's fiscal years (start_date 2027-04-01, end_date 2028-03-31); amend the "
        "budget together with the dates"
    )


def test_a_resubmission_inside_the_cure_period_is_accepted():
    from models.governed import engine_window

    ctx = fake_context("submit")
    with engine_window():
        ctx.grant.state = "needs_info"
    ctx.grant.info_requested_at = ctx.now - timedelta(days=ctx.fund.cure_period_days - 1)
    assert message_of("within_cure_period", ctx) is None


@refusal("coordinator_is_officer")
def reviewer_named_as_review_coordinator():
    ctx = with_payload(fake_context("screen_in"), coordinator_id=fake_people().elder.id)
    return ctx, "user 20 is not an active program officer"


@refusal("panel_can_reach_quorum")
def no_active_reviewers():
    ctx = fake_context("screen_in")
    ctx.panel = []
    return ctx, "the review panel has no active members"


# --------------------------------------------------------------------------- community review


@refusal("reviewer_assigned")
def reviewer_not_on_the_panel():
    outsider = User(id=23, name="Sky Pinecrest", roles=["reviewer"])
    return acting_as(fake_context("declare_conflict"), outsider), (
        "the reviewer is not on this application's panel"
    )


@refusal("conflict_not_yet_declared")
def second_conflict_declaration():
    ctx = fake_context("declare_conflict")
    ctx.assignment_of(ctx.actor.user_id).conflict = "none"
    return ctx, "the reviewer has already declared on conflicts of interest for this application"


@refusal("conflict_declared")
def scoring_before_declaring():
    ctx = fake_context("score")
    ctx.assignment_of(ctx.actor.user_id).conflict = None
    return ctx, "the reviewer must declare any conflict of interest before scoring"


@refusal("reviewer_not_conflicted")
def scoring_with_a_direct_conflict():
    ctx = fake_context("score")
    ctx.assignment_of(ctx.actor.user_id).conflict = "direct"
    return ctx, "a reviewer with a direct conflict of interest is recused and may not score"


@refusal("not_yet_scored")
def scoring_twice():
    ctx = fake_context("score")
    ctx.scores = all_scores(ctx.actor.user_id)
    return ctx, "the reviewer has already scored this application; scores are sealed"


@refusal("actor_is_review_coordinator")
def officer_who_does_not_coordinate_the_review():
    ctx = acting_as(fake_context("recommend"), fake_people().payments_officer)
    return ctx, "only this application's review coordinator records the panel's recommendation"


@refusal("quorum_met")
def one_of_three_members_scored():
    ctx = fake_context("recommend")
    ctx.scores = all_scores(fake_people().elder.id)
    return ctx, "quorum not met: 1 of 3 panel members have scored, 2 required (2/3)"


@refusal("elder_present")
def quorum_without_the_elder():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.scores = all_scores(people.survivor_advisor.id) + all_scores(people.reviewer.id)
    return ctx, "no recommendation without an Elder among the members who scored"


@refusal("survivor_advisor_present")
def quorum_without_the_survivor_advisor():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.scores = all_scores(people.elder.id) + all_scores(people.reviewer.id)
    return ctx, "no recommendation without a survivor advisor among the members who scored"


@refusal("recommended_within_request")
def recommendation_above_the_request():
    ctx = with_payload(fake_context("recommend"), recommended_cents=25_000_001)
    return ctx, "the recommended amount $250,000.01 exceeds the requested $250,000.00"


# --------------------------------------------------------------------------- approval, agreement


@refusal("approver_not_screening_officer")
def approver_who_screened_the_grant():
    ctx = fake_context("approve")
    ctx.grant.screened_by_id = ctx.actor.user_id
    return ctx, "approver must not be the officer who screened this grant"


@refusal("approver_not_review_coordinator")
def approver_who_coordinated_the_review():
    ctx = fake_context("approve")
    ctx.grant.coordinator_id = ctx.actor.user_id
    return ctx, "approver must not be the officer who coordinated this grant's review"


@refusal("approved_within_request")
def approval_above_the_request():
    ctx = with_payload(fake_context("approve"), approved_cents=25_000_001)
    return ctx, "the approved amount $250,000.01 exceeds the requested $250,000.00"


@refusal("within_allocation")
def approval_above_what_is_left_of_the_years_allocation():
    ctx = fake_context("approve")
    ctx.allocations[2027].committed_cents = 380_000_000
    return ctx, (
        "approval would exceed the fund's allocation: fiscal year 2027-28 is short by "
        "$50,000.00 ($200,000.00 available, $250,000.00 needed)"
    )


@refusal("offer_deadline_passed")
def lapsing_on_the_last_day_of_the_offer():
    ctx = fake_context("lapse")
    ctx.grant.offer_expires_on = NOW.date()
    return ctx, "the offer is open until 2026-06-01; it cannot lapse before then"


@refusal("offer_not_expired")
def signing_the_day_after_the_offer_expired():
    ctx = fake_context("sign")
    ctx.grant.offer_expires_on = NOW.date() - timedelta(days=1)
    return ctx, "the offer expired on 2026-05-31; it can no longer be signed"


def _applicant_signed_in_as(ctx: ActionContext, email: str | None) -> ActionContext:
    """The request taken by another applicant user of the same organisation."""
    colleague = User(id=51, name=NON_SIGNER, roles=["applicant"], organisation_id=1, email=email)
    ctx.users = {**ctx.users, colleague.id: colleague}
    return acting_as(ctx, colleague)


@refusal("signer_has_signing_authority")
def contact_without_signing_authority_signs():
    ctx = _applicant_signed_in_as(fake_context("sign"), NON_SIGNER_EMAIL)
    return ctx, (
        f"only a contact with signing authority for {ORGANISATION['legal_name']} can sign, "
        "and the address you signed in with is not one of theirs"
    )


@refusal("countersigner_is_fund_signing_authority")
def an_approver_who_is_not_the_fund_s_signing_authority_countersigns():
    ctx = fake_context("countersign")
    other = User(id=52, name="Devon Ashgrove", roles=["approver"], email="devon@fund.example")
    ctx.users = {**ctx.users, other.id: other}
    return acting_as(ctx, other), (
        f"only the Fund's signing authority, {FUND.signer_name}, can countersign"
    )


def test_the_fund_s_signing_authority_countersigns_whatever_the_case_of_their_address():
    ctx = fake_context("countersign")
    signer = ctx.acting_user()
    assert signer is not None and signer.email == FUND.signer_email
    ctx.fund.signer_email = "  " + FUND.signer_email.upper()
    assert message_of("countersigner_is_fund_signing_authority", ctx) is None


def test_a_fund_without_a_signing_authority_address_says_how_to_set_it():
    ctx = fake_context("countersign")
    ctx.fund.signer_email = ""
    assert message_of("countersigner_is_fund_signing_authority", ctx) == (
        f"only the Fund's signing authority, {FUND.signer_name}, can countersign, and the Fund "
        "has no sign-in address on record for them: set it with grantflow fund signing-authority"
    )


# --------------------------------------------------------------------------- disbursement


@refusal("insurance_meets_minimum")
def coverage_one_cent_below_the_minimum():
    ctx = with_payload(fake_context("record_insurance"), coverage_cents=199_999_999)
    return ctx, (
        "commercial general liability coverage of $1,999,999.99 is below the required $2,000,000.00"
    )


@refusal("agreement_executed")
def payment_before_countersignature():
    ctx = fake_context("initiate_payment")
    ctx.grant.countersigned_at = None
    return ctx, "no payment before the agreement is signed by both parties"


@refusal("insurance_on_file")
def payment_before_the_insurance_certificate():
    ctx = fake_context("initiate_payment")
    ctx.grant.insurance_certificate_ref = None
    return ctx, "no payment before the recipient's insurance certificate is recorded"


@refusal("cure_period_ended")
def closing_an_application_on_the_last_day_of_its_cure_period():
    ctx = fake_context("close_incomplete")
    ctx.grant.info_requested_at = NOW - timedelta(days=10) + timedelta(minutes=1)
    return ctx, "the cure period for the requested information runs until 2026-06-01 14:31:00+00:00"


@refusal("instalment_due")
def initiating_an_instalment_the_day_before_it_is_due():
    ctx = fake_context("initiate_payment")
    ctx.subject.due_date = ctx.now.date() + timedelta(days=1)  # type: ignore[union-attr]
    return ctx, "instalment 1 is payable from 2027-04-03"


@refusal("report_period_ended")
def accepting_a_report_on_the_last_day_of_its_period():
    ctx = fake_context("accept_report")
    ctx.subject.period_end = ctx.now.date()  # type: ignore[union-attr]
    return ctx, (
        "report 1 covers a period ending on 2028-04-30; it can be accepted once that period is over"
    )


@refusal("report_reminder_due")
def reminding_31_days_before_the_due_date():
    ctx = fake_context("remind_report")
    ctx.subject.due_date = ctx.now.date() + timedelta(days=31)  # type: ignore[union-attr]
    return ctx, ("report 1 is due on 2028-06-20; reminders go out from 2028-05-21 until that day")


@refusal("report_past_due")
def recording_a_report_overdue_on_its_due_date():
    ctx = fake_context("record_overdue_report")
    ctx.subject.due_date = ctx.now.date()  # type: ignore[union-attr]
    return ctx, "report 1 is not overdue (due on 2028-06-04)"


@refusal("no_overdue_report")
def payment_while_a_report_is_overdue():
    ctx = fake_context("initiate_payment")
    ctx.reports[0].due_date = NOW.date() - timedelta(days=1)
    return ctx, "payments are paused: report 1 was due on 2026-05-31"


@refusal("holdback_after_final_report")
def holdback_before_the_final_report_is_accepted():
    ctx = with_payload(fake_context("initiate_payment"), sequence=3)
    ctx.subject = ctx.instalments[2]
    return ctx, "the holdback is released only after the final report is accepted"


@refusal("holdback_after_closeout_begins")
def holdback_before_close_out_has_netted_it():
    ctx = with_payload(fake_context("initiate_payment"), sequence=3)
    ctx.subject = ctx.instalments[2]
    force_state(ctx.reports[0], "accepted")
    return ctx, "the holdback is paid only once close-out has begun and fixed the amount payable"


@refusal("within_approved_amount")
def payment_that_would_exceed_the_approved_amount():
    ctx = fake_context("initiate_payment")
    force_state(ctx.instalments[1], "released")
    ctx.grant.approved_cents = 20_000_000
    return ctx, (
        "paying $50,000.00 would bring payments to $225,000.00, above the approved $200,000.00"
    )


@refusal("releaser_not_initiator")
def initiator_releases_own_payment():
    ctx = fake_context("release_payment")
    ctx.subject.initiated_by_id = ctx.actor.user_id
    return ctx, "the person who initiated a payment may not also release it"


# --------------------------------------------------------------------------- close-out


@refusal("all_reports_accepted")
def close_out_with_a_report_awaiting_review():
    ctx = fake_context("begin_closeout")
    force_state(ctx.reports[0], "submitted")
    return ctx, "every outcome report must be accepted first (report 1)"


@refusal("regular_instalments_released")
def close_out_with_a_periodic_instalment_unpaid():
    ctx = fake_context("begin_closeout")
    force_state(ctx.instalments[1], "held")
    return ctx, "instalment 2 must be released before close-out"


@refusal("holdback_settled")
def closing_with_the_holdback_unpaid():
    ctx = fake_context("close")
    force_state(ctx.instalments[2], "initiated")
    return ctx, "the payable holdback must be released before the grant is closed"


# --------------------------------------------------------------------------- amendments


@refusal("no_open_amendment")
def proposing_while_an_amendment_awaits_signature():
    ctx = fake_context("propose_amendment")
    ctx.amendments = [fake_amendment("approved")]
    return ctx, (
        "amendment 1 is still open (approved): it must first be in force, declined or withdrawn"
    )


@refusal("amendment_fits_agreement")
def decrease_below_what_is_paid():
    ctx = fake_context("propose_amendment")
    force_state(ctx.instalments[0], "released")
    force_state(ctx.instalments[1], "initiated")
    ctx = with_payload(ctx, approved_cents=22_499_999, end_date=None, end_date_reason=None)
    return ctx, (
        "a decrease may not go below what is paid or in flight: $224,999.99 is less than "
        "$225,000.00"
    )


@refusal("amendment_still_fits")
def extension_beyond_three_fiscal_years():
    ctx = fake_context("approve_amendment")
    ctx.subject.end_date_after = date(2030, 4, 1)  # type: ignore[union-attr]
    return ctx, "the project may span at most 3 fiscal years: 2030-04-01 is too late"


@refusal("amendment_within_allocation")
def increase_above_what_is_left_of_the_next_years_allocation():
    ctx = fake_context("countersign_amendment")
    ctx.allocations[2028].committed_cents = 399_000_000
    return ctx, (
        "the amendment would exceed the fund's allocation: fiscal year 2028-29 is short by "
        "$2,500.00 ($10,000.00 available, $12,500.00 needed)"
    )


@refusal("approver_not_amendment_proposer")
def approver_who_proposed_the_amendment():
    ctx = fake_context("approve_amendment")
    ctx.subject.proposed_by_id = ctx.actor.user_id  # type: ignore[union-attr]
    return ctx, "approver must not be the officer who proposed this amendment"


def test_an_extension_must_end_later_than_the_end_in_force():
    ctx = with_payload(
        fake_context("propose_amendment"),
        approved_cents=None,
        approved_cents_reason=None,
        end_date="2028-03-31",
    )
    assert message_of("amendment_fits_agreement", ctx) == (
        "an extension must end later than the end date in force, 2028-03-31; 2028-03-31 does not"
    )


def test_an_amendment_after_the_final_report_is_submitted_is_refused():
    ctx = fake_context("propose_amendment")
    force_state(ctx.reports[0], "submitted")
    assert message_of("amendment_fits_agreement", ctx) == (
        "the final report is submitted: the agreement can no longer be amended"
    )


# --------------------------------------------------------------------------- the tables


@pytest.mark.parametrize(
    "guard_name", sorted(REFUSALS), ids=lambda name: f"{name}:{REFUSALS[name].__name__}"
)
def test_each_guard_refuses_with_a_sentence_saying_what_is_wrong(guard_name):
    ctx, expected = REFUSALS[guard_name]()
    assert guard_name in ctx.action.guards
    assert message_of(guard_name, ctx) == expected


GUARD_USES = [(a.key, guard_name) for a in lifecycle.ACTIONS for guard_name in a.guards]


@pytest.mark.parametrize(
    ("action_key", "guard_name"), GUARD_USES, ids=[f"{a}:{g}" for a, g in GUARD_USES]
)
def test_each_guard_holds_for_a_well_formed_request(action_key, guard_name):
    assert message_of(guard_name, fake_context(action_key)) is None


def test_every_guard_an_action_names_is_registered():
    assert set(lifecycle.all_guard_names()) <= set(GUARDS)


def test_every_registered_guard_is_named_by_some_action():
    assert set(GUARDS) <= set(lifecycle.all_guard_names())


def test_every_guard_has_a_refusal_scenario():
    assert set(REFUSALS) == set(lifecycle.all_guard_names())


# --------------------------------------------------------------------------- finer points


def test_a_resubmission_after_an_information_request_is_not_held_to_the_call_deadline():
    ctx = fake_context("submit")
    ctx.grant = fake_grant("needs_info", submitted_at=ctx.fund.call_deadline - timedelta(days=1))
    ctx.now = ctx.fund.call_deadline + timedelta(days=3)
    assert message_of("before_call_deadline", ctx) is None


def test_a_submission_at_the_exact_deadline_is_on_time():
    ctx = fake_context("submit")
    ctx.now = ctx.fund.call_deadline
    assert message_of("before_call_deadline", ctx) is None


def test_a_requested_amount_of_zero_is_refused():
    ctx = fake_context("submit")
    ctx.grant.requested_cents = 0
    assert message_of("requested_within_fund_maximum", ctx) == (
        "the requested amount must be more than $0.00"
    )


def test_a_budget_line_outside_the_project_years_is_named():
    ctx = fake_context("submit")
    ctx.budget[0].fiscal_year = 2029
    assert message_of("budget_matches_request", ctx) == (
        "budget lines fall outside the project's fiscal years: [2029]"
    )


def test_a_project_may_span_at_most_three_fiscal_years():
    ctx = fake_context("submit")
    ctx.grant.end_date = ctx.grant.start_date.replace(year=2030)
    assert message_of("project_dates_valid", ctx) == "the project may span at most 3 fiscal years"
    ctx.grant.end_date = ctx.grant.start_date.replace(year=2030) - timedelta(days=1)
    assert message_of("project_dates_valid", ctx) is None


def test_a_business_number_of_nine_digits_alone_is_valid():
    ctx = fake_context("submit")
    ctx.organisation.business_number = "100000001"
    assert message_of("registration_complete", ctx) is None


def test_an_inactive_officer_may_not_coordinate_a_review():
    people = fake_people()
    ctx = with_payload(fake_context("screen_in"), coordinator_id=people.payments_officer.id)
    assert message_of("coordinator_is_officer", ctx) is None
    people.payments_officer.active = False
    ctx.users = {u.id: u for u in people.everyone()}
    assert message_of("coordinator_is_officer", ctx) == "user 11 is not an active program officer"


def test_a_panel_without_an_elder_cannot_be_convened_when_the_fund_requires_one():
    ctx = fake_context("screen_in")
    ctx.panel = [m for m in ctx.panel if not m.is_elder]
    assert message_of("panel_can_reach_quorum", ctx) == (
        "the review panel has no Elder, whose presence the fund requires"
    )
    ctx.fund.require_elder = False
    assert message_of("panel_can_reach_quorum", ctx) is None


def test_a_panel_without_a_survivor_advisor_cannot_be_convened():
    ctx = fake_context("screen_in")
    ctx.panel = [m for m in ctx.panel if not m.is_survivor_advisor]
    assert message_of("panel_can_reach_quorum", ctx) == (
        "the review panel has no survivor advisor, whose presence the fund requires"
    )


def test_an_indirect_conflict_is_recorded_but_does_not_recuse():
    ctx = fake_context("score")
    ctx.assignment_of(ctx.actor.user_id).conflict = "indirect"
    assert message_of("reviewer_not_conflicted", ctx) is None
    assert message_of("conflict_declared", ctx) is None


def test_a_recused_members_scores_do_not_count_toward_quorum():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.assignments[1].conflict = "direct"
    ctx.scores = all_scores(people.elder.id) + all_scores(people.survivor_advisor.id)
    assert message_of("quorum_met", ctx) == (
        "quorum not met: 1 of 3 panel members have scored, 2 required (2/3)"
    )


def test_scores_from_someone_not_on_the_panel_do_not_count_toward_quorum():
    ctx = fake_context("recommend")
    ctx.scores = all_scores(fake_people().elder.id) + all_scores(99)
    assert message_of("quorum_met", ctx) == (
        "quorum not met: 1 of 3 panel members have scored, 2 required (2/3)"
    )


def test_two_of_three_members_make_quorum():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.scores = all_scores(people.elder.id) + all_scores(people.survivor_advisor.id)
    assert failed_guards(ctx) == []


def test_a_recused_elder_does_not_count_as_present():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.assignments = [
        ReviewAssignment(grant_id=1, reviewer_id=people.elder.id, conflict="direct"),
        *ctx.assignments[1:],
    ]
    assert message_of("elder_present", ctx) == (
        "no recommendation without an Elder among the members who scored"
    )


def test_a_fund_that_does_not_require_an_elder_may_recommend_without_one():
    people = fake_people()
    ctx = fake_context("recommend")
    ctx.scores = all_scores(people.survivor_advisor.id) + all_scores(people.reviewer.id)
    ctx.fund.require_elder = False
    assert message_of("elder_present", ctx) is None


def test_an_approver_may_decline_after_review_where_an_officer_may_not():
    people = fake_people()
    ctx = acting_as(fake_context("decline"), people.approver)
    ctx.grant = fake_grant("not_recommended", screened_by_id=people.screening_officer.id)
    assert failed_guards(ctx) == []


def test_the_approver_may_not_decline_a_grant_they_screened():
    ctx = fake_context("decline")
    ctx.grant = fake_grant("recommended", screened_by_id=fake_people().approver.id)
    acting_as(ctx, fake_people().approver)
    assert failed_guards(ctx) == [
        (
            "approver_not_screening_officer",
            "approver must not be the officer who screened this grant",
        )
    ]


def test_an_offer_may_be_signed_on_its_last_day_and_lapses_only_the_day_after():
    signing, lapsing = fake_context("sign"), fake_context("lapse")
    for ctx in (signing, lapsing):
        ctx.grant.offer_expires_on = NOW.date()
    assert message_of("offer_not_expired", signing) is None
    assert message_of("offer_deadline_passed", lapsing) is not None
    lapsing.now = NOW + timedelta(days=1)
    assert message_of("offer_deadline_passed", lapsing) is None


def test_the_signer_is_the_signing_contact_whose_email_the_user_signs_in_with():
    ctx = fake_context("sign")
    assert ctx.signing_contact() is ctx.contacts[0]
    assert ctx.contacts[0].signing_authority and ctx.contacts[0].name == SIGNER
    ctx.contacts[0].email = "  Lead@NorthernLights.Example "  # compared trimmed, lower-case
    assert message_of("signer_has_signing_authority", ctx) is None


def test_a_second_signing_contact_signs_as_themselves():
    ctx = _applicant_signed_in_as(fake_context("sign"), NON_SIGNER_EMAIL)
    ctx.contacts[1].signing_authority = True
    assert message_of("signer_has_signing_authority", ctx) is None
    assert ctx.signing_contact() is ctx.contacts[1]


def test_a_user_without_an_email_cannot_sign_and_is_told_why():
    ctx = _applicant_signed_in_as(fake_context("sign"), None)
    assert message_of("signer_has_signing_authority", ctx) == (
        f"only a contact with signing authority for {ORGANISATION['legal_name']} can sign; "
        "your account has no email address, so it cannot be matched to one of them: ask an "
        "administrator to give it the address you are a contact under"
    )


def test_the_refusal_names_no_other_contact_s_address():
    ctx, message = contact_without_signing_authority_signs()
    for contact in ctx.contacts:
        if contact.email != NON_SIGNER_EMAIL:
            assert contact.email not in message


def test_insurance_at_exactly_the_minimum_is_enough():
    ctx = with_payload(fake_context("record_insurance"), coverage_cents=200_000_000)
    assert message_of("insurance_meets_minimum", ctx) is None


def test_a_report_due_today_is_not_yet_overdue():
    ctx = fake_context("initiate_payment")
    ctx.reports[0].due_date = ctx.now.date()
    assert message_of("no_overdue_report", ctx) is None


def test_a_report_submitted_late_but_awaiting_review_does_not_pause_payments():
    ctx = fake_context("initiate_payment")
    ctx.reports = [fake_report("submitted", due_date=NOW.date() - timedelta(days=30))]
    assert message_of("no_overdue_report", ctx) is None


def test_a_returned_report_past_its_due_date_pauses_payments():
    ctx = fake_context("initiate_payment")
    ctx.reports = [fake_report("returned", due_date=NOW.date() - timedelta(days=30))]
    assert message_of("no_overdue_report", ctx) == (
        "payments are paused: report 1 was due on 2026-05-02"
    )


def test_the_holdback_may_be_paid_once_the_final_report_is_accepted():
    ctx = with_payload(fake_context("initiate_payment"), sequence=3)
    ctx.subject = ctx.instalments[2]
    force_state(ctx.reports[0], "accepted")
    assert message_of("holdback_after_final_report", ctx) is None


def test_an_accepted_annual_report_does_not_release_the_holdback():
    ctx = with_payload(fake_context("initiate_payment"), sequence=3)
    ctx.subject = ctx.instalments[2]
    ctx.reports = [fake_report("accepted", kind="annual"), fake_report("due", sequence=2)]
    assert message_of("holdback_after_final_report", ctx) == (
        "the holdback is released only after the final report is accepted"
    )


def test_held_and_scheduled_instalments_do_not_count_against_the_approved_amount():
    ctx = fake_context("initiate_payment")
    force_state(ctx.instalments[1], "held")
    ctx.grant.approved_cents = 5_000_000
    assert message_of("within_approved_amount", ctx) is None


def test_close_out_needs_at_least_one_accepted_report():
    ctx = fake_context("begin_closeout")
    ctx.reports = []
    assert message_of("all_reports_accepted", ctx) == (
        "every outcome report must be accepted first, and none is on record yet"
    )


def test_a_grant_without_a_holdback_is_settled():
    ctx = fake_context("close")
    ctx.instalments = ctx.instalments[:2]
    assert message_of("holdback_settled", ctx) is None


def test_a_holdback_withheld_at_close_out_is_settled():
    ctx = fake_context("close")
    force_state(ctx.instalments[2], "withheld")
    assert message_of("holdback_settled", ctx) is None


@pytest.mark.parametrize("state", ["scheduled", "held"])
def test_a_payable_holdback_not_yet_released_is_not_settled(state):
    ctx = fake_context("close")
    force_state(ctx.instalments[2], state)
    assert message_of("holdback_settled", ctx) == (
        "the payable holdback must be released before the grant is closed"
    )


def test_the_holdback_may_be_paid_during_close_out():
    ctx = with_payload(fake_context("release_payment"), sequence=3)
    ctx.grant = fake_grant("closing", approved_cents=ctx.grant.approved_cents)
    ctx.subject = ctx.instalments[2]
    assert message_of("holdback_after_closeout_begins", ctx) is None


def test_close_out_may_begin_with_the_holdback_still_unpaid():
    ctx = fake_context("begin_closeout")
    assert ctx.instalments[2].state == "scheduled"
    assert message_of("regular_instalments_released", ctx) is None


def test_a_refusal_lists_every_failing_rule_in_the_order_the_action_names_them():
    ctx = with_payload(fake_context("approve"), approved_cents=25_000_001)
    ctx.grant.screened_by_id = ctx.actor.user_id
    failures = failed_guards(ctx)
    error = GuardFailed(failures)
    assert [name for name, _ in failures] == [
        "approver_not_screening_officer",
        "approved_within_request",
    ]
    assert error.rule == "approver_not_screening_officer"
    assert str(error) == (
        "approver must not be the officer who screened this grant "
        "[approver_not_screening_officer]; the approved amount $250,000.01 exceeds the "
        "requested $250,000.00 [approved_within_request]"
    )
