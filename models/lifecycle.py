"""The grant lifecycle, declared once as data.

Every state and every action lives here; who sees what is declared beside it, in
``models.visibility`` (re-exported here). The engine, the "available actions" list, the
permission checks, the README's table and its Mermaid diagram are all derived from this
module; a test fails when the committed README drifts from it. State keys are stored in the
database and never change; labels may.

Four machines share one mechanism: the grant itself, its disbursement instalments, its
outcome reports and the amendments of its agreement. An action names the machine
(``subject``) whose state it moves; actions on instalments, reports and amendments also name
the grant states in which they may happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models import payloads as p
from models.errors import UnknownAction

# Who sees what is declared beside this module (what each role may see, where this module says
# what each may do); re-exported so the engine reads both from one place.
from models.visibility import VISIBILITY as VISIBILITY
from models.visibility import Audience
from models.visibility import reach_of as reach_of
from models.visibility import reaches_other_organisations as reaches_other_organisations

Subject = Literal["grant", "instalment", "report", "amendment"]
# What an action's guards or effect read beyond the grant's own rows, which the engine then
# loads into the ActionContext field of the same name: "panel" is every active reviewer
# (screen_in seats them and checks they can reach quorum); "offer" is the grant agreement the
# recipient signs (models.offers: its stored PDF, or none while it is still owed).
Need = Literal["panel", "offer"]

ROLES: tuple[str, ...] = (
    "applicant",
    "officer",
    "reviewer",
    "approver",
    "finance",
    "auditor",
    "admin",
    # grantflow itself, keeping the deadlines (workflows.sweep): it takes only the actions that
    # name it, and never signs in (models.visibility).
    "system",
)

STAGES: tuple[str, ...] = (
    "intake",
    "community_review",
    "approval",
    "agreement",
    "disbursement",
    "outcome_reporting",
    "close_out",
)


@dataclass(frozen=True)
class State:
    key: str
    staff_label: str
    applicant_label: str
    stage: str
    terminal: bool = False


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    stage: str
    subject: Subject
    from_states: tuple[str, ...]
    to_state: str | None
    roles: tuple[str, ...]
    payload: type[p.Payload] = p.NoPayload
    guards: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    grant_states: tuple[str, ...] = ()
    needs: tuple[Need, ...] = ()
    # A role that may take the action from fewer of its from-states: (role, states) pairs.
    role_from_states: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def changes_state(self) -> bool:
        return self.to_state is not None

    def from_states_for(self, role: str | None) -> tuple[str, ...]:
        """The states ``role`` may take this action from (all of them unless narrowed)."""
        return dict(self.role_from_states).get(role or "", self.from_states)


GRANT_STATES: tuple[State, ...] = (
    State("draft", "Draft", "Draft (not yet submitted)", "intake"),
    State("submitted", "Submitted, awaiting screening", "Received", "intake"),
    State("needs_info", "Information requested", "Information needed from you", "intake"),
    State("withdrawn", "Withdrawn", "Withdrawn", "intake", terminal=True),
    State(
        "incomplete",
        "Closed: information not received",
        "Closed: requested information not received",
        "intake",
        terminal=True,
    ),
    State("in_review", "In community review", "Under community review", "community_review"),
    State("recommended", "Recommended by panel", "Awaiting decision", "community_review"),
    State("not_recommended", "Not recommended", "Awaiting decision", "community_review"),
    State("approved", "Approved, offer sent", "Offer ready to sign", "approval"),
    State("declined", "Declined", "Not funded", "approval", terminal=True),
    State("lapsed", "Offer lapsed", "Offer expired", "approval", terminal=True),
    State("signed", "Signed by recipient", "Signed, awaiting the fund", "agreement"),
    State("active", "Active agreement", "Agreement in effect", "disbursement"),
    State("closing", "Closing out", "Closing", "close_out"),
    State("closed", "Closed", "Closed", "close_out", terminal=True),
    State("terminated", "Terminated", "Ended early", "close_out", terminal=True),
)

INSTALMENT_STATES: tuple[State, ...] = (
    State("scheduled", "Scheduled", "Scheduled", "disbursement"),
    State("initiated", "Initiated, awaiting release", "Being processed", "disbursement"),
    State("released", "Released", "Paid", "disbursement", terminal=True),
    State("held", "Held", "On hold", "disbursement"),
    # Entered only through begin_closeout, when the netting rule (models.settlement) leaves
    # nothing of the holdback payable: the instalment is settled without a payment.
    State("withheld", "Withheld at close-out", "Not payable", "close_out", terminal=True),
)

REPORT_STATES: tuple[State, ...] = (
    State("due", "Due", "Due", "outcome_reporting"),
    State("submitted", "Submitted, awaiting review", "Received", "outcome_reporting"),
    State("accepted", "Accepted", "Accepted", "outcome_reporting", terminal=True),
    State("returned", "Returned for changes", "Changes requested", "outcome_reporting"),
)

# An amendment of the agreement in force (models.amendments): proposed by an officer, approved
# under the approval's segregation of duties, signed by both parties; the countersignature
# puts it in force and applies it. At most one is open (proposed, approved or signed) at once.
AMENDMENT_STATES: tuple[State, ...] = (
    State("proposed", "Proposed, awaiting approval", "Amendment proposed", "agreement"),
    State("approved", "Approved, sent to sign", "Amending agreement ready to sign", "agreement"),
    State("signed", "Signed by recipient", "Signed, awaiting the fund", "agreement"),
    State("in_force", "In force", "In force", "agreement", terminal=True),
    State("declined", "Declined", "Not approved", "agreement", terminal=True),
    State("withdrawn", "Withdrawn", "Withdrawn", "agreement", terminal=True),
)

ELIGIBILITY = (
    "registration_complete",
    "indigenous_led_attested",
    "community_resolution_on_file",
    "data_governance_consent_given",
    "requested_within_fund_maximum",
    "budget_matches_request",
    "project_dates_valid",
)
LIVE_AGREEMENT = ("active", "closing")
AMENDABLE = ("active",)
PAYMENT_GUARDS = (
    "agreement_executed",
    "insurance_on_file",
    "no_overdue_report",
    "holdback_after_final_report",
    "holdback_after_closeout_begins",
    "within_approved_amount",
    "instalment_due",
)

# fmt: off
ACTIONS: tuple[Action, ...] = (
    # intake
    Action("submit", "Submit application", "intake", "grant", ("draft", "needs_info"),
           "submitted", ("applicant",),
           guards=(*ELIGIBILITY, "before_call_deadline", "within_cure_period"),
           documents=("acknowledgement_of_receipt",)),
    Action("request_info", "Request information", "intake", "grant", ("submitted",),
           "needs_info", ("officer",), p.InfoRequest, documents=("deficiency_notice",)),
    # The applicant edits its application: a draft, or after an information request before
    # submitting again. The state stays; no document (the resubmission is acknowledged).
    Action("amend_application", "Amend application", "intake", "grant",
           ("draft", "needs_info"), None, ("applicant",), p.ApplicationAmendment,
           guards=("amendment_keeps_application_valid",)),
    Action("screen_in", "Screen in for community review", "intake", "grant", ("submitted",),
           "in_review", ("officer",), p.ScreenIn,
           guards=(*ELIGIBILITY, "coordinator_is_officer", "panel_can_reach_quorum"),
           needs=("panel",)),
    # The cure period of an information request ended without a resubmission.
    Action("close_incomplete", "Close application: information not received", "intake",
           "grant", ("needs_info",), "incomplete", ("system",), guards=("cure_period_ended",)),
    Action("withdraw", "Withdraw application", "intake", "grant",
           ("draft", "submitted", "needs_info", "in_review"), "withdrawn", ("applicant",),
           p.Reason),
    # community review
    Action("declare_conflict", "Declare conflict of interest", "community_review", "grant",
           ("in_review",), None, ("reviewer",), p.ConflictDeclaration,
           guards=("reviewer_assigned", "conflict_not_yet_declared")),
    Action("score", "Score application", "community_review", "grant", ("in_review",), None,
           ("reviewer",), p.Scores,
           guards=("reviewer_assigned", "conflict_declared", "reviewer_not_conflicted",
                   "not_yet_scored")),
    Action("recommend", "Record panel recommendation", "community_review", "grant",
           ("in_review",), "recommended", ("officer",), p.Recommendation,
           guards=("actor_is_review_coordinator", "quorum_met", "elder_present",
                   "survivor_advisor_present", "recommended_within_request"),
           documents=("review_summary",)),
    Action("not_recommend", "Record panel non-recommendation", "community_review", "grant",
           ("in_review",), "not_recommended", ("officer",), p.NonRecommendation,
           guards=("actor_is_review_coordinator", "quorum_met", "elder_present",
                   "survivor_advisor_present"),
           documents=("review_summary",)),
    # approval
    Action("approve", "Approve grant", "approval", "grant", ("recommended",), "approved",
           ("approver",), p.Approval,
           guards=("approver_not_screening_officer", "approver_not_review_coordinator",
                   "approved_within_request", "within_allocation"),
           documents=("approval_memo", "decision_letter", "grant_agreement")),
    Action("decline", "Decline application", "approval", "grant",
           ("submitted", "needs_info", "recommended", "not_recommended"), "declined",
           ("officer", "approver"), p.Reason,
           guards=("approver_not_screening_officer",),
           documents=("decline_letter",),
           # Program officers decline only at screening; after review an approver decides.
           role_from_states=(("officer", ("submitted", "needs_info")),)),
    Action("lapse", "Lapse unsigned offer", "approval", "grant", ("approved",), "lapsed",
           ("officer", "system"), guards=("offer_deadline_passed",),
           documents=("lapse_notice",)),
    # agreement
    # The signer is the signed-in applicant user, who must be one of the organisation's
    # contacts with signing authority: nothing to type.
    Action("sign", "Sign agreement", "agreement", "grant", ("approved",), "signed",
           ("applicant",),
           guards=("offer_not_expired", "signer_has_signing_authority"),
           needs=("offer",)),
    Action("countersign", "Countersign agreement", "agreement", "grant", ("signed",), "active",
           ("approver",),
           guards=("approver_not_screening_officer", "countersigner_is_fund_signing_authority"),
           documents=("executed_agreement",)),
    # amendments of the agreement in force: the grant stays active throughout
    Action("propose_amendment", "Propose amendment", "agreement", "grant", ("active",), None,
           ("officer",), p.AmendmentProposal,
           guards=("no_open_amendment", "amendment_fits_agreement")),
    Action("withdraw_amendment", "Withdraw amendment", "agreement", "amendment",
           ("proposed", "approved"), "withdrawn", ("officer",), p.AmendmentClosing,
           grant_states=AMENDABLE),
    Action("approve_amendment", "Approve amendment", "agreement", "amendment", ("proposed",),
           "approved", ("approver",), p.AmendmentRef,
           guards=("approver_not_amendment_proposer", "approver_not_screening_officer",
                   "approver_not_review_coordinator", "amendment_still_fits",
                   "amendment_within_allocation"),
           documents=("amending_agreement",), grant_states=AMENDABLE),
    Action("decline_amendment", "Decline amendment", "agreement", "amendment", ("proposed",),
           "declined", ("approver",), p.AmendmentClosing, grant_states=AMENDABLE),
    Action("sign_amendment", "Sign amending agreement", "agreement", "amendment",
           ("approved",), "signed", ("applicant",), p.AmendmentRef,
           guards=("signer_has_signing_authority",), grant_states=AMENDABLE),
    # The countersignature applies the amendment: allocations are checked again under the
    # same locks the approval of a grant takes.
    Action("countersign_amendment", "Countersign amending agreement", "agreement", "amendment",
           ("signed",), "in_force", ("approver",), p.AmendmentRef,
           guards=("approver_not_amendment_proposer", "approver_not_screening_officer",
                   "countersigner_is_fund_signing_authority", "amendment_still_fits",
                   "amendment_within_allocation"),
           documents=("executed_amendment",), grant_states=AMENDABLE),
    # disbursement
    Action("record_insurance", "Record insurance certificate", "disbursement", "grant",
           ("active",), None, ("officer",), p.Insurance, guards=("insurance_meets_minimum",)),
    Action("initiate_payment", "Initiate instalment", "disbursement", "instalment",
           ("scheduled",), "initiated", ("officer",), p.InstalmentRef, guards=PAYMENT_GUARDS,
           documents=("payment_authorization",), grant_states=LIVE_AGREEMENT),
    Action("release_payment", "Release instalment", "disbursement", "instalment",
           ("initiated",), "released", ("finance",), p.InstalmentRef,
           guards=("releaser_not_initiator", *PAYMENT_GUARDS),
           documents=("remittance_advice",), grant_states=LIVE_AGREEMENT),
    Action("hold_payment", "Hold instalment", "disbursement", "instalment",
           ("scheduled", "initiated"), "held", ("officer", "finance"), p.InstalmentHold,
           grant_states=LIVE_AGREEMENT),
    Action("resume_payment", "Resume held instalment", "disbursement", "instalment", ("held",),
           "scheduled", ("officer",), p.InstalmentRef, grant_states=LIVE_AGREEMENT),
    # outcome reporting
    Action("submit_report", "Submit outcome report", "outcome_reporting", "report",
           ("due", "returned"), "submitted", ("applicant",), p.ReportSubmission,
           documents=("report_receipt",), grant_states=LIVE_AGREEMENT),
    Action("accept_report", "Accept outcome report", "outcome_reporting", "report",
           ("submitted",), "accepted", ("officer",), p.ReportRef,
           guards=("report_period_ended",), grant_states=LIVE_AGREEMENT),
    Action("return_report", "Return outcome report", "outcome_reporting", "report",
           ("submitted",), "returned", ("officer",), p.ReportReturn,
           grant_states=LIVE_AGREEMENT),
    # The deadlines grantflow keeps (workflows.sweep): a reminder before a report's due date,
    # and once it has passed, the overdue notice, which holds the regular instalments until
    # the report is accepted (KNOCK_ONS).
    Action("remind_report", "Send report reminder", "outcome_reporting", "report",
           ("due", "returned"), None, ("system",), p.ReportRef,
           guards=("report_reminder_due",), documents=("report_reminder",),
           grant_states=LIVE_AGREEMENT),
    Action("record_overdue_report", "Record overdue report", "outcome_reporting", "report",
           ("due", "returned"), None, ("system",), p.ReportRef, guards=("report_past_due",),
           documents=("overdue_notice",), grant_states=LIVE_AGREEMENT),
    # close-out
    # An amendment still open when close-out begins would stay open for ever: it is first put
    # in force, declined or withdrawn.
    Action("begin_closeout", "Begin close-out", "close_out", "grant", ("active",), "closing",
           ("officer",),
           guards=("all_reports_accepted", "regular_instalments_released", "no_open_amendment"),
           documents=("reconciliation_letter",)),
    Action("close", "Close grant", "close_out", "grant", ("closing",), "closed",
           ("approver",), guards=("all_reports_accepted", "holdback_settled"),
           documents=("holdback_release_letter", "closeout_certificate")),
    Action("terminate", "Terminate agreement", "close_out", "grant", ("active", "closing"),
           "terminated", ("approver",), p.Reason, documents=("reconciliation_letter",)),
)
# fmt: on


@dataclass(frozen=True)
class KnockOn:
    """A state change that an action of one machine makes on a row of another, in its effect.

    Declared so that no state is reached by an undeclared path: the diagrams draw it, and the
    meta-tests check its states and action exist. The effect of ``action`` makes the change.
    """

    subject: Subject
    action: str
    from_states: tuple[str, ...]
    to_state: str


KNOCK_ONS: tuple[KnockOn, ...] = (
    # begin_closeout settles a holdback of which nothing is payable (models.settlement). The
    # holdback cannot be initiated before close-out (holdback_after_closeout_begins), so it is
    # scheduled or held.
    KnockOn("instalment", "begin_closeout", ("scheduled", "held"), "withheld"),
    # An overdue report holds the regular instalments not yet paid...
    KnockOn("instalment", "record_overdue_report", ("scheduled", "initiated"), "held"),
    # ...and accepting it resumes those it held, once no other report is overdue.
    KnockOn("instalment", "accept_report", ("held",), "scheduled"),
)


def knock_on(subject: Subject, action: str) -> KnockOn:
    """The declared knock-on ``action`` makes on a row of ``subject`` (an effect moves a row
    only as declared here)."""
    return next(k for k in KNOCK_ONS if (k.subject, k.action) == (subject, action))


@dataclass(frozen=True)
class StaffNotice:
    """Staff are told, after ``after`` is applied, that work waits for ``role`` (or only for
    the grant's review coordinator, once every seated member has scored)."""

    kind: str
    after: str
    role: str
    when_panel_complete: bool = False


STAFF_NOTICES: tuple[StaffNotice, ...] = (
    StaffNotice("application_to_screen", "submit", "officer"),
    StaffNotice("panel_ready", "score", "officer", when_panel_complete=True),
    StaffNotice("approval_pending", "recommend", "approver"),
    StaffNotice("payment_to_release", "initiate_payment", "finance"),
    StaffNotice("report_to_review", "submit_report", "officer"),
    StaffNotice("amendment_to_approve", "propose_amendment", "approver"),
    StaffNotice("amendment_to_countersign", "sign_amendment", "approver"),
)
# What the organisation is told for a step: by default that its documents are ready (each
# step's own documents attached); these steps say more. An action without documents of its
# own tells the organisation only when it is listed here.
ORGANISATION_MESSAGES: dict[str, str] = {
    "remind_report": "report_reminder",
    "record_overdue_report": "report_overdue",
    "lapse": "offer_lapsed",
    "close_incomplete": "application_closed_incomplete",
    # Steps that change what the organisation must do, with no document of their own.
    "return_report": "report_returned",
    "accept_report": "report_accepted",
    "hold_payment": "payment_held",
    "decline_amendment": "amendment_declined",
    "withdraw_amendment": "amendment_withdrawn",
}
# Told by the sweep, with no step of their own: before an offer lapses, before a cure period
# ends (to the organisation), and when an instalment becomes payable (to staff).
SWEEP_NOTICES: dict[str, str] = {
    "offer_expiring": "applicant",
    "cure_period_ending": "applicant",
    "payment_to_initiate": "officer",
}
# The organisation's message for a step whose own documents are addressed to it, unless
# ORGANISATION_MESSAGES names another.
DOCUMENTS_READY = "documents_ready"
# Whom each document kind is addressed to: "applicant" (the organisation, in its language),
# "panel" (the review panel, and staff) or "staff". Each builder says it too (its AUDIENCE,
# which the documents layer reads); a test keeps the two equal. Declared here so that what
# each step hands whom is said from the declaration (the README's "Who is told").
DOCUMENT_AUDIENCES: dict[str, Audience] = {
    "acknowledgement_of_receipt": "applicant",
    "deficiency_notice": "applicant",
    "review_summary": "panel",
    "approval_memo": "staff",
    "decision_letter": "applicant",
    "decline_letter": "applicant",
    "grant_agreement": "applicant",
    "lapse_notice": "applicant",
    "executed_agreement": "applicant",
    "amending_agreement": "applicant",
    "executed_amendment": "applicant",
    "payment_authorization": "staff",
    "remittance_advice": "applicant",
    "report_receipt": "applicant",
    "report_reminder": "applicant",
    "overdue_notice": "applicant",
    "reconciliation_letter": "applicant",
    "holdback_release_letter": "applicant",
    "closeout_certificate": "applicant",
}


# Who a document of each audience, or a sweep notice to each role, reaches, in the README's words.
RECIPIENTS: dict[str, str] = {"applicant": "organisation", "panel": "panel", "staff": "staff"}


def documents_to_the_organisation(action: Action) -> tuple[str, ...]:
    """The documents ``action`` produces that are addressed to the organisation."""
    return tuple(kind for kind in action.documents if DOCUMENT_AUDIENCES[kind] == "applicant")


def organisation_message(action: Action) -> str | None:
    """The message kind the organisation gets for ``action``, or None: a step with documents
    of its own tells it once they are stored (``DOCUMENTS_READY`` unless listed), with them
    attached; a step without documents tells it only when ``ORGANISATION_MESSAGES`` lists it;
    a step whose documents are all for the panel or staff tells it nothing."""
    if action.documents:
        if not documents_to_the_organisation(action):
            return None
        return ORGANISATION_MESSAGES.get(action.key, DOCUMENTS_READY)
    return ORGANISATION_MESSAGES.get(action.key)


ACTIONS_BY_KEY: dict[str, Action] = {action.key: action for action in ACTIONS}
STATES_BY_SUBJECT: dict[Subject, tuple[State, ...]] = {
    "grant": GRANT_STATES,
    "instalment": INSTALMENT_STATES,
    "report": REPORT_STATES,
    "amendment": AMENDMENT_STATES,
}
INITIAL_STATE: dict[Subject, str] = {
    "grant": "draft",
    "instalment": "scheduled",
    "report": "due",
    "amendment": "proposed",
}


def grant_state(key: str) -> State:
    return next(state for state in GRANT_STATES if state.key == key)


def state_keys(subject: Subject) -> tuple[str, ...]:
    return tuple(state.key for state in STATES_BY_SUBJECT[subject])


def action(key: str) -> Action | None:
    return ACTIONS_BY_KEY.get(key)


def actions_for_role(role: str) -> tuple[Action, ...]:
    return tuple(a for a in ACTIONS if role in a.roles)


def roles_taking_actions_guarded_by(guard_name: str) -> tuple[str, ...]:
    """Every role some action guarded by ``guard_name`` allows, in declaration order: e.g. who
    may coordinate a review is whoever may take the actions only the coordinator may take."""
    found: list[str] = []
    for declared_action in ACTIONS:
        if guard_name in declared_action.guards:
            found.extend(r for r in declared_action.roles if r not in found)
    return tuple(found)


def all_guard_names() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for a in ACTIONS:
        for guard in a.guards:
            seen.setdefault(guard)
    return tuple(seen)


def require_action(action_key: str) -> Action:
    """The declared action, or ``UnknownAction`` listing the ones that exist."""
    found = action(action_key)
    if found is None:
        raise UnknownAction(
            f"unknown action '{action_key}'; actions are: " + ", ".join(a.key for a in ACTIONS)
        )
    return found


def resolve_stage(action_key: str) -> str:
    """The stage (flow family) of an action; unknown keys raise ``UnknownAction``."""
    return require_action(action_key).stage
