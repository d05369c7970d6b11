"""What each action does to the rows, beyond moving the state.

Effects run inside the engine's transaction after every guard passed. They may add rows and
fill ``ctx.details``: the facts the action's documents and audit event record.

The registry fails closed: every declared action either registers an effect here or is listed
in ``NO_EFFECT``. Importing this module checks that, so a new action in ``models.lifecycle``
that nobody gave an effect stops the engine from loading instead of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from models import amendments as amending
from models import budget as budget_rules
from models import lifecycle
from models.applications import requested_total
from models.clock import add_business_days
from models.context import ActionContext
from models.data_return import return_and_delete
from models.deadlines import cure_period_ends, fund_today, report_overdue
from models.governed import engine_window
from models.lifecycle import ACTIONS_BY_KEY
from models.schedule import charged_by_year, plan_instalments, plan_reports
from models.settlement import repayment_due_by, settle_holdback
from models.tables import (
    Amendment,
    BudgetLine,
    Instalment,
    OutcomeReport,
    ReviewAssignment,
    ReviewScore,
)

Effect = Callable[[Session, ActionContext], None]
EFFECTS: dict[str, Effect] = {}
# Actions whose whole effect is the state change the engine makes itself. Listing an action
# here is a decision someone made, not a default: an action in neither place is an error.
NO_EFFECT: frozenset[str] = frozenset({"withdraw"})
# A holdback of which nothing is payable: begin_closeout's declared knock-on on the instalment.
HOLDBACK_WITHHELD = lifecycle.knock_on("instalment", "begin_closeout")
# What an overdue report does to the regular instalments not yet paid, and its undoing.
HELD_FOR_OVERDUE_REPORT = lifecycle.knock_on("instalment", "record_overdue_report")
RESUMED_AFTER_REPORT = lifecycle.knock_on("instalment", "accept_report")
# Instalment.hold_cause of a hold the system made for an overdue report (a person's hold has
# none, and only a person resumes it).
OVERDUE_REPORT_HOLD = "overdue_report"


class EffectRegistryError(RuntimeError):
    """The effects registry disagrees with the lifecycle declaration."""


def effect(key: str) -> Callable[[Effect], Effect]:
    def register(function: Effect) -> Effect:
        if key in EFFECTS:
            raise EffectRegistryError(f"action '{key}' has two effects")
        EFFECTS[key] = function
        return function

    return register


@effect("submit")
def _submit(session: Session, ctx: ActionContext) -> None:
    ctx.grant.submitted_at = ctx.now
    ctx.details["acknowledge_by"] = add_business_days(ctx.now.date(), 2).isoformat()


@effect("request_info")
def _request_info(session: Session, ctx: ActionContext) -> None:
    ctx.grant.info_requested_at = ctx.now
    ctx.details["items"] = list(ctx.payload.items)  # type: ignore[attr-defined]
    cure_by = ctx.now.date() + timedelta(days=ctx.fund.cure_period_days)
    ctx.details["cure_by"] = cure_by.isoformat()


@effect("amend_application")
def _amend_application(session: Session, ctx: ActionContext) -> None:
    """Write the amended fields to the grant; a budget replaces the budget lines and the
    requested total. ``details`` names the fields that changed (never what they say) and, when
    the budget changed, the requested totals before and after."""
    amendment, grant = ctx.payload, ctx.grant
    changed: list[str] = []
    for name in amendment.amended_fields():  # type: ignore[attr-defined]
        if name == "budget":
            continue
        value = getattr(amendment, name)
        if getattr(grant, name) != value:
            setattr(grant, name, value)
            changed.append(name)
    budget: dict[int, int] | None = amendment.budget  # type: ignore[attr-defined]
    before = {line.fiscal_year: line.requested_cents for line in ctx.budget}
    if budget is not None and budget != before:
        _replace_budget(session, ctx, budget)
        changed.append("budget")
        ctx.details["requested_cents_before"] = grant.requested_cents
        grant.requested_cents = requested_total(budget)
        ctx.details["requested_cents_after"] = grant.requested_cents
    ctx.details["changed"] = changed


def _replace_budget(session: Session, ctx: ActionContext, budget: dict[int, int]) -> None:
    """The grant's budget lines become ``budget``: years kept are updated, years dropped are
    deleted, new years are added (a draft or returned application has nothing approved)."""
    kept: list[BudgetLine] = []
    for line in ctx.budget:
        if line.fiscal_year in budget:
            line.requested_cents = budget[line.fiscal_year]
            session.add(line)
            kept.append(line)
        else:
            session.delete(line)
    have = {line.fiscal_year for line in kept}
    for fiscal_year in sorted(set(budget) - have):
        line = BudgetLine(
            grant_id=ctx.grant.id, fiscal_year=fiscal_year, requested_cents=budget[fiscal_year]
        )
        session.add(line)
        kept.append(line)
    ctx.budget = sorted(kept, key=lambda line: line.fiscal_year)


@effect("screen_in")
def _screen_in(session: Session, ctx: ActionContext) -> None:
    ctx.grant.screened_by_id = ctx.actor.user_id
    ctx.grant.screened_at = ctx.now
    ctx.grant.coordinator_id = ctx.payload.coordinator_id or ctx.actor.user_id  # type: ignore[attr-defined]
    for member in ctx.panel:
        session.add(ReviewAssignment(grant_id=ctx.grant.id, reviewer_id=member.id))
    ctx.details["panel_size"] = len(ctx.panel)


@effect("declare_conflict")
def _declare_conflict(session: Session, ctx: ActionContext) -> None:
    assignment = ctx.assignment_of(ctx.actor.user_id)
    assert assignment is not None  # guaranteed by reviewer_assigned
    assignment.conflict = ctx.payload.kind  # type: ignore[attr-defined]
    assignment.conflict_note = ctx.payload.note  # type: ignore[attr-defined]
    assignment.declared_at = ctx.now
    session.add(assignment)


@effect("score")
def _score(session: Session, ctx: ActionContext) -> None:
    for criterion, value in ctx.payload.scores.items():  # type: ignore[attr-defined]
        session.add(
            ReviewScore(
                grant_id=ctx.grant.id,
                reviewer_id=ctx.actor.user_id,
                criterion=criterion,
                score=value,
            )
        )


def _record_review(ctx: ActionContext) -> None:
    ctx.grant.consensus_rating = ctx.payload.consensus_rating  # type: ignore[attr-defined]
    ctx.grant.review_rationale = ctx.payload.rationale  # type: ignore[attr-defined]
    ctx.grant.sealed_deliberation_notes = ctx.payload.deliberation_notes  # type: ignore[attr-defined]


@effect("recommend")
def _recommend(session: Session, ctx: ActionContext) -> None:
    _record_review(ctx)
    ctx.grant.recommended_cents = ctx.payload.recommended_cents  # type: ignore[attr-defined]


@effect("not_recommend")
def _not_recommend(session: Session, ctx: ActionContext) -> None:
    _record_review(ctx)


@effect("approve")
def _approve(session: Session, ctx: ActionContext) -> None:
    grant, fund, payload = ctx.grant, ctx.fund, ctx.payload
    approved = payload.approved_cents  # type: ignore[attr-defined]
    grant.approved_cents = approved
    grant.risk_rating = payload.risk_rating  # type: ignore[attr-defined]
    grant.conditions = list(payload.conditions)  # type: ignore[attr-defined]
    grant.approved_by_id = ctx.actor.user_id
    grant.decided_at = ctx.now
    grant.offer_expires_on = fund_today(ctx.now) + timedelta(days=fund.offer_days)
    lines = budget_rules.approved_lines(approved, ctx.budget)
    for line in ctx.budget:
        line.approved_cents = lines[line.fiscal_year]
        session.add(line)
    plan = plan_instalments(
        approved,
        lines,
        grant.start_date,
        grant.end_date,
        grant.risk_rating,
        fund.initial_payment_bps,
        fund.holdback_bps,
        initial_due=fund_today(ctx.now),
    )
    # What the plan charges each fiscal year: its approved line exactly (models.schedule), so
    # the amount within_allocation checked against each year's allocation.
    for fiscal_year, cents in sorted(charged_by_year(plan).items()):
        allocation = ctx.allocations[fiscal_year]  # within_allocation checked it exists
        allocation.committed_cents += cents
        session.add(allocation)
    for planned in plan:
        session.add(
            Instalment(
                grant_id=grant.id,
                sequence=planned.sequence,
                kind=planned.kind,
                due_date=planned.due_date,
                amount_cents=planned.amount_cents,
                planned_cents=planned.amount_cents,
            )
        )
    for report in plan_reports(
        grant.start_date, grant.end_date, grant.annual_report_days, grant.final_report_days
    ):
        session.add(
            OutcomeReport(
                grant_id=grant.id,
                sequence=report.sequence,
                kind=report.kind,
                period_start=report.period_start,
                period_end=report.period_end,
                due_date=report.due_date,
            )
        )
    ctx.details["offer_expires_on"] = grant.offer_expires_on.isoformat()


@effect("decline")
def _decline(session: Session, ctx: ActionContext) -> None:
    ctx.grant.decline_reason = ctx.payload.reason  # type: ignore[attr-defined]
    ctx.grant.decided_at = ctx.now
    screening = ctx.grant.state in ("submitted", "needs_info")
    ctx.details["stage"] = "screening" if screening else "approval"
    ctx.details["reason"] = ctx.payload.reason  # type: ignore[attr-defined]


def _release_commitment(
    session: Session, ctx: ActionContext, unpaid_cents: int, already_released: int = 0
) -> None:
    """Give back to the fund's allocations what will never be paid, latest years first
    (``models.budget.release_by_year``)."""
    lines = {line.fiscal_year: line.approved_cents or 0 for line in ctx.budget}
    given_back: dict[str, int] = {}
    for fiscal_year, cents in budget_rules.release_by_year(
        lines, unpaid_cents, already_released
    ).items():
        allocation = ctx.allocations.get(fiscal_year)
        if allocation is None:
            continue
        cents = min(cents, allocation.committed_cents)
        allocation.committed_cents -= cents
        session.add(allocation)
        given_back[budget_rules.fiscal_label(fiscal_year)] = cents
    ctx.details["released_commitment_cents"] = sum(given_back.values())
    ctx.details["released_commitment_by_year"] = given_back


@effect("lapse")
def _lapse(session: Session, ctx: ActionContext) -> None:
    assert ctx.grant.offer_expires_on is not None  # offer_deadline_passed
    ctx.details["offer_expires_on"] = ctx.grant.offer_expires_on.isoformat()
    _release_commitment(session, ctx, ctx.grant.approved_cents or 0)


@effect("close_incomplete")
def _close_incomplete(session: Session, ctx: ActionContext) -> None:
    ends = cure_period_ends(ctx.grant, ctx.fund)
    assert ends is not None  # cure_period_ended
    ctx.grant.decided_at = ctx.now
    ctx.details["cure_period_ended_on"] = fund_today(ends).isoformat()


@effect("sign")
def _sign(session: Session, ctx: ActionContext) -> None:
    """The signer is the contact the signed-in user is (``signer_has_signing_authority``):
    the agreement names that contact, with the title on file."""
    contact = ctx.signing_contact()
    assert contact is not None  # guaranteed by signer_has_signing_authority
    # The offer's PDF, once stored (models.offers); signed while it is still owed, the grant
    # keeps no digest and the executed agreement says it was not recorded.
    offer = ctx.offer if ctx.offer is not None and ctx.offer.issued else None
    ctx.grant.signer_name = contact.name
    ctx.grant.signer_title = contact.title
    ctx.grant.signed_at = ctx.now
    ctx.grant.signed_offer_sha256 = offer.sha256 if offer else None
    ctx.details["signer_name"] = contact.name
    ctx.details["signer_title"] = contact.title
    if offer is not None:
        ctx.details["offer_document_id"] = offer.document_id
        ctx.details["offer_sha256"] = offer.sha256


@effect("countersign")
def _countersign(session: Session, ctx: ActionContext) -> None:
    """The Fund's signing authority countersigns (``countersigner_is_fund_signing_authority``);
    the grant keeps the title they signed under, in both languages."""
    ctx.grant.countersigned_by_id = ctx.actor.user_id
    ctx.grant.countersigned_at = ctx.now
    ctx.grant.countersigner_title = ctx.fund.signer_title
    ctx.grant.countersigner_title_fr = ctx.fund.signer_title_fr or ctx.fund.signer_title


@effect("record_insurance")
def _record_insurance(session: Session, ctx: ActionContext) -> None:
    ctx.grant.insurance_certificate_ref = ctx.payload.certificate_ref  # type: ignore[attr-defined]


def paid_cents(instalments: list[Instalment]) -> int:
    return sum(i.amount_cents for i in instalments if i.state == "released")


@effect("initiate_payment")
def _initiate_payment(session: Session, ctx: ActionContext) -> None:
    instalment = ctx.subject
    assert isinstance(instalment, Instalment)
    instalment.initiated_by_id = ctx.actor.user_id
    instalment.initiated_at = ctx.now
    ctx.details.update(instalment_sequence=instalment.sequence, initiated_by=ctx.actor.name)


@effect("release_payment")
def _release_payment(session: Session, ctx: ActionContext) -> None:
    instalment = ctx.subject
    assert isinstance(instalment, Instalment)
    instalment.released_by_id = ctx.actor.user_id
    instalment.released_at = ctx.now
    paid = paid_cents(ctx.instalments) + instalment.amount_cents
    initiator = ctx.users.get(instalment.initiated_by_id or 0)
    ctx.details.update(
        instalment_sequence=instalment.sequence,
        initiated_by=initiator.name if initiator else "",
        released_by=ctx.actor.name,
        released_on=ctx.now.date().isoformat(),
        paid_to_date_cents=paid,
        remaining_cents=(ctx.grant.approved_cents or 0) - paid,
    )


@effect("hold_payment")
def _hold_payment(session: Session, ctx: ActionContext) -> None:
    assert isinstance(ctx.subject, Instalment)
    ctx.subject.hold_reason = ctx.payload.reason  # type: ignore[attr-defined]
    ctx.subject.initiated_by_id = None
    ctx.subject.initiated_at = None


@effect("resume_payment")
def _resume_payment(session: Session, ctx: ActionContext) -> None:
    assert isinstance(ctx.subject, Instalment)
    ctx.subject.hold_reason = ""
    ctx.subject.hold_cause = ""


@effect("submit_report")
def _submit_report(session: Session, ctx: ActionContext) -> None:
    report = ctx.subject
    assert isinstance(report, OutcomeReport)
    report.expenditure_cents = ctx.payload.expenditure_cents  # type: ignore[attr-defined]
    report.aggregates = ctx.payload.aggregates()  # type: ignore[attr-defined]
    report.submitted_at = ctx.now
    report.return_reason = ""
    ctx.details.update(report_sequence=report.sequence, received_at=ctx.now.isoformat())


def _review_report(ctx: ActionContext) -> OutcomeReport:
    report = ctx.subject
    assert isinstance(report, OutcomeReport)
    report.reviewed_by_id = ctx.actor.user_id
    report.reviewed_at = ctx.now
    ctx.details["report_sequence"] = report.sequence
    return report


@effect("accept_report")
def _accept_report(session: Session, ctx: ActionContext) -> None:
    accepted = _review_report(ctx)
    today = fund_today(ctx.now)
    if any(report_overdue(r, today) for r in ctx.reports if r.id != accepted.id):
        return  # payments stay held while another report is overdue
    resumed = []
    for instalment in ctx.instalments:
        if instalment.hold_cause != OVERDUE_REPORT_HOLD:
            continue
        assert instalment.state in RESUMED_AFTER_REPORT.from_states, instalment.state
        instalment.state = RESUMED_AFTER_REPORT.to_state  # declared in KNOCK_ONS
        instalment.hold_cause = ""
        instalment.hold_reason = ""
        session.add(instalment)
        resumed.append(instalment.sequence)
    if resumed:
        ctx.details["resumed_instalments"] = resumed


@effect("remind_report")
def _remind_report(session: Session, ctx: ActionContext) -> None:
    report = ctx.subject
    assert isinstance(report, OutcomeReport)
    ctx.details["report_sequence"] = report.sequence
    ctx.details["days_before"] = (report.due_date - fund_today(ctx.now)).days


@effect("record_overdue_report")
def _record_overdue_report(session: Session, ctx: ActionContext) -> None:
    report = ctx.subject
    assert isinstance(report, OutcomeReport)
    held = []
    for instalment in ctx.instalments:
        regular = instalment.kind != "holdback"
        if regular and instalment.state in HELD_FOR_OVERDUE_REPORT.from_states:
            instalment.state = HELD_FOR_OVERDUE_REPORT.to_state  # declared in KNOCK_ONS
            instalment.hold_cause = OVERDUE_REPORT_HOLD
            instalment.hold_reason = f"report {report.sequence} overdue since {report.due_date}"
            instalment.initiated_by_id = None
            instalment.initiated_at = None
            session.add(instalment)
            held.append(instalment.sequence)
    ctx.details.update(
        report_sequence=report.sequence,
        days_overdue=(fund_today(ctx.now) - report.due_date).days,
        held_instalments=held,
    )


@effect("return_report")
def _return_report(session: Session, ctx: ActionContext) -> None:
    _review_report(ctx).return_reason = ctx.payload.reason  # type: ignore[attr-defined]


def _holdback(ctx: ActionContext) -> Instalment | None:
    return next((i for i in ctx.instalments if i.kind == "holdback"), None)


def planned_amount(instalment: Instalment) -> int:
    return instalment.amount_cents if instalment.planned_cents is None else instalment.planned_cents


def withheld_cents(instalments: list[Instalment]) -> int:
    """Planned cents that close-out took off instalments: already given back to the fund."""
    return sum(planned_amount(i) - i.amount_cents for i in instalments)


def reconciliation(ctx: ActionContext) -> dict[str, int]:
    """The close-out figures of ``models.settlement``, as the letters and the audit record them.

    ``paid_cents`` counts the regular instalments released (P); ``holdback_released_cents`` is
    the part of the holdback actually paid so far.
    """
    regular_paid = sum(
        i.amount_cents for i in ctx.instalments if i.kind != "holdback" and i.state == "released"
    )
    spent = sum(r.expenditure_cents or 0 for r in ctx.reports if r.state == "accepted")
    holdback = _holdback(ctx)
    planned = planned_amount(holdback) if holdback is not None else 0
    released = holdback.amount_cents if holdback is not None and holdback.state == "released" else 0
    settled = settle_holdback(regular_paid, spent, planned)
    approved = ctx.grant.approved_cents or 0
    return {
        "approved_cents": approved,
        "paid_cents": regular_paid,
        "reported_expenditure_cents": spent,
        "unspent_cents": max(0, approved - spent),
        "holdback_planned_cents": planned,
        "holdback_payable_cents": settled.payable_cents,
        "holdback_withheld_cents": settled.withheld_cents,
        "holdback_released_cents": released,
        "repayment_due_cents": settled.repayment_cents,
    }


def _repayment_date(ctx: ActionContext, figures: dict[str, int]) -> None:
    began = ctx.grant.closeout_began_at or ctx.now
    if figures["repayment_due_cents"]:
        ctx.details["repayment_due_by"] = repayment_due_by(began.date()).isoformat()


@effect("begin_closeout")
def _begin_closeout(session: Session, ctx: ActionContext) -> None:
    """Fix the close-out figures: the holdback shrinks to what is payable (``withheld`` when
    nothing is) and the withheld cents go back to the fund's allocations."""
    ctx.grant.closeout_began_at = ctx.now
    figures = reconciliation(ctx)
    ctx.details.update(figures)
    _repayment_date(ctx, figures)
    holdback = _holdback(ctx)
    withheld = figures["holdback_withheld_cents"]
    if holdback is None or withheld == 0:
        return
    holdback.planned_cents = planned_amount(holdback)
    holdback.amount_cents = figures["holdback_payable_cents"]
    if holdback.amount_cents == 0:
        assert holdback.state in HOLDBACK_WITHHELD.from_states, holdback.state
        # Inside the engine's window, and only as declared in KNOCK_ONS.
        holdback.state = HOLDBACK_WITHHELD.to_state
        holdback.initiated_by_id = None
        holdback.initiated_at = None
    session.add(holdback)
    ctx.details.update(holdback_sequence=holdback.sequence, holdback_state=holdback.state)
    _release_commitment(session, ctx, withheld)


@effect("close")
def _close(session: Session, ctx: ActionContext) -> None:
    ctx.grant.closed_at = ctx.now
    figures = reconciliation(ctx)
    holdback = _holdback(ctx)
    released_at = holdback.released_at if holdback is not None else None
    paid_total = paid_cents(ctx.instalments)
    ctx.details.update(figures)
    _repayment_date(ctx, figures)
    ctx.details.update(
        released_on=released_at.date().isoformat() if released_at else None,
        paid_total_cents=paid_total,
        closed_on=ctx.now.date().isoformat(),
        reports_accepted=sum(1 for r in ctx.reports if r.state == "accepted"),
    )
    _return_and_delete(session, ctx)


def _return_and_delete(session: Session, ctx: ActionContext) -> None:
    """What the data agreement says happens to the review content at close (names and counts
    go into the step's audit event, never content)."""
    ctx.details["data_return"] = return_and_delete(session, ctx.grant, at=ctx.now).record()


@effect("terminate")
def _terminate(session: Session, ctx: ActionContext) -> None:
    """Nothing more is paid: whatever of the holdback was not released is withheld."""
    figures = reconciliation(ctx)
    figures["holdback_payable_cents"] = figures["holdback_released_cents"]
    figures["holdback_withheld_cents"] = (
        figures["holdback_planned_cents"] - figures["holdback_released_cents"]
    )
    already = withheld_cents(ctx.instalments)
    unpaid = figures["approved_cents"] - paid_cents(ctx.instalments) - already
    _release_commitment(session, ctx, unpaid, already_released=already)
    ctx.details.update(figures, terminated=True)
    _repayment_date(ctx, figures)
    ctx.details["reason"] = ctx.payload.reason  # type: ignore[attr-defined]
    _return_and_delete(session, ctx)


# --------------------------------------------------------------------------- amendments


def _amendment(ctx: ActionContext) -> Amendment:
    assert isinstance(ctx.subject, Amendment)
    ctx.details["amendment_sequence"] = ctx.subject.sequence
    return ctx.subject


@effect("propose_amendment")
def _propose_amendment(session: Session, ctx: ActionContext) -> None:
    """A new amendment, numbered after the grant's last, recording the terms in force beside
    the ones it proposes, each with its reason (no_open_amendment held)."""
    proposal, grant = ctx.payload, ctx.grant
    sequence = max((a.sequence for a in ctx.amendments), default=0) + 1
    amendment = Amendment(
        grant_id=grant.id,
        sequence=sequence,
        approved_cents_before=grant.approved_cents or 0,
        approved_cents_after=proposal.approved_cents,  # type: ignore[attr-defined]
        approved_cents_reason=proposal.approved_cents_reason or "",  # type: ignore[attr-defined]
        end_date_before=grant.end_date,
        end_date_after=proposal.end_date,  # type: ignore[attr-defined]
        end_date_reason=proposal.end_date_reason or "",  # type: ignore[attr-defined]
        annual_report_days_before=grant.annual_report_days,
        annual_report_days_after=proposal.annual_report_days,  # type: ignore[attr-defined]
        final_report_days_before=grant.final_report_days,
        final_report_days_after=proposal.final_report_days,  # type: ignore[attr-defined]
        report_schedule_reason=proposal.report_schedule_reason or "",  # type: ignore[attr-defined]
        proposed_by_id=ctx.actor.user_id,
        proposed_at=ctx.now,
    )
    session.add(amendment)
    ctx.amendments.append(amendment)
    ctx.details["amendment_sequence"] = sequence
    ctx.details["changes"] = amendment_changes(amendment)


def amendment_changes(amendment: Amendment) -> list[dict[str, Any]]:
    """Each term the amendment changes: its name, value before and after (cents, ISO dates or
    days) and the reason, in the order the agreement states them."""
    before, after = amending.terms_before(amendment), amending.terms_after(amendment)
    reasons = {
        "approved_cents": amendment.approved_cents_reason,
        "end_date": amendment.end_date_reason,
        "annual_report_days": amendment.report_schedule_reason,
        "final_report_days": amendment.report_schedule_reason,
    }
    changes = []
    for term, reason in reasons.items():
        old, new = getattr(before, term), getattr(after, term)
        if old != new:
            plain = [v.isoformat() if isinstance(v, date) else v for v in (old, new)]
            changes.append({"term": term, "before": plain[0], "after": plain[1], "reason": reason})
    return changes


@effect("withdraw_amendment")
def _withdraw_amendment(session: Session, ctx: ActionContext) -> None:
    _amendment(ctx).closing_reason = ctx.payload.reason  # type: ignore[attr-defined]


@effect("decline_amendment")
def _decline_amendment(session: Session, ctx: ActionContext) -> None:
    _amendment(ctx).closing_reason = ctx.payload.reason  # type: ignore[attr-defined]
    ctx.details["reason"] = ctx.payload.reason  # type: ignore[attr-defined]


def _plan_details(ctx: ActionContext, amendment: Amendment) -> amending.Replan:
    """The amendment's changes and the plans it leads to, as its documents print them."""
    after = amending.terms_after(amendment)
    plan = amending.replan_for(ctx.grant, ctx.fund, ctx.budget, ctx.instalments, after)
    ctx.details["changes"] = amendment_changes(amendment)
    ctx.details["paid_instalments"] = [
        _instalment_fact(i.sequence, i.kind, i.due_date, i.amount_cents, i.state)
        for i in ctx.instalments
        if i.state in amending.PAID_OR_IN_FLIGHT
    ]
    ctx.details["kept_reports"] = [
        _report_fact(r.sequence, r.kind, r.period_start, r.period_end, r.due_date, r.state)
        for r in ctx.reports
        if r.state != "due"
    ]
    return plan


def _instalment_fact(
    sequence: int | None, kind: str, due: date, cents: int, state: str
) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "kind": kind,
        "due_date": due.isoformat(),
        "amount_cents": cents,
        "state": state,
    }


def _report_fact(  # noqa: PLR0913 - a report's facts, one argument each
    sequence: int | None, kind: str, start: date, end: date, due: date, state: str
) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "kind": kind,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": due.isoformat(),
        "state": state,
    }


@effect("approve_amendment")
def _approve_amendment(session: Session, ctx: ActionContext) -> None:
    """The amending agreement offered: its changes and the plans as they would be now (the
    countersignature re-plans from the payments made by then)."""
    amendment = _amendment(ctx)
    amendment.approved_by_id = ctx.actor.user_id
    amendment.approved_at = ctx.now
    plan = _plan_details(ctx, amendment)
    after = amending.terms_after(amendment)
    ctx.details["planned_instalments"] = [
        _instalment_fact(None, p.kind, p.due_date, p.amount_cents, "scheduled") for p in plan.parts
    ]
    ctx.details["planned_reports"] = [
        _report_fact(None, r.kind, r.period_start, r.period_end, r.due_date, "due")
        for r in amending.reports_to_come(ctx.grant.start_date, after, ctx.reports)
    ]


@effect("sign_amendment")
def _sign_amendment(session: Session, ctx: ActionContext) -> None:
    amendment = _amendment(ctx)
    contact = ctx.signing_contact()
    assert contact is not None  # guaranteed by signer_has_signing_authority
    amendment.signer_name = contact.name
    amendment.signed_at = ctx.now


@effect("countersign_amendment")
def _countersign_amendment(session: Session, ctx: ActionContext) -> None:
    """The amendment comes into force: the grant's terms become the amended ones, the unpaid
    instalments and the reports not yet submitted are re-planned, the budget lines move and the
    allocations follow (amendment_within_allocation held under the allocations' locks)."""
    amendment = _amendment(ctx)
    amendment.countersigned_by_id = ctx.actor.user_id
    amendment.countersigned_at = ctx.now
    plan = _plan_details(ctx, amendment)
    before_lines = amending.approved_lines(ctx.budget)
    ctx.details["instalments_before"] = [
        _instalment_fact(i.sequence, i.kind, i.due_date, i.amount_cents, i.state)
        for i in ctx.instalments
    ]
    ctx.details["reports_before"] = [
        _report_fact(r.sequence, r.kind, r.period_start, r.period_end, r.due_date, r.state)
        for r in ctx.reports
    ]
    _move_budget(session, ctx, plan, before_lines)
    after = amending.terms_after(amendment)
    ctx.grant.approved_cents = after.approved_cents
    ctx.grant.end_date = after.end_date
    ctx.grant.annual_report_days = after.annual_report_days
    ctx.grant.final_report_days = after.final_report_days
    _replan_instalments(session, ctx, plan)
    _replan_reports(session, ctx, after)
    ctx.details["instalments_after"] = [
        _instalment_fact(i.sequence, i.kind, i.due_date, i.amount_cents, i.state)
        for i in sorted(ctx.instalments, key=lambda i: i.sequence)
    ]
    ctx.details["reports_after"] = [
        _report_fact(r.sequence, r.kind, r.period_start, r.period_end, r.due_date, r.state)
        for r in sorted(ctx.reports, key=lambda r: r.sequence)
    ]
    ctx.details["planned_instalments"] = [
        f for f in ctx.details["instalments_after"] if f["state"] in amending.UNPAID
    ]
    ctx.details["planned_reports"] = [
        f for f in ctx.details["reports_after"] if f["state"] == "due"
    ]


def _move_budget(
    session: Session, ctx: ActionContext, plan: amending.Replan, before: dict[int, int]
) -> None:
    """Budget lines take the new approved amounts; each year's allocation takes what its line
    gains and gets back what it loses."""
    changes = plan.line_changes(before)
    lines = {line.fiscal_year: line for line in ctx.budget}
    for fiscal_year, cents in sorted(plan.lines.items()):
        line = lines.get(fiscal_year)
        if line is None:
            line = BudgetLine(grant_id=ctx.grant.id, fiscal_year=fiscal_year, requested_cents=0)
            ctx.budget.append(line)
        line.approved_cents = cents
        session.add(line)
    committed: dict[str, int] = {}
    for fiscal_year, cents in sorted(changes.items()):
        allocation = ctx.allocations[fiscal_year]  # amendment_within_allocation checked it
        allocation.committed_cents += cents
        session.add(allocation)
        committed[budget_rules.fiscal_label(fiscal_year)] = cents
    ctx.details["commitment_changes_by_year"] = committed


def _replan_instalments(session: Session, ctx: ActionContext, plan: amending.Replan) -> None:
    """Unpaid instalments take the plan's parts in place (module docstring of
    ``models.amendments``): regular ones in due-date order, the holdback its own; new parts
    become new instalments numbered after the last; unneeded unpaid ones are deleted."""
    unpaid = [i for i in ctx.instalments if i.state in amending.UNPAID]
    next_sequence = max((i.sequence for i in ctx.instalments), default=0) + 1
    deleted: list[int] = []
    for holdback in (False, True):
        rows = sorted(
            (i for i in unpaid if (i.kind == "holdback") == holdback),
            key=lambda i: (i.due_date, i.sequence),
        )
        parts = [p for p in plan.parts if (p.kind == "holdback") == holdback]
        for row, part in zip(rows, parts, strict=False):
            row.kind, row.due_date = part.kind, part.due_date
            row.amount_cents = row.planned_cents = part.amount_cents
            session.add(row)
        for row in rows[len(parts) :]:
            session.delete(row)
            ctx.instalments.remove(row)
            deleted.append(row.sequence)
        for part in parts[len(rows) :]:
            row = Instalment(
                grant_id=ctx.grant.id,
                sequence=next_sequence,
                kind=part.kind,
                due_date=part.due_date,
                amount_cents=part.amount_cents,
                planned_cents=part.amount_cents,
            )
            next_sequence += 1
            session.add(row)
            ctx.instalments.append(row)
    ctx.details["deleted_instalments"] = deleted
    total = sum(i.amount_cents for i in ctx.instalments)
    assert total == ctx.grant.approved_cents, (total, ctx.grant.approved_cents)


def _replan_reports(session: Session, ctx: ActionContext, after: amending.Terms) -> None:
    """Reports not yet submitted follow the new end date and schedule; the others stay."""
    to_come = amending.reports_to_come(ctx.grant.start_date, after, ctx.reports)
    due = sorted((r for r in ctx.reports if r.state == "due"), key=lambda r: r.period_end)
    by_end = {r.period_end: r for r in due}
    rows: list[OutcomeReport | None] = [by_end.pop(p.period_end, None) for p in to_come]
    spare = [r for r in due if r.period_end in by_end]
    next_sequence = max((r.sequence for r in ctx.reports), default=0) + 1
    for planned, row in zip(to_come, rows, strict=True):
        if row is None and spare:
            row = spare.pop(0)
        if row is None:
            row = OutcomeReport(
                grant_id=ctx.grant.id,
                sequence=next_sequence,
                kind=planned.kind,
                period_start=planned.period_start,
                period_end=planned.period_end,
                due_date=planned.due_date,
            )
            next_sequence += 1
            ctx.reports.append(row)
        row.kind, row.period_start = planned.kind, planned.period_start
        row.period_end, row.due_date = planned.period_end, planned.due_date
        session.add(row)
    for row in spare:
        session.delete(row)
        ctx.reports.remove(row)
    ctx.details["deleted_reports"] = [r.sequence for r in spare]


def registry_problems(
    effects: Collection[str], no_effect: Collection[str], actions: Collection[str]
) -> list[str]:
    """What is wrong between the registered effects, ``NO_EFFECT`` and the declared actions."""
    problems = [f"effect for undeclared action '{key}'" for key in effects if key not in actions]
    problems += [f"NO_EFFECT names undeclared action '{k}'" for k in no_effect if k not in actions]
    problems += [
        f"action '{key}' has an effect and is in NO_EFFECT" for key in effects if key in no_effect
    ]
    problems += [
        f"action '{key}' has no effect and is not in NO_EFFECT"
        for key in actions
        if key not in effects and key not in no_effect
    ]
    return problems


def check_registry() -> None:
    problems = registry_problems(EFFECTS, NO_EFFECT, ACTIONS_BY_KEY)
    if problems:
        raise EffectRegistryError("effects registry: " + "; ".join(problems))


def effect_of(action_key: str) -> Effect | None:
    """The effect of a declared action, ``None`` when it is declared effect-free."""
    if action_key in NO_EFFECT:
        return None
    try:
        return EFFECTS[action_key]
    except KeyError:
        raise EffectRegistryError(
            f"action '{action_key}' has no effect and is not declared effect-free"
        ) from None


def run_effect(session: Session, ctx: ActionContext) -> None:
    function = effect_of(ctx.action.key)
    if function is None:
        return
    with engine_window():
        function(session, ctx)


check_registry()  # at import, once every effect above is registered and before any can run
