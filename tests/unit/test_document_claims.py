"""Every claim the documents and messages make about what grantflow does is built.

A catalogue string that speaks of the system (grantflow, a portal, exporting, suppressing,
reminders, notices sent, payments held or resumed, offers lapsing, electronic signatures,
records kept, data, confidentiality) must be listed here: in ``CLAIMS``, with a check against
the code that what it says is built, or in ``NOT_CLAIMS``, saying why it makes no claim. A new
string with such a word fails ``test_every_string_that_speaks_of_the_system_is_listed`` until
someone looks at it. ``REMOVED`` keeps out what issue 13 took out because nothing did it.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from documents import KINDS, build_document
from documents.audit.dossier import build_dossier
from documents.audit.evidence import Evidence
from documents.messages.compose import MESSAGE_KINDS
from documents.messages.compose import catalogue as message_catalogue
from documents.text import Catalogue, audit_catalogue, catalogue
from models import lifecycle, notifications
from models.deadlines import offer_lapsed, reminder_point, report_overdue
from models.effects import EFFECTS
from models.lifecycle import ACTIONS_BY_KEY, KNOCK_ONS, ORGANISATION_MESSAGES, PAYMENT_GUARDS
from models.payloads import AGGREGATE_FIELDS, ReportSubmission
from models.schedule import PERIODS_PER_YEAR
from models.tables import Fund, User
from models.visibility import VISIBILITY
from service.web.grant_page import router as grant_page
from tests.support.document_samples import FUND, sample_context
from workflows import delivery, sweep

# Words that make a string speak of what the system does (English; French for the words the
# translation could drift to on its own). Document titles are left out: a title names its
# document, whose kind is registered.
MARKERS: dict[str, dict[str, str]] = {
    "en": {
        "grantflow": r"\bgrantflow\b",
        "portal": r"\bportal\b",
        "export": r"\bexport",
        "suppress": r"\bsuppress",
        "automatic": r"\bautomatic",
        "notified": r"\bnotif(y|ied|ication)|\bnotices? (go|are sent)",
        "reminder": r"\bremind",
        "electronic": r"\belectronic",
        "promise": (
            r"\b(we|you|they|it) will\b|\bwill be \w+ed\b|\bwill (review|tell|send|receive)\b"
            r"|\btells? you\b|\byou receive\b"
        ),
        "attached": r"\battached\b|\benclosed\b",
        "hold": r"\bon hold\b|\bpaused?\b|\bresume",
        "lapse": r"\blapse",
        "returned": r"\breturns? to\b|\breturned to\b",
        "data": r"\bdata\b",
        "records": r"\brecords\b|\bretention\b",
        "confidential": r"\bsealed\b|\bconfidential\b",
    },
    "fr": {
        "grantflow": r"\bgrantflow\b",
        "portail": r"\bportail\b",
        "export": r"\bexport",
        "supprim": r"\bsupprim",
        "automatique": r"\bautomatique",
        "restitu": r"\brestitu",
    },
}


def sources() -> dict[str, tuple[Catalogue, ...]]:
    return {
        "documents": (catalogue("en"), catalogue("fr")),
        "messages": (message_catalogue("en"), message_catalogue("fr")),
        "audit": (audit_catalogue(),),
    }


def marked(
    catalogues: dict[str, tuple[Catalogue, ...]] | None = None,
) -> Iterator[tuple[str, str]]:
    """(``source:key``, marker) for every string that speaks of the system."""
    for source, cats in (catalogues or sources()).items():
        for cat in cats:
            for key, text in cat.messages.items():
                if key.startswith("title."):
                    continue
                for name, pattern in MARKERS[cat.language].items():
                    if re.search(pattern, text, re.IGNORECASE):
                        yield f"{source}:{key}", name


# ------------------------------------------------------------------------ what is built


def produces(action: str, *kinds: str) -> bool:
    return set(kinds) <= set(ACTIONS_BY_KEY[action].documents)


def to_the_organisation(*kinds: str) -> bool:
    return all(KINDS[kind].to_the_organisation for kind in kinds)


def guarded(action: str, *guards: str) -> bool:
    return set(guards) <= set(ACTIONS_BY_KEY[action].guards)


def taken_by(action: str, role: str) -> bool:
    return role in ACTIONS_BY_KEY[action].roles


def message_for(action: str, kind: str) -> bool:
    """The organisation is told of ``action`` by a message of ``kind``."""
    return ORGANISATION_MESSAGES.get(action) == kind and MESSAGE_KINDS[kind] == "organisation"


SWEEP_STEPS = {
    "lapse": sweep.lapse_offers,
    "close_incomplete": sweep.close_incomplete_applications,
    "remind_report": sweep.remind_reports,
    "record_overdue_report": sweep.record_overdue_reports,
}


def the_sweep_takes(action: str) -> bool:
    """The daily sweep takes ``action`` by itself, as the system."""
    return taken_by(action, "system") and callable(SWEEP_STEPS.get(action))


def knock_on(action: str, to_state: str) -> bool:
    return any(k.action == action and k.to_state == to_state for k in KNOCK_ONS)


def on_the_grant_page(action: str) -> bool:
    """An applicant takes ``action`` on the grant's page, which posts any action offered."""
    paths = {(route.path, method) for route in grant_page.routes for method in route.methods}
    return (
        taken_by(action, "applicant")
        and (
            "/grants/{grant_id}/actions/{action}",
            "POST",
        )
        in paths
    )


def retention_years_printed() -> bool:
    """The agreement prints the fund's own ``records_retention_years``, whatever it is."""
    ctx = sample_context("grant_agreement")
    fund = dataclasses.replace(FUND, records_retention_years=11)
    content = build_document(dataclasses.replace(ctx, fund=fund))
    text = repr(content)
    return "records_retention_years" in Fund.model_fields and "11 years" in text


def reports_hold_aggregates_only() -> bool:
    fields = set(ReportSubmission.model_fields) - {"sequence", "expenditure_cents"}
    return ReportSubmission.model_config.get("extra") == "forbid" and fields == set(
        AGGREGATE_FIELDS
    )


def panel_documents_reach_panel_and_staff_only() -> bool:
    reading = {v.role for v in VISIBILITY if "panel" in v.audiences}
    return "applicant" not in reading and "reviewer" in reading


def deliberation_text_only_in_a_dossier_the_agreement_allows() -> bool:
    return {v.notes for v in VISIBILITY} <= {"none", "sealed_marker", "text_if_data_agreement"}


def close_out_returns_and_deletes_as_the_agreement_says() -> bool:
    """Close and terminate both carry out the agreement's choice at close, and record it (the
    close-out certificate prints that record, models.data_return)."""
    from models import data_agreement
    from models import effects as effects_module

    carried_out = [
        "_return_and_delete(session, ctx)" in inspect.getsource(EFFECTS[key])
        for key in ("close", "terminate")
    ]
    records = 'ctx.details["data_return"]' in inspect.getsource(effects_module._return_and_delete)
    choices = set(data_agreement.AT_CLOSE) == {"return_and_delete", "destroy", "keep"}
    return all(carried_out) and records and choices


def dossiers_withhold_small_counts() -> bool:
    from documents.audit import dossier, small_counts
    from models import dossier_verifier

    built = "leaf_withheld=WITHHELD_FOR" in inspect.getsource(dossier.build_dossier)
    left_out = "withheld_documents" in inspect.getsource(dossier._collect_files)
    checked = callable(dossier_verifier.check_withheld_event)
    same = dossier_verifier.COUNT_BEARING_KINDS == small_counts.COUNT_BEARING_KINDS
    return built and left_out and checked and same


def outcome_counts_follow_the_agreements() -> bool:
    from models import data_agreement, outcomes

    source = inspect.getsource(outcomes.fund_outcomes)
    return (
        "allows_purpose(session, organisation_id, REPORTING_PURPOSE)" in source
        and outcomes.REPORTING_PURPOSE in data_agreement.PURPOSES
    )


def scores_only_as_panel_means() -> bool:
    return {v.scores for v in VISIBILITY} <= {"none", "panel_means"}


def messages_written_and_sent_by_grantflow() -> bool:
    return callable(notifications.after_action) and callable(delivery.deliver_due)


def executed_agreements_signed_and_verifiable() -> bool:
    """The Fund signs every executed agreement PDF when it is issued, and
    ``grantflow documents verify`` checks a signed PDF."""
    from documents.issuing import is_signed, issue_document
    from service.cli import documents_app

    commands = {command.name for command in documents_app.registered_commands}
    return (
        is_signed("executed_agreement", "pdf")
        and "verify" in commands
        and "certify_as_fund" in inspect.getsource(issue_document)
    )


@dataclass(frozen=True)
class Claim:
    says: str
    built: Callable[[], bool]


CLAIMS: dict[str, Claim] = {
    # The auditor's dossier
    "audit:audit.withheld_counts": Claim(
        "a submission with a small count is given by leaf hash only, its receipts left out",
        dossiers_withhold_small_counts,
    ),
    # The fund's outcome report
    "documents:outcomes.not_counted": Claim(
        "an organisation's counts are reported only if its agreement allows reporting them",
        outcome_counts_follow_the_agreements,
    ),
    # Intake
    "documents:ack.step1": Claim(
        "screening checks registration, the attestation, the resolution and data consent",
        lambda: guarded(
            "screen_in",
            "registration_complete",
            "indigenous_led_attested",
            "community_resolution_on_file",
            "data_governance_consent_given",
        ),
    ),
    "documents:ack.step2": Claim(
        "a missing item brings a notice listing it with a date",
        lambda: (
            produces("request_info", "deficiency_notice")
            and to_the_organisation("deficiency_notice")
        ),
    ),
    "documents:ack.step4": Claim(
        "the applicant receives a written decision",
        lambda: (
            produces("approve", "decision_letter")
            and produces("decline", "decline_letter")
            and to_the_organisation("decision_letter", "decline_letter")
        ),
    ),
    "documents:def.how": Claim(
        "the applicant adds items on the application's page and submits again",
        lambda: (
            on_the_grant_page("amend_application")
            and "needs_info" in ACTIONS_BY_KEY["submit"].from_states
        ),
    ),
    "messages:cure_period_ending.how": Claim(
        "resubmit on the page; an application not resubmitted by then is closed",
        lambda: (
            on_the_grant_page("amend_application")
            and on_the_grant_page("submit")
            and the_sweep_takes("close_incomplete")
        ),
    ),
    "documents:privacy.text": Claim(
        "community data is governed by the data-governance agreement",
        lambda: (
            guarded("submit", "data_governance_consent_given")
            and deliberation_text_only_in_a_dossier_the_agreement_allows()
        ),
    ),
    # Offer and agreement
    "documents:decision.sign1": Claim(
        "the agreement comes with the offer",
        lambda: produces("approve", "decision_letter", "grant_agreement"),
    ),
    "documents:decision.sign2": Claim(
        "the signing authority signs electronically on the grant's page",
        lambda: on_the_grant_page("sign") and guarded("sign", "signer_has_signing_authority"),
    ),
    "documents:agr.a13.text": Claim(
        "the agreement is signed electronically",
        lambda: on_the_grant_page("sign") and taken_by("countersign", "approver"),
    ),
    "documents:label.signed_electronically": Claim(
        "a signature shown with its date was given in grantflow",
        lambda: on_the_grant_page("sign") and produces("countersign", "executed_agreement"),
    ),
    "documents:decision.expiry": Claim(
        "an offer not signed by its date lapses",
        lambda: (
            the_sweep_takes("lapse")
            and guarded("lapse", "offer_deadline_passed")
            and callable(offer_lapsed)
        ),
    ),
    "documents:lapse.not_signed": Claim(
        "a lapsed offer can no longer be signed",
        lambda: (
            ACTIONS_BY_KEY["sign"].from_states == ("approved",)
            and guarded("sign", "offer_not_expired")
        ),
    ),
    "documents:lapse.subject": Claim(
        "the offer lapsed (the lapse notice's subject)", lambda: produces("lapse", "lapse_notice")
    ),
    "messages:offer_expiring.how": Claim(
        "sign on the grant's page; unsigned by the date, the offer lapses",
        lambda: on_the_grant_page("sign") and the_sweep_takes("lapse"),
    ),
    "messages:offer_lapsed.lapsed": Claim(
        "the lapse notice is attached to the message",
        lambda: message_for("lapse", "offer_lapsed") and produces("lapse", "lapse_notice"),
    ),
    "messages:offer_lapsed.subject": Claim(
        "the offer lapsed (the message's subject)", lambda: message_for("lapse", "offer_lapsed")
    ),
    "documents:decision.sign3": Claim(
        "the Fund countersigns and the applicant receives the executed agreement",
        lambda: (
            produces("countersign", "executed_agreement")
            and to_the_organisation("executed_agreement")
        ),
    ),
    "documents:lapse.funds": Claim(
        "a lapsed offer's funds go back to the fund's allocation",
        lambda: "_release_commitment" in inspect.getsource(EFFECTS["lapse"]),
    ),
    "documents:agr.b.contacts_intro": Claim(
        "notices go to the organisation's contacts",
        lambda: callable(notifications.organisation_recipients),
    ),
    "documents:agr.a4.text": Claim(
        "records are kept the fund's number of years",
        retention_years_printed,
    ),
    "documents:agr.b.retention": Claim(
        "the fund's records retention, in Schedule B", retention_years_printed
    ),
    "documents:closeout.records": Claim(
        "records are kept the fund's number of years (close-out)", retention_years_printed
    ),
    "documents:remit.records": Claim(
        "keep this advice with the records of section A4", retention_years_printed
    ),
    "documents:agr.a5.text": Claim(
        "inspection reaches aggregate data only, never personal information",
        reports_hold_aggregates_only,
    ),
    "documents:agr.a7.text": Claim(
        "the Fund receives aggregate outcome data only", reports_hold_aggregates_only
    ),
    "documents:agr.f.intro": Claim(
        "reports are submitted on the grant's page", lambda: on_the_grant_page("submit_report")
    ),
    "documents:agr.signature_record.digital": Claim(
        "the Fund signs the executed agreement's PDF, and grantflow documents verify checks it",
        executed_agreements_signed_and_verifiable,
    ),
    # Payments
    "documents:agr.a2.text": Claim(
        "no payment before execution and insurance, none above the plan, none while a report "
        "is overdue",
        lambda: (
            {"agreement_executed", "insurance_on_file", "within_approved_amount"}
            <= set(PAYMENT_GUARDS)
            and "no_overdue_report" in PAYMENT_GUARDS
            and knock_on("record_overdue_report", "held")
        ),
    ),
    "documents:overdue.rule": Claim(
        "payments are paused while a report is overdue",
        lambda: knock_on("record_overdue_report", "held") and callable(report_overdue),
    ),
    "documents:overdue.held_one": Claim(
        "the instalment was put on hold", lambda: knock_on("record_overdue_report", "held")
    ),
    "documents:overdue.held_many": Claim(
        "the instalments were put on hold", lambda: knock_on("record_overdue_report", "held")
    ),
    "documents:overdue.resume": Claim(
        "held instalments resume when the report is accepted, unless another is overdue",
        lambda: knock_on("accept_report", "scheduled"),
    ),
    "messages:report_overdue.hold": Claim(
        "payments are on hold while a report is overdue and resume once it is accepted",
        lambda: (
            knock_on("record_overdue_report", "held") and knock_on("accept_report", "scheduled")
        ),
    ),
    "messages:report_overdue.subject": Claim(
        "an overdue report puts payments on hold",
        lambda: knock_on("record_overdue_report", "held"),
    ),
    "messages:report_overdue.attached": Claim(
        "the overdue notice is attached",
        lambda: (
            message_for("record_overdue_report", "report_overdue")
            and produces("record_overdue_report", "overdue_notice")
        ),
    ),
    "messages:payment_held.held": Claim(
        "the organisation is told of a hold; the instalment can be paid once it is lifted",
        lambda: (
            message_for("hold_payment", "payment_held")
            and ACTIONS_BY_KEY["resume_payment"].to_state == "scheduled"
        ),
    ),
    "messages:payment_held.subject": Claim(
        "a payment was put on hold", lambda: message_for("hold_payment", "payment_held")
    ),
    "documents:recon.holdback_payable_full": Claim(
        "a payable holdback is released after close-out begins",
        lambda: guarded("release_payment", "holdback_after_closeout_begins"),
    ),
    "documents:recon.holdback_payable_part": Claim(
        "the payable part of the holdback is released after close-out begins",
        lambda: (
            guarded("release_payment", "holdback_after_closeout_begins")
            and knock_on("begin_closeout", "withheld")
        ),
    ),
    "documents:memo.risk_note": Claim(
        "the risk rating sets how often instalments are paid",
        lambda: len(set(PERIODS_PER_YEAR.values())) == len(PERIODS_PER_YEAR) == 3,
    ),
    # Reports
    "documents:reminder.due_in": Claim(
        "a reminder before the due date", lambda: the_sweep_takes("remind_report")
    ),
    "documents:reminder.due_today": Claim(
        "a reminder on the due date",
        lambda: the_sweep_takes("remind_report") and callable(reminder_point),
    ),
    "documents:reminder.due_tomorrow": Claim(
        "a reminder the day before", lambda: the_sweep_takes("remind_report")
    ),
    "documents:reminder.how": Claim(
        "reports are submitted on the grant's page and hold aggregate counts only",
        lambda: on_the_grant_page("submit_report") and reports_hold_aggregates_only(),
    ),
    "messages:submit": Claim(
        "reports are submitted on the grant's page and hold aggregate counts only",
        lambda: on_the_grant_page("submit_report") and reports_hold_aggregates_only(),
    ),
    "documents:receipt.next": Claim(
        "the organisation is told by email whether its report is accepted or returned",
        lambda: (
            message_for("return_report", "report_returned")
            and message_for("accept_report", "report_accepted")
        ),
    ),
    "messages:report_returned.returned": Claim(
        "the organisation is told its report was returned",
        lambda: message_for("return_report", "report_returned"),
    ),
    "messages:report_reminder.attached": Claim(
        "the reminder is attached",
        lambda: (
            produces("remind_report", "report_reminder")
            and message_for("remind_report", "report_reminder")
        ),
    ),
    "messages:report_reminder.due.many": Claim(
        "a reminder days before", lambda: the_sweep_takes("remind_report")
    ),
    "messages:report_reminder.due.one": Claim(
        "a reminder the day before", lambda: the_sweep_takes("remind_report")
    ),
    "messages:report_reminder.due.today": Claim(
        "a reminder on the day", lambda: the_sweep_takes("remind_report")
    ),
    "messages:report_reminder.due.plain": Claim(
        "a reminder", lambda: the_sweep_takes("remind_report")
    ),
    # Close-out
    "documents:holdback.next": Claim(
        "the close-out certificate comes with the holdback letter",
        lambda: produces("close", "holdback_release_letter", "closeout_certificate"),
    ),
    # Messages in general
    "messages:documents_ready.intro": Claim(
        "a step's documents are attached to its message",
        lambda: callable(notifications.after_documents),
    ),
    "messages:documents_ready.also": Claim(
        "the documents are on the grant page",
        lambda: (
            ("/grants/{grant_id}", "GET")
            in {(r.path, m) for r in grant_page.routes for m in r.methods}
            and "applicant" in next(v for v in VISIBILITY if v.role == "applicant").audiences
        ),
    ),
    "messages:footer.organisation": Claim(
        "messages are sent automatically by grantflow", messages_written_and_sent_by_grantflow
    ),
    "messages:footer.staff": Claim(
        "sent automatically; staff choose one message each or a daily digest",
        lambda: messages_written_and_sent_by_grantflow() and "notify_by" in User.model_fields,
    ),
    # Confidentiality and data sovereignty
    "documents:review.marking": Claim(
        "the review summary reaches the panel and the Fund's staff only",
        panel_documents_reach_panel_and_staff_only,
    ),
    "documents:review.confidential": Claim(
        "the review summary reaches the panel and staff only; no scores or names, no notes",
        lambda: panel_documents_reach_panel_and_staff_only() and scores_only_as_panel_means(),
    ),
    "audit:audit.withheld_notes": Claim(
        "grantflow shows deliberation text to no one; a dossier holds it only if allowed",
        deliberation_text_only_in_a_dossier_the_agreement_allows,
    ),
    "audit:audit.included_notes": Claim(
        "the dossier holds deliberation notes because the agreement allows it",
        deliberation_text_only_in_a_dossier_the_agreement_allows,
    ),
    "documents:closeout.data_return_and_delete": Claim(
        "the review content was returned, then deleted, as the agreement says",
        close_out_returns_and_deletes_as_the_agreement_says,
    ),
    "documents:closeout.data_destroy": Claim(
        "the review content was deleted without a copy, as the agreement says",
        close_out_returns_and_deletes_as_the_agreement_says,
    ),
    "documents:closeout.data_keep": Claim(
        "the Fund keeps the review content, as the agreement says",
        close_out_returns_and_deletes_as_the_agreement_says,
    ),
    "documents:closeout.kept_list": Claim(
        "what is kept, and the audit trail records the close-out",
        close_out_returns_and_deletes_as_the_agreement_says,
    ),
    "documents:closeout.item.deliberation_notes": Claim(
        "the deliberation notes are sealed",
        deliberation_text_only_in_a_dossier_the_agreement_allows,
    ),
    "audit:audit.withheld_scores": Claim(
        "individual scores are sealed; only the panel's means appear",
        scores_only_as_panel_means,
    ),
    "audit:audit.proven_by_fresh": Claim(
        "events after the last checkpoint are proven against a head computed at export",
        lambda: (
            "fresh" in {field.name for field in dataclasses.fields(Evidence)}
            and callable(build_dossier)
        ),
    ),
}

# Strings the markers find that make no claim about what grantflow does, and why.
NOT_CLAIMS: dict[str, str] = {
    "documents:agr.a13.title": "the heading of section A13 (a claim above)",
    "documents:recon.repayment_how": "how the organisation pays (electronic funds transfer)",
    "documents:agr.a4.title": "the heading of section A4 (a claim above)",
    "documents:agr.a7.title": "the heading of section A7 (a claim above)",
    "documents:overdue.hold_title": "a heading above the hold (overdue.rule)",
    "documents:overdue.held_caption": "a table caption",
    "documents:lapse.released": "the row label of lapse.funds' amount",
    "documents:review.confidential_title": "the heading of review.confidential",
    "audit:audit.marking": "a page marking of the auditor's own dossier",
    "messages:open": "a link to the grant's page",
    "messages:digest.intro": "the digest's first line, naming the sender",
    "messages:digest.subject.one": "a subject naming the sender",
    "messages:digest.subject.many": "a subject naming the sender",
    "messages:application_to_screen.subject": "a subject naming the sender",
    "messages:approval_pending.subject": "a subject naming the sender",
    "messages:panel_ready.subject": "a subject naming the sender",
    "messages:payment_to_initiate.subject": "a subject naming the sender",
    "messages:payment_to_release.subject": "a subject naming the sender",
    "messages:report_to_review.subject": "a subject naming the sender",
    "messages:amendment_to_approve.subject": "a subject naming the sender",
    "messages:amendment_to_countersign.subject": "a subject naming the sender",
}

# Claims issue 13 took out because nothing does what they said (issue 14 builds the export
# and return of a community's data): none of these words may come back in the documents.
REMOVED: dict[str, str] = {
    r"\bexported\b|\bexportés?\b": "the close-out certificate said the data were exported",
    r"return of (your|the) community|retour des données": "and returned",
    r"\breturns it\b|\brestitue\b": "Schedule A7 said the Fund returns the data",
    r"\bportal\b|\bportail\b": "no portal: the grant's page in grantflow",
    r"small counts are suppressed|petits nombres sont supprimés": "nothing suppresses counts",
    r"\bbank account\b|\bcompte bancaire\b": "grantflow holds no bank details",
    r"reports required|rapports exigés": "the risk rating sets no reports",
    r"discuss an extension|prolongation": "no cure period or due date can be extended",
    r"written on the report|indiqués sur le rapport": "the page shows no return reason",
    r"reason is given on the grant page|motif est indiqué": "the page shows no hold reason",
}


# ------------------------------------------------------------------------------- the tests


def test_every_string_that_speaks_of_the_system_is_listed():
    unlisted = sorted({key for key, _ in marked() if key not in CLAIMS and key not in NOT_CLAIMS})
    assert unlisted == [], "list each in CLAIMS (with its evidence) or NOT_CLAIMS (why not)"


def test_the_check_finds_a_new_claim():
    invented = Catalogue("en", {"def.portal": "Upload it in the portal; we will notify you."})
    assert set(marked({"documents": (invented,)})) == {
        ("documents:def.portal", "portal"),
        ("documents:def.portal", "notified"),
        ("documents:def.portal", "promise"),
    }


def test_every_listed_key_exists():
    keys = {
        f"{source}:{key}" for source, cats in sources().items() for c in cats for key in c.messages
    }
    assert sorted((set(CLAIMS) | set(NOT_CLAIMS)) - keys) == []
    assert not set(CLAIMS) & set(NOT_CLAIMS)


@pytest.mark.parametrize("key", sorted(CLAIMS))
def test_each_claim_is_built(key):
    assert CLAIMS[key].built(), f"{key}: {CLAIMS[key].says}"


def test_a_claim_whose_evidence_is_gone_fails():
    assert not message_for("accept_report", "report_returned")
    assert not message_for("resume_payment", "payment_held")
    assert not produces("close", "data_return_certificate")
    assert not on_the_grant_page("lapse")  # the system's, not the applicant's


@pytest.mark.parametrize("pattern", sorted(REMOVED))
def test_removed_claims_stay_out(pattern):
    found = [
        f"{cat.language} {key}"
        for cats in sources().values()
        for cat in cats
        for key, text in cat.messages.items()
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == [], REMOVED[pattern]


def test_no_step_is_said_to_send_a_message_it_does_not_send():
    """Every message kind a step sends to the organisation is one the composer knows, and
    every organisation message kind is sent by some step or by the sweep."""
    sent = set(ORGANISATION_MESSAGES.values()) | {
        kind for kind, role in lifecycle.SWEEP_NOTICES.items() if role == "applicant"
    }
    organisation_kinds = {kind for kind, to in MESSAGE_KINDS.items() if to == "organisation"}
    assert sent <= organisation_kinds
    assert organisation_kinds - sent == {"documents_ready"}
