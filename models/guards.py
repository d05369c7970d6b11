"""Named guards: each returns ``None`` when the rule holds, or a sentence saying why not.

Guards are plain functions over an ``ActionContext``: no database, no Prefect, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta

from models import amendments as amending
from models import budget as budget_rules
from models import deadlines, lifecycle
from models.applications import plan_problem
from models.clock import as_utc, fiscal_years_between
from models.context import ActionContext
from models.money import format_cad
from models.provisioning import normalised_email
from models.review import quorum_required, scoring_members
from models.tables import OPEN_AMENDMENT_STATES, Amendment, Instalment, OutcomeReport

Guard = Callable[[ActionContext], str | None]
GUARDS: dict[str, Guard] = {}
# Guards that read what the request says (its payload): whether they hold is known only once
# the payload is sent, so readiness before it (GET .../actions) leaves them out.
READS_PAYLOAD: set[str] = set()
# Guards about who the actor is on this grant (on its panel, its coordinator, not yet done it):
# when one fails, the action is not this user's to take here, and it is not offered at all.
ABOUT_THE_ACTOR: set[str] = set()

BUSINESS_NUMBER = re.compile(r"^\d{9}([A-Z]{2}\d{4})?$")
MAX_FISCAL_YEARS = 3


def guard(function: Guard) -> Guard:
    GUARDS[function.__name__] = function
    return function


def payload_guard(function: Guard) -> Guard:
    """A guard over the request's payload (see READS_PAYLOAD)."""
    READS_PAYLOAD.add(function.__name__)
    return guard(function)


def actor_guard(function: Guard) -> Guard:
    """A guard over the actor's own part on the grant (see ABOUT_THE_ACTOR)."""
    ABOUT_THE_ACTOR.add(function.__name__)
    return guard(function)


@guard
def registration_complete(ctx: ActionContext) -> str | None:
    org = ctx.organisation
    missing = []
    if not org.legal_name.strip():
        missing.append("legal name")
    if not BUSINESS_NUMBER.match(org.business_number or ""):
        missing.append("a valid CRA business number (9 digits, e.g. 123456789RR0001)")
    if len(ctx.contacts) < 2:
        missing.append("at least two contacts")
    if not any(c.signing_authority for c in ctx.contacts):
        missing.append("a contact with signing authority")
    if missing:
        return "organisation registration is incomplete: missing " + ", ".join(missing)
    return None


@guard
def indigenous_led_attested(ctx: ActionContext) -> str | None:
    if not ctx.organisation.indigenous_led_attested:
        return "the organisation has not attested that it is Indigenous-led"
    return None


@guard
def community_resolution_on_file(ctx: ActionContext) -> str | None:
    if not (ctx.organisation.community_resolution_ref or "").strip():
        return "no Band Council or Board resolution supporting the project is on file"
    return None


@guard
def data_governance_consent_given(ctx: ActionContext) -> str | None:
    if not ctx.organisation.data_governance_consent:
        return "the organisation has not agreed a data-governance agreement"
    return None


@guard
def requested_within_fund_maximum(ctx: ActionContext) -> str | None:
    requested = ctx.grant.requested_cents
    if requested <= 0:
        return "the requested amount must be more than $0.00"
    if requested > ctx.fund.max_award_cents:
        return (
            f"the requested amount {format_cad(requested)} exceeds the fund's maximum award "
            f"of {format_cad(ctx.fund.max_award_cents)}"
        )
    return None


@guard
def budget_matches_request(ctx: ActionContext) -> str | None:
    total = sum(line.requested_cents for line in ctx.budget)
    if total != ctx.grant.requested_cents:
        return (
            f"the budget's fiscal years add up to {format_cad(total)}, not the requested "
            f"{format_cad(ctx.grant.requested_cents)}"
        )
    years = set(fiscal_years_between(ctx.grant.start_date, ctx.grant.end_date))
    outside = sorted(line.fiscal_year for line in ctx.budget if line.fiscal_year not in years)
    if outside:
        return f"budget lines fall outside the project's fiscal years: {outside}"
    return None


@guard
def project_dates_valid(ctx: ActionContext) -> str | None:
    grant = ctx.grant
    if grant.end_date <= grant.start_date:
        return "the project must end after it starts"
    if len(fiscal_years_between(grant.start_date, grant.end_date)) > MAX_FISCAL_YEARS:
        return f"the project may span at most {MAX_FISCAL_YEARS} fiscal years"
    return None


@payload_guard
def amendment_keeps_application_valid(ctx: ActionContext) -> str | None:
    """The application as amended (the amendment over the grant's unchanged fields) passes the
    intake's own checks of dates and budget (``models.applications``)."""
    amendment = ctx.payload
    start = amendment.start_date or ctx.grant.start_date  # type: ignore[attr-defined]
    end = amendment.end_date or ctx.grant.end_date  # type: ignore[attr-defined]
    budget = amendment.budget  # type: ignore[attr-defined]
    if budget is None:
        budget = {line.fiscal_year: line.requested_cents for line in ctx.budget}
    problem = plan_problem(start, end, budget)
    if problem is None:
        return None
    field, message = problem
    advice = "; amend the budget together with the dates" if field == "budget" else ""
    return (
        f"the amended application is not valid: {message} "
        f"(start_date {start.isoformat()}, end_date {end.isoformat()}){advice}"
    )


@guard
def before_call_deadline(ctx: ActionContext) -> str | None:
    if ctx.grant.submitted_at is not None:
        return None  # a resubmission after an information request is within its cure period
    if ctx.now > as_utc(ctx.fund.call_deadline):
        return "the call for applications closed before this submission"
    return None


@guard
def within_cure_period(ctx: ActionContext) -> str | None:
    requested = ctx.grant.info_requested_at
    if ctx.grant.state != "needs_info" or requested is None:
        return None
    cure_by = as_utc(requested) + timedelta(days=ctx.fund.cure_period_days)
    if ctx.now > cure_by:
        return (
            f"the {ctx.fund.cure_period_days}-day cure period for the requested information "
            f"ended on {cure_by.date()}"
        )
    return None


@guard
def cure_period_ended(ctx: ActionContext) -> str | None:
    if deadlines.cure_period_over(ctx.grant, ctx.fund, ctx.now):
        return None
    ends = deadlines.cure_period_ends(ctx.grant, ctx.fund)
    return f"the cure period for the requested information runs until {ends}"


@payload_guard
def coordinator_is_officer(ctx: ActionContext) -> str | None:
    coordinator_id = getattr(ctx.payload, "coordinator_id", None)
    if coordinator_id is None:
        return None
    user = ctx.users.get(coordinator_id)
    coordinating = lifecycle.roles_taking_actions_guarded_by("actor_is_review_coordinator")
    if user is None or not set(coordinating) & set(user.roles) or not user.active:
        return f"user {coordinator_id} is not an active program officer"
    return None


@guard
def panel_can_reach_quorum(ctx: ActionContext) -> str | None:
    fund = ctx.fund
    needed = quorum_required(len(ctx.panel), fund.quorum_numerator, fund.quorum_denominator)
    if needed == 0:
        return "the review panel has no active members"
    if fund.require_elder and not any(m.is_elder for m in ctx.panel):
        return "the review panel has no Elder, whose presence the fund requires"
    if fund.require_survivor_advisor and not any(m.is_survivor_advisor for m in ctx.panel):
        return "the review panel has no survivor advisor, whose presence the fund requires"
    return None


@actor_guard
def reviewer_assigned(ctx: ActionContext) -> str | None:
    if ctx.assignment_of(ctx.actor.user_id) is None:
        return "the reviewer is not on this application's panel"
    return None


@actor_guard
def conflict_not_yet_declared(ctx: ActionContext) -> str | None:
    assignment = ctx.assignment_of(ctx.actor.user_id)
    if assignment is not None and assignment.conflict is not None:
        return "the reviewer has already declared on conflicts of interest for this application"
    return None


@guard
def conflict_declared(ctx: ActionContext) -> str | None:
    assignment = ctx.assignment_of(ctx.actor.user_id)
    if assignment is None or assignment.conflict is None:
        return "the reviewer must declare any conflict of interest before scoring"
    return None


@guard
def reviewer_not_conflicted(ctx: ActionContext) -> str | None:
    assignment = ctx.assignment_of(ctx.actor.user_id)
    if assignment is not None and assignment.conflict == "direct":
        return "a reviewer with a direct conflict of interest is recused and may not score"
    return None


@actor_guard
def not_yet_scored(ctx: ActionContext) -> str | None:
    if any(s.reviewer_id == ctx.actor.user_id for s in ctx.scores):
        return "the reviewer has already scored this application; scores are sealed"
    return None


@actor_guard
def actor_is_review_coordinator(ctx: ActionContext) -> str | None:
    if ctx.grant.coordinator_id != ctx.actor.user_id:
        return "only this application's review coordinator records the panel's recommendation"
    return None


@guard
def quorum_met(ctx: ActionContext) -> str | None:
    panel_size = len(ctx.assignments)
    needed = quorum_required(panel_size, ctx.fund.quorum_numerator, ctx.fund.quorum_denominator)
    scored = len(scoring_members(ctx.assignments, ctx.scores))
    if scored < needed:
        return (
            f"quorum not met: {scored} of {panel_size} panel members have scored, "
            f"{needed} required ({ctx.fund.quorum_numerator}/{ctx.fund.quorum_denominator})"
        )
    return None


def _scoring_users(ctx: ActionContext) -> list:
    members = scoring_members(ctx.assignments, ctx.scores)
    return [ctx.users[m] for m in members if m in ctx.users]


@guard
def elder_present(ctx: ActionContext) -> str | None:
    if ctx.fund.require_elder and not any(u.is_elder for u in _scoring_users(ctx)):
        return "no recommendation without an Elder among the members who scored"
    return None


@guard
def survivor_advisor_present(ctx: ActionContext) -> str | None:
    if ctx.fund.require_survivor_advisor and not any(
        u.is_survivor_advisor for u in _scoring_users(ctx)
    ):
        return "no recommendation without a survivor advisor among the members who scored"
    return None


def _within_request(ctx: ActionContext, amount_cents: int, which: str) -> str | None:
    if amount_cents > ctx.grant.requested_cents:
        return (
            f"the {which} amount {format_cad(amount_cents)} exceeds the requested "
            f"{format_cad(ctx.grant.requested_cents)}"
        )
    return None


@payload_guard
def recommended_within_request(ctx: ActionContext) -> str | None:
    return _within_request(ctx, ctx.payload.recommended_cents, "recommended")  # type: ignore[attr-defined]


def _approver_is_not(officer_id: int | None, ctx: ActionContext, who: str) -> str | None:
    if officer_id is not None and officer_id == ctx.actor.user_id:
        return f"approver must not be the officer who {who}"
    return None


@guard
def approver_not_screening_officer(ctx: ActionContext) -> str | None:
    return _approver_is_not(ctx.grant.screened_by_id, ctx, "screened this grant")


@guard
def approver_not_review_coordinator(ctx: ActionContext) -> str | None:
    return _approver_is_not(ctx.grant.coordinator_id, ctx, "coordinated this grant's review")


@payload_guard
def approved_within_request(ctx: ActionContext) -> str | None:
    return _within_request(ctx, ctx.payload.approved_cents, "approved")  # type: ignore[attr-defined]


@payload_guard
def within_allocation(ctx: ActionContext) -> str | None:
    approved = ctx.payload.approved_cents  # type: ignore[attr-defined]
    lines = budget_rules.approved_lines(approved, ctx.budget)
    return _allocation_refusal("approval", lines, ctx)


def _allocation_refusal(what: str, lines: Mapping[int, int], ctx: ActionContext) -> str | None:
    """Why committing ``lines`` (cents by fiscal year) would exceed the fund's allocation, each
    short year with its figures; None when every year fits."""
    shortfalls = budget_rules.allocation_shortfalls(lines, ctx.allocations)
    if not shortfalls:
        return None
    parts = [
        f"fiscal year {budget_rules.fiscal_label(fy)} is short by {format_cad(short)} "
        f"({format_cad(available)} available, {format_cad(needed)} needed)"
        for fy, short, available, needed in shortfalls
    ]
    return f"{what} would exceed the fund's allocation: " + "; ".join(parts)


@guard
def offer_deadline_passed(ctx: ActionContext) -> str | None:
    if deadlines.offer_lapsed(ctx.grant, deadlines.fund_today(ctx.now)):
        return None
    return f"the offer is open until {ctx.grant.offer_expires_on}; it cannot lapse before then"


@guard
def offer_not_expired(ctx: ActionContext) -> str | None:
    if deadlines.offer_lapsed(ctx.grant, deadlines.fund_today(ctx.now)):
        return f"the offer expired on {ctx.grant.offer_expires_on}; it can no longer be signed"
    return None


@actor_guard
def signer_has_signing_authority(ctx: ActionContext) -> str | None:
    """The signed-in user is the signer: their email must be that of one of the
    organisation's contacts with signing authority."""
    if ctx.signing_contact() is not None:
        return None
    user = ctx.acting_user()
    who = f"only a contact with signing authority for {ctx.organisation.legal_name} can sign"
    if user is None or not user.email:
        return (
            f"{who}; your account has no email address, so it cannot be matched to one of "
            "them: ask an administrator to give it the address you are a contact under"
        )
    # No address in the sentence: it is kept in the audit trail, which never forgets.
    return f"{who}, and the address you signed in with is not one of theirs"


@actor_guard
def countersigner_is_fund_signing_authority(ctx: ActionContext) -> str | None:
    """Only the Fund's signing authority (the user who signs in with ``Fund.signer_email``)
    countersigns, so the executed agreement names the person its offer named."""
    fund = ctx.fund
    who = f"only the Fund's signing authority, {fund.signer_name}, can countersign"
    if not fund.signer_email:
        return (
            f"{who}, and the Fund has no sign-in address on record for them: set it with "
            "grantflow fund signing-authority"
        )
    user = ctx.acting_user()
    if (
        user is not None
        and user.email
        and (normalised_email(user.email) == normalised_email(fund.signer_email))
    ):
        return None
    return who


@payload_guard
def insurance_meets_minimum(ctx: ActionContext) -> str | None:
    coverage = ctx.payload.coverage_cents  # type: ignore[attr-defined]
    if coverage < ctx.fund.insurance_minimum_cents:
        return (
            f"commercial general liability coverage of {format_cad(coverage)} is below the "
            f"required {format_cad(ctx.fund.insurance_minimum_cents)}"
        )
    return None


@guard
def instalment_due(ctx: ActionContext) -> str | None:
    instalment = ctx.subject
    if not isinstance(instalment, Instalment):
        return None
    if deadlines.instalment_payable(instalment, deadlines.fund_today(ctx.now)):
        return None
    return f"instalment {instalment.sequence} is payable from {instalment.due_date}"


@guard
def report_period_ended(ctx: ActionContext) -> str | None:
    report = ctx.subject
    if not isinstance(report, OutcomeReport):
        return None
    if deadlines.report_period_over(report, deadlines.fund_today(ctx.now)):
        return None
    return (
        f"report {report.sequence} covers a period ending on {report.period_end}; it can be "
        "accepted once that period is over"
    )


@guard
def report_reminder_due(ctx: ActionContext) -> str | None:
    report = ctx.subject
    if not isinstance(report, OutcomeReport):
        return None
    if deadlines.reminder_point(report, deadlines.fund_today(ctx.now)) is not None:
        return None
    return (
        f"report {report.sequence} is due on {report.due_date}; reminders go out from "
        f"{deadlines.reminder_window_opens(report)} until that day"
    )


@guard
def report_past_due(ctx: ActionContext) -> str | None:
    report = ctx.subject
    if not isinstance(report, OutcomeReport):
        return None
    if deadlines.report_overdue(report, deadlines.fund_today(ctx.now)):
        return None
    return f"report {report.sequence} is not overdue (due on {report.due_date})"


@guard
def agreement_executed(ctx: ActionContext) -> str | None:
    if ctx.grant.countersigned_at is None:
        return "no payment before the agreement is signed by both parties"
    return None


@guard
def insurance_on_file(ctx: ActionContext) -> str | None:
    if not ctx.grant.insurance_certificate_ref:
        return "no payment before the recipient's insurance certificate is recorded"
    return None


@guard
def no_overdue_report(ctx: ActionContext) -> str | None:
    today = deadlines.fund_today(ctx.now)
    overdue = [r for r in ctx.reports if deadlines.report_overdue(r, today)]
    if overdue:
        first = min(overdue, key=lambda r: r.due_date)
        return f"payments are paused: report {first.sequence} was due on {first.due_date}"
    return None


@guard
def holdback_after_final_report(ctx: ActionContext) -> str | None:
    instalment = ctx.subject
    if instalment is None or getattr(instalment, "kind", None) != "holdback":
        return None
    final_accepted = any(r.kind == "final" and r.state == "accepted" for r in ctx.reports)
    if not final_accepted:
        return "the holdback is released only after the final report is accepted"
    return None


@guard
def holdback_after_closeout_begins(ctx: ActionContext) -> str | None:
    instalment = ctx.subject
    if instalment is None or getattr(instalment, "kind", None) != "holdback":
        return None
    if ctx.grant.state != "closing":
        return "the holdback is paid only once close-out has begun and fixed the amount payable"
    return None


@guard
def within_approved_amount(ctx: ActionContext) -> str | None:
    instalment = ctx.subject
    approved = ctx.grant.approved_cents or 0
    others = sum(
        i.amount_cents
        for i in ctx.instalments
        if i.state in ("initiated", "released") and i.id != getattr(instalment, "id", None)
    )
    amount = getattr(instalment, "amount_cents", 0)
    if others + amount > approved:
        return (
            f"paying {format_cad(amount)} would bring payments to {format_cad(others + amount)},"
            f" above the approved {format_cad(approved)}"
        )
    return None


@guard
def releaser_not_initiator(ctx: ActionContext) -> str | None:
    instalment = ctx.subject
    if instalment is not None and instalment.initiated_by_id == ctx.actor.user_id:
        return "the person who initiated a payment may not also release it"
    return None


def _numbered(noun: str, numbers: list[int]) -> str:
    """'report 1', 'reports 1 and 2', 'instalments 1, 2 and 3': numbers as a sentence says them."""
    said = [str(n) for n in numbers]
    if len(said) == 1:
        return f"{noun} {said[0]}"
    return f"{noun}s {', '.join(said[:-1])} and {said[-1]}"


@guard
def all_reports_accepted(ctx: ActionContext) -> str | None:
    pending = [r.sequence for r in ctx.reports if r.state != "accepted"]
    if not ctx.reports or pending:
        if not ctx.reports:
            return "every outcome report must be accepted first, and none is on record yet"
        return f"every outcome report must be accepted first ({_numbered('report', pending)})"
    return None


@guard
def regular_instalments_released(ctx: ActionContext) -> str | None:
    unpaid = [i.sequence for i in ctx.instalments if i.kind != "holdback" and i.state != "released"]
    if unpaid:
        return f"{_numbered('instalment', unpaid)} must be released before close-out"
    return None


@guard
def holdback_settled(ctx: ActionContext) -> str | None:
    """A holdback is settled when its payable amount was released or nothing was payable."""
    unsettled = [
        i.sequence
        for i in ctx.instalments
        if i.kind == "holdback" and i.state not in ("released", "withheld")
    ]
    if unsettled:
        return "the payable holdback must be released before the grant is closed"
    return None


# --------------------------------------------------------------------------- amendments


@guard
def no_open_amendment(ctx: ActionContext) -> str | None:
    open_one = next((a for a in ctx.amendments if a.state in OPEN_AMENDMENT_STATES), None)
    if open_one is not None:
        return (
            f"amendment {open_one.sequence} is still open ({open_one.state}): it must first be "
            "in force, declined or withdrawn"
        )
    return None


def _amendment(ctx: ActionContext) -> Amendment:
    assert isinstance(ctx.subject, Amendment)
    return ctx.subject


def _terms_problem(
    ctx: ActionContext, before: amending.Terms, after: amending.Terms, changed: list[str]
) -> str | None:
    """Why ``after`` cannot amend the agreement in force (``before``), or None."""
    if any(r.kind == "final" and r.state != "due" for r in ctx.reports):
        return "the final report is submitted: the agreement can no longer be amended"
    if "approved_cents" in changed:
        amount, paid = after.approved_cents, amending.fixed_cents(ctx.instalments)
        if amount == before.approved_cents:
            return f"the new amount {format_cad(amount)} is the amount in force"
        if amount < paid:
            return (
                f"a decrease may not go below what is paid or in flight: {format_cad(amount)} "
                f"is less than {format_cad(paid)}"
            )
        if amount > ctx.fund.max_award_cents:
            return (
                f"the new amount {format_cad(amount)} exceeds the fund's maximum award of "
                f"{format_cad(ctx.fund.max_award_cents)}"
            )
    if "end_date" in changed:
        if after.end_date <= before.end_date:
            return (
                f"an extension must end later than the end date in force, {before.end_date}; "
                f"{after.end_date} does not"
            )
        if len(fiscal_years_between(ctx.grant.start_date, after.end_date)) > MAX_FISCAL_YEARS:
            return (
                f"the project may span at most {MAX_FISCAL_YEARS} fiscal years: "
                f"{after.end_date} is too late"
            )
    schedule = ("annual_report_days", "final_report_days")
    if any(name in changed for name in schedule) and all(
        getattr(after, name) == getattr(before, name) for name in schedule
    ):
        return "the reporting schedule given is the one in force"
    try:
        amending.replan_for(ctx.grant, ctx.fund, ctx.budget, ctx.instalments, after)
    except amending.AmendmentPlanError as error:
        return f"the payment plan cannot carry this amendment: {error}"
    return None


@payload_guard
def amendment_fits_agreement(ctx: ActionContext) -> str | None:
    """The proposed terms amend the agreement in force: a decrease not below what is paid or in
    flight, an extension later than the end date and within the fund's rules, a change that
    changes something, and a payment plan that can carry it (``models.amendments``)."""
    proposal = ctx.payload
    before = amending.terms_in_force(ctx.grant)
    given = {name: getattr(proposal, name) for name in proposal.changed_terms()}  # type: ignore[attr-defined]
    after = amending.Terms(**{**before.__dict__, **given})
    return _terms_problem(ctx, before, after, list(given))


@guard
def amendment_still_fits(ctx: ActionContext) -> str | None:
    """The amendment still fits the agreement in force (payments made since may have left a
    decrease below what is paid)."""
    amendment = _amendment(ctx)
    before = amending.terms_before(amendment)
    if before != amending.terms_in_force(ctx.grant):
        return f"the agreement changed since amendment {amendment.sequence} was proposed"
    after = amending.terms_after(amendment)
    changed = [name for name in before.__dict__ if getattr(after, name) != getattr(before, name)]
    return _terms_problem(ctx, before, after, changed)


@guard
def amendment_within_allocation(ctx: ActionContext) -> str | None:
    """What an increase adds to each fiscal year fits that year's allocation (checked at the
    approval and again, under the allocations' locks, at the countersignature)."""
    amendment = _amendment(ctx)
    after = amending.terms_after(amendment)
    try:
        plan = amending.replan_for(ctx.grant, ctx.fund, ctx.budget, ctx.instalments, after)
    except amending.AmendmentPlanError:
        return None  # amendment_still_fits says why
    before = amending.approved_lines(ctx.budget)
    added = {y: cents for y, cents in plan.line_changes(before).items() if cents > 0}
    return _allocation_refusal("the amendment", added, ctx)


@guard
def approver_not_amendment_proposer(ctx: ActionContext) -> str | None:
    return _approver_is_not(_amendment(ctx).proposed_by_id, ctx, "proposed this amendment")
