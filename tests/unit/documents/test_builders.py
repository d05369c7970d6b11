from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from documents import KINDS, TEMPLATE_VERSIONS, DocumentDataError, build_document
from documents.content import (
    ClauseList,
    DocumentContent,
    Heading,
    KeepTogether,
    KeyValues,
    Notice,
    Paragraph,
    SignatureBlock,
    Table,
)
from documents.formatting import format_date, format_money
from documents.text import catalogue
from models.fictional.cast import PAYMENTS_OFFICER, SCREENING_OFFICER
from tests.support.document_samples import (
    APPROVED_CENTS,
    FUND,
    ORGANISATION,
    REFERENCE,
    SIGNED_OFFER_SHA256,
    SIGNER,
    SYLLABICS_NAME,
    SYLLABICS_ORGANISATION,
    sample_context,
)
from tests.support.reading import squash

LANGUAGES = ("en", "fr")
ALL = [(kind, language) for kind in KINDS for language in LANGUAGES]


def strings(value: object) -> list[str]:
    """Every string inside a content tree."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [text for item in value for text in strings(item)]
    if dataclasses.is_dataclass(value):
        return [text for f in dataclasses.fields(value) for text in strings(getattr(value, f.name))]
    return []


def text_of(content: DocumentContent) -> str:
    return "\n".join(strings(content))


def blocks(content: DocumentContent, kind: type) -> list:
    """The blocks of ``kind``, those inside keep-together groups included, in order."""
    return [block for block in flattened(content.blocks) if isinstance(block, kind)]


def flattened(items: tuple) -> list:
    out: list = []
    for block in items:
        out.extend(flattened(block.blocks) if isinstance(block, KeepTogether) else [block])
    return out


def headings(content: DocumentContent, level: int | None = None) -> list[str]:
    return [h.text for h in blocks(content, Heading) if level is None or h.level == level]


def build(kind: str, language: str = "en", **overrides) -> DocumentContent:
    return build_document(sample_context(kind, language, **overrides))


def test_the_registry_knows_every_kind_once():
    assert set(KINDS) == {
        "acknowledgement_of_receipt",
        "deficiency_notice",
        "review_summary",
        "approval_memo",
        "decision_letter",
        "decline_letter",
        "grant_agreement",
        "lapse_notice",
        "executed_agreement",
        "amending_agreement",
        "executed_amendment",
        "payment_authorization",
        "remittance_advice",
        "report_receipt",
        "report_reminder",
        "overdue_notice",
        "reconciliation_letter",
        "holdback_release_letter",
        "closeout_certificate",
    }
    for key, kind in KINDS.items():
        assert kind.key == key
        assert re.fullmatch(r"\d+\.\d+\.\d+", kind.template_version)
        assert TEMPLATE_VERSIONS[key] == kind.template_version
        assert kind.audience in ("applicant", "staff", "panel")
    assert KINDS["review_summary"].audience == "panel"
    assert KINDS["approval_memo"].audience == "staff"
    assert KINDS["payment_authorization"].audience == "staff"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind"):
        build_document(dataclasses.replace(sample_context("decline_letter"), kind="memo"))


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_document_names_fund_grant_organisation_and_issue_date(kind, language):
    content = build(kind, language)
    ctx = sample_context(kind, language)
    assert content.kind == kind and content.language == language
    assert content.reference == REFERENCE
    assert content.fund_name == (FUND.name_fr if language == "fr" else FUND.name_en)
    assert content.template_version == KINDS[kind].template_version
    assert format_date(ctx.issued_at, language) in content.issued_line
    text = text_of(content)
    assert ORGANISATION.legal_name in text
    assert REFERENCE in text


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_document_keeps_a_syllabics_name_exactly(kind, language):
    content = build(kind, language, organisation=SYLLABICS_ORGANISATION)
    assert content.organisation_name == SYLLABICS_NAME
    assert SYLLABICS_NAME in text_of(content)


def test_strings_are_nfc_normalised_and_never_stripped():
    decomposed = dataclasses.replace(
        SYLLABICS_ORGANISATION, legal_name=" Cafe\u0301 ᐀ᐊᓂᔑᓈᐯᒧᐎᓐ ᐨ Lodge "
    )
    content = build("acknowledgement_of_receipt", organisation=decomposed)
    assert content.organisation_name == " Café ᐀ᐊᓂᔑᓈᐯᒧᐎᓐ ᐨ Lodge "
    assert all("\u0301" not in text for text in strings(content))


def test_acknowledgement_states_receipt_next_steps_standard_and_privacy():
    content = build("acknowledgement_of_receipt")
    text = text_of(content)
    assert format_money(48_000_000, "en") in text
    assert "January 15, 2026" in text
    assert "Next steps" in headings(content)
    assert len(blocks(content, ClauseList)[0].clauses) == 4
    assert "two business days" in text
    privacy = blocks(content, Notice)[-1]
    assert "FIPPA" in privacy.text and "Freedom of Information" in privacy.text


def test_deficiency_notice_lists_every_missing_item_and_the_cure_date():
    items = ["Board resolution", "Budget notes", "ᐊᓂᔑᓈᐯᒧᐎᓐ letter of support"]
    content = build("deficiency_notice", "fr", details={"items": items})
    listed = [clause.text for clause in blocks(content, ClauseList)[0].clauses]
    assert listed == items
    assert "30 janvier 2026" in text_of(content)
    assert "10 jours civils" in text_of(content)


def test_deficiency_notice_needs_its_items():
    ctx = sample_context("deficiency_notice")
    with pytest.raises(DocumentDataError, match="items"):
        build_document(dataclasses.replace(ctx, details={"cure_by": "2026-01-30"}))


def test_review_summary_is_confidential_and_shows_only_aggregates():
    content = build("review_summary")
    assert content.marking and "CONFIDENTIAL" in content.marking
    assert blocks(content, Notice)[0].tone == "confidential"
    scores = blocks(content, Table)[0]
    assert [row[0] for row in scores.rows] == [
        "Indigenous-led governance and community support",
        "Survivor-centred, trauma-informed design",
        "Cultural grounding and protocols",
        "Need and reach (remote, fly-in, Northern)",
        "Partnerships",
        "Feasibility and budget",
        "Evaluation plan respecting OCAP and CARE",
    ]
    assert scores.rows[0][1] == "4.67"
    assert scores.columns[1].numeric
    composition = dict(blocks(content, KeyValues)[1].rows)
    assert composition["Quorum met"] == "Yes"
    assert composition["Elder present"] == "Yes"
    assert composition["Members recused"] == "1"
    assert "Recommended for funding" in text_of(content)


def test_review_summary_needs_the_review():
    with pytest.raises(DocumentDataError):
        build("review_summary", review=None)


def test_approval_memo_states_segregation_of_duties():
    content = build("approval_memo")
    text = text_of(content)
    assert "neither the screening officer nor the review coordinator" in text
    assert format_money(APPROVED_CENTS, "en") in text and format_money(48_000_000, "en") in text
    budget = blocks(content, Table)[0]
    assert [row[0] for row in budget.rows] == ["2026-27", "2027-28"]
    assert budget.footer == ("Total", "$480,000.00", format_money(APPROVED_CENTS, "en"))
    same_person = {"approver_name": SCREENING_OFFICER.name}
    breach = build("approval_memo", details=same_person)
    assert any(n.tone == "important" for n in blocks(breach, Notice))


def test_decision_letter_offers_amount_conditions_and_expiry():
    content = build("decision_letter", "fr")
    text = text_of(content)
    assert format_money(APPROVED_CENTS, "fr") in text
    assert "9 avril 2026" in text
    conditions = blocks(content, ClauseList)[0]
    assert len(conditions.clauses) == 2
    assert "Rétroaction" in headings(content)


@pytest.mark.parametrize("stage", ["screening", "approval"])
def test_decline_letter_explains_the_stage_and_offers_a_conversation(stage):
    content = build("decline_letter", details={"stage": stage, "reason": "Outside the call."})
    text = text_of(content)
    assert "Outside the call." in text
    assert ("application for eligibility" in text) == (stage == "screening")
    assert "A conversation about this decision" in headings(content)


def test_decline_letter_refuses_an_unknown_stage():
    with pytest.raises(DocumentDataError, match="stage"):
        build("decline_letter", details={"stage": "review"})


def test_grant_agreement_has_every_schedule_in_order():
    content = build("grant_agreement")
    schedules = headings(content, level=1)
    assert [h.split(" – ")[0] for h in schedules] == [f"Schedule {x}" for x in "ABCDEF"]
    general = blocks(content, ClauseList)[2]
    assert [c.number for c in general.clauses] == [f"A{n}" for n in range(1, 15)]
    terms = {c.title: c.text for c in general.clauses}
    assert format_money(APPROVED_CENTS, "en") in terms["Maximum Funds"]
    assert "7 years" in terms["Records"]
    assert format_money(FUND.insurance_minimum_cents, "en") in terms["Insurance"]
    assert "signed by both Parties" in terms["Amendments"]
    assert "electronic signature" in terms["Electronic signatures"]
    assert [p.name for p in content.parties][1] == ORGANISATION.legal_name


def test_grant_agreement_tables_hold_every_instalment_and_report():
    ctx = sample_context("grant_agreement")
    content = build_document(ctx)
    tables = blocks(content, Table)
    budget, payments, reports = tables[-3], tables[-2], tables[-1]
    assert budget.footer[-1] == format_money(APPROVED_CENTS, "en")
    assert len(payments.rows) == len(ctx.instalments) == 5
    assert payments.footer[-1] == format_money(APPROVED_CENTS, "en")
    assert [row[1] for row in payments.rows][0] == "Initial payment"
    assert [row[1] for row in payments.rows][-1] == "Holdback"
    assert len(reports.rows) == len(ctx.reports)
    assert "10%" in text_of(content)


@pytest.mark.parametrize(
    ("language", "years", "holdback_due"),
    [
        ("en", ["2026-27", "2026-27", "2027-28", "2027-28", "2027-28"], "not before June 29, 2028"),
        (
            "fr",
            ["2026-2027", "2026-2027", "2027-2028", "2027-2028", "2027-2028"],
            "au plus tôt le 29 juin 2028",
        ),
    ],
)
def test_schedule_e_shows_the_fiscal_year_each_instalment_is_charged_to(
    language, years, holdback_due
):
    ctx = sample_context("grant_agreement", language)
    payments = blocks(build_document(ctx), Table)[-2]
    assert [row[2] for row in payments.rows] == years
    dues = [row[3] for row in payments.rows]
    assert dues[:-1] == [format_date(i.due_date, language) for i in ctx.instalments[:-1]]
    assert (
        holdback_due in dues[-1] and format_date(ctx.instalments[-1].due_date, language) in dues[-1]
    )
    charged = dict.fromkeys(years, 0)
    for year, instalment in zip(years, ctx.instalments, strict=True):
        charged[year] += instalment.amount_cents
    assert list(charged.values()) == [line.approved_cents for line in ctx.budget]


def test_schedule_e_notes_the_holdback_year_or_that_there_is_none():
    ctx = sample_context("grant_agreement")
    holdback = ctx.instalments[-1]
    text = text_of(build_document(ctx))
    assert (
        f"A holdback of 10% of the Maximum Funds, at most the budget of the last fiscal year "
        f"({format_money(holdback.amount_cents, 'en')}), is charged to fiscal year 2027-28."
    ) in text
    regular = ctx.instalments[:-1]
    last = dataclasses.replace(
        regular[-1], amount_cents=regular[-1].amount_cents + holdback.amount_cents
    )
    without = dataclasses.replace(ctx, instalments=(*regular[:-1], last))
    text = text_of(build_document(without))
    assert "This Agreement provides for no holdback." in text
    assert "A holdback of" not in text


def test_grant_agreement_refuses_a_payment_plan_that_charges_a_year_more_than_its_budget():
    ctx = sample_context("grant_agreement")
    first, second, *rest = ctx.instalments
    moved = 1_000
    over = (
        dataclasses.replace(first, amount_cents=first.amount_cents + moved),
        dataclasses.replace(second, amount_cents=second.amount_cents + moved),
        dataclasses.replace(rest[0], amount_cents=rest[0].amount_cents - 2 * moved),
        *rest[1:],
    )
    with pytest.raises(DocumentDataError, match=r"fiscal years \[2026\] exceed their approved"):
        build_document(dataclasses.replace(ctx, instalments=over))


def test_grant_agreement_additional_provisions_prevail_and_contacts_are_listed():
    content = build("grant_agreement")
    text = text_of(content)
    assert "prevail over Schedule A" in text
    assert [c.number for c in blocks(content, ClauseList)[3].clauses] == ["B1", "B2"]
    contacts = blocks(content, Table)[0]
    assert len(contacts.rows) == 3
    assert SIGNER.email in contacts.rows[0][2]
    assert FUND.signer_name in contacts.rows[-1][1]


def test_grant_agreement_leaves_signatures_blank():
    signatures = blocks(build("grant_agreement"), SignatureBlock)
    assert [s.name for s in signatures] == [SIGNER.name, FUND.signer_name]
    assert all(s.signed_on is None for s in signatures)


def test_grant_agreement_refuses_a_payment_plan_that_misses_the_approved_amount():
    ctx = sample_context("grant_agreement")
    short = dataclasses.replace(ctx, instalments=ctx.instalments[:-1])
    with pytest.raises(DocumentDataError, match="instalments total"):
        build_document(short)


def test_executed_agreement_fills_the_signatures():
    content = build("executed_agreement", "fr")
    signatures = blocks(content, SignatureBlock)
    assert [(s.name, s.signed_on) for s in signatures] == [
        (SIGNER.name, "20 mars 2026"),
        (FUND.signer_name, "24 mars 2026"),
    ]
    assert "signée" in content.title
    assert blocks(content, Notice)[0].tone == "important"
    offered = headings(build("grant_agreement", "fr"))
    after_signatures = offered.index("Signatures") + 1
    record = "Relevé de la signature du bénéficiaire"
    assert headings(content) == [
        *offered[:after_signatures],
        record,
        *offered[after_signatures:],
    ]


def signature_record(content: DocumentContent, language: str) -> dict[str, str]:
    signer_label = catalogue(language)("agr.signature_record.signer")
    record = next(kv for kv in blocks(content, KeyValues) if kv.rows[0][0] == signer_label)
    return dict(record.rows)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_executed_agreement_records_who_signed_in_which_role_when_and_the_offer_digest(
    language,
):
    rows = signature_record(build("executed_agreement", language), language)
    text = " ".join(rows.values())
    assert SIGNER.name in text and SIGNER.title in text
    assert SIGNED_OFFER_SHA256 in text
    assert ORGANISATION.legal_name in text  # the role: signing authority of the organisation
    assert ("20 mars 2026" if language == "fr" else "March 20, 2026") in text


def test_an_agreement_signed_before_the_offer_digest_was_kept_says_so():
    ctx = sample_context("executed_agreement")
    unrecorded = dataclasses.replace(
        ctx, grant=dataclasses.replace(ctx.grant, signed_offer_sha256=None)
    )
    rows = signature_record(build_document(unrecorded), "en")
    assert "not recorded when this agreement was signed" in rows.values()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_offer_and_the_executed_agreement_name_the_same_fund_signatory_with_a_title(language):
    offered = blocks(build("grant_agreement", language), SignatureBlock)[1]
    executed = blocks(build("executed_agreement", language), SignatureBlock)[1]
    title = FUND.signer_title_fr if language == "fr" else FUND.signer_title
    assert (
        (offered.name, offered.title)
        == (executed.name, executed.title)
        == (
            FUND.signer_name,
            title,
        )
    )


def test_the_executed_agreement_prints_the_title_the_countersigner_signed_under():
    grant = dataclasses.replace(
        sample_context("executed_agreement").grant, countersigner_title="Acting Director"
    )
    executed = blocks(build("executed_agreement", grant=grant), SignatureBlock)[1]
    assert executed.title == "Acting Director"
    untitled = dataclasses.replace(grant, countersigner_title=None)
    with pytest.raises(DocumentDataError, match="countersigned under is not on record"):
        build("executed_agreement", grant=untitled)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_schedule_b_gives_the_fund_s_address_and_email_for_notices(language):
    tables = blocks(build("grant_agreement", language), Table)
    contacts = next(t for t in tables if any(FUND.signer_name in row[1] for row in t.rows))
    fund_row = contacts.rows[-1]
    assert fund_row[1].startswith(FUND.signer_name)
    assert fund_row[2].split("\n")[0] == FUND.notice_email
    assert FUND.notice_address in fund_row[2]


def test_an_agreement_without_a_fund_notice_address_is_refused():
    fund = dataclasses.replace(FUND, notice_address="")
    with pytest.raises(DocumentDataError, match="no address and email for notices"):
        build("grant_agreement", fund=fund)


def test_executed_agreement_needs_both_signatures():
    ctx = sample_context("executed_agreement")
    unsigned = dataclasses.replace(ctx, grant=dataclasses.replace(ctx.grant, signed_at=None))
    with pytest.raises(DocumentDataError):
        build_document(unsigned)


def test_payment_authorization_accounts_for_paid_and_remaining():
    ctx = sample_context("payment_authorization")
    first, second = ctx.instalments[0].amount_cents, ctx.instalments[1].amount_cents
    amounts = dict(blocks(build_document(ctx), KeyValues)[1].rows)
    assert amounts["Paid before this instalment"] == format_money(first, "en")
    assert amounts["This instalment"] == format_money(second, "en")
    remaining = APPROVED_CENTS - first - second
    assert amounts["Remaining after this instalment"] == format_money(remaining, "en")


def test_payment_authorization_shows_who_initiated_and_released():
    awaiting = build("payment_authorization", details={"released_by": None})
    assert dict(blocks(awaiting, KeyValues)[2].rows)["Released by (finance)"] == "Awaiting release"
    same = build("payment_authorization", details={"released_by": PAYMENTS_OFFICER.name})
    assert any(n.tone == "important" for n in blocks(same, Notice))


def test_remittance_advice_shows_the_payment_figures():
    ctx = sample_context("remittance_advice", "fr")
    text = text_of(build_document(ctx))
    for key in ("paid_to_date_cents", "remaining_cents"):
        assert format_money(ctx.details[key], "fr") in text
    assert format_money(ctx.instalments[1].amount_cents, "fr") in text
    assert "2 octobre 2026" in text


@pytest.mark.parametrize(("language", "word"), [("en", "not reported"), ("fr", "non déclaré")])
def test_report_receipt_shows_counts_and_a_count_not_reported(language, word):
    content = build("report_receipt", language)
    counts = blocks(content, Table)[0]
    assert len(counts.rows) == 5
    assert counts.rows[1][1] == word
    assert counts.rows[2][1] == ("1,288" if language == "en" else "1\u00a0288")
    assert format_money(17_950_000, language) in text_of(content)


def test_report_receipt_without_counts_says_so():
    ctx = sample_context("report_receipt")
    reports = (ctx.reports[0], dataclasses.replace(ctx.reports[1], aggregates=None))
    content = build_document(dataclasses.replace(ctx, reports=reports))
    assert "No aggregate counts were submitted" in text_of(content)


@pytest.mark.parametrize(
    ("days_before", "says"),
    [
        (14, "is due on June 29, 2028, in 14 days."),
        (1, "is due tomorrow, June 29, 2028."),
        (0, "is due today, June 29, 2028."),
    ],
)
def test_report_reminder_says_when_the_report_is_due_and_never_mentions_a_pause(days_before, says):
    content = build("report_reminder", details={"days_before": days_before})
    text = text_of(content)
    assert content.title == "Report Reminder"
    assert says in text
    assert "aggregate counts only" in text
    assert not blocks(content, Notice)
    assert "paused" not in text and "overdue" not in text


def test_report_reminder_refuses_a_due_date_already_past():
    with pytest.raises(DocumentDataError, match="days_before"):
        build("report_reminder", details={"days_before": -1})


@pytest.mark.parametrize(
    ("language", "held", "accepted"),
    [
        ("en", "Instalments 3 and 4 have therefore been put on hold.", "submitted and accepted"),
        ("fr", "Les versements 3 et 4 ont donc été suspendus.", "soumis et accepté"),
    ],
)
def test_overdue_notice_lists_the_instalments_on_hold_until_the_report_is_accepted(
    language, held, accepted
):
    ctx = sample_context("overdue_notice", language)
    content = build_document(ctx)
    text = squash(text_of(content))
    assert content.title == (
        "Overdue Report Notice" if language == "en" else "Avis de rapport en retard"
    )
    assert squash(format_date(date(2027, 6, 29), language)) in text
    assert squash(held) in text
    assert squash(accepted) in text
    table = blocks(content, Table)[0]
    assert [row[0] for row in table.rows] == ["3", "4"]
    assert table.rows[0][3] == format_money(ctx.instalments[2].amount_cents, language)
    assert blocks(content, Notice)[0].tone == "important"


def test_overdue_notice_counts_days_and_names_a_single_instalment():
    one = text_of(build("overdue_notice", details={"days_overdue": 1, "held_instalments": [4]}))
    assert "was due on June 29, 2027 and is now 1 day overdue." in one
    assert "Instalment 4 has therefore been put on hold." in one
    three = text_of(build("overdue_notice", details={"held_instalments": [5, 3, 4, 3]}))
    assert "Instalments 3, 4 and 5 have therefore been put on hold." in three


@pytest.mark.parametrize("language", LANGUAGES)
def test_overdue_notice_with_nothing_on_hold_says_no_payment_was_affected(language):
    content = build("overdue_notice", language, details={"held_instalments": []})
    text = text_of(content)
    assert catalogue(language)("overdue.held_none") in text
    assert not blocks(content, Table)
    assert catalogue(language)("overdue.resume") not in text


def test_overdue_notice_never_says_payments_resume_on_receipt():
    for language in LANGUAGES:
        text = text_of(build("overdue_notice", language))
        assert "received" not in text and "réception du rapport" not in text
    assert not catalogue("en").has("reminder.pause")


@pytest.mark.parametrize(
    "details",
    [
        {"days_overdue": 0},
        {"held_instalments": [9]},
        {"held_instalments": ["3"]},
        {"held_instalments": [True]},
    ],
)
def test_overdue_notice_refuses_untruthful_details(details):
    with pytest.raises(DocumentDataError):
        build("overdue_notice", details=details)


@pytest.mark.parametrize("language", LANGUAGES)
def test_lapse_notice_says_the_offer_lapsed_and_the_funds_went_back(language):
    content = build("lapse_notice", language)
    text = squash(text_of(content))
    t = catalogue(language)
    money = format_money(APPROVED_CENTS, language)
    assert content.title == t("title.lapse_notice")
    assert squash(format_date(date(2026, 3, 10), language)) in text
    assert squash(format_date(date(2026, 4, 9), language)) in text
    assert squash(money) in text
    assert squash(t("lapse.funds", released=money)) in text
    assert squash(t("lapse.future")) in text
    assert ("can no longer be signed" in text) == (language == "en")
    assert ("ne peut plus être signée" in text) == (language == "fr")


def test_lapse_notice_without_a_decision_date_still_states_the_offer():
    ctx = sample_context("lapse_notice")
    undated = dataclasses.replace(ctx, grant=dataclasses.replace(ctx.grant, decided_at=None))
    content = build_document(undated)
    text = text_of(content)
    assert text.count("March 10, 2026") == 0
    assert "The Fund offered your organisation funding of up to $450,123.45" in text


def test_lapse_notice_needs_the_approved_amount():
    ctx = sample_context("lapse_notice")
    unapproved = dataclasses.replace(ctx, grant=dataclasses.replace(ctx.grant, approved_cents=None))
    with pytest.raises(DocumentDataError, match="approved"):
        build_document(unapproved)


def test_reconciliation_letter_adds_a_repayment_notice_only_when_money_is_owed():
    owed = build("reconciliation_letter")
    assert "Notice of repayment" in headings(owed)
    assert "September 30, 2028" in text_of(owed)
    nothing = build("reconciliation_letter", details={"repayment_due_cents": 0})
    assert "Notice of repayment" not in headings(nothing)
    assert any(p.text == "No repayment is due." for p in blocks(nothing, Paragraph))
    no_date = build("reconciliation_letter", details={"repayment_due_by": None})
    assert "within 30 days" in text_of(no_date)


def test_holdback_release_letter_shows_the_release():
    ctx = sample_context("holdback_release_letter", "fr")
    content = build_document(ctx)
    text = text_of(content)
    assert format_money(ctx.details["holdback_released_cents"], "fr") in text
    assert "15 août 2028" in text
    assert content.title == "Versement de la retenue"
    assert "Aucun remboursement n’est exigé." in text


def test_reconciliation_letter_explains_a_holdback_withheld_in_full():
    text = text_of(build("reconciliation_letter"))
    assert "none of the holdback of $45,012.34 is payable: it is withheld in full" in text
    assert "will be released" not in text


def test_reconciliation_letter_explains_a_partly_payable_holdback():
    content = build(
        "reconciliation_letter",
        details={
            "reported_expenditure_cents": 42_000_000,
            "unspent_cents": 3_012_345,
            "holdback_payable_cents": 1_488_889,
            "holdback_withheld_cents": 3_012_345,
            "repayment_due_cents": 0,
            "repayment_due_by": None,
        },
    )
    text = text_of(content)
    assert "$14,888.89 of the holdback of $45,012.34 is payable and will be released" in text
    assert "The remaining $30,123.45 of the holdback is withheld" in text
    assert "No repayment is due." in text
    assert "Notice of repayment" not in headings(content)


def test_a_termination_letter_withholds_the_holdback_because_the_agreement_ended():
    details = {"paid_cents": 0, "reported_expenditure_cents": 0, "terminated": True}
    text = squash(text_of(build("reconciliation_letter", "fr", details=details)))
    assert "L’entente a été résiliée ; la retenue de 45 012,34 $ ne sera donc pas versée" in text
    assert "couvrent la totalité" not in text


def test_reconciliation_letter_says_when_there_is_no_holdback():
    content = build("reconciliation_letter", details={"holdback_planned_cents": 0})
    assert "Your agreement provided for no holdback." in text_of(content)


WITHHELD = {
    "paid_cents": 40_511_111,
    "reported_expenditure_cents": 39_900_000,
    "holdback_payable_cents": 0,
    "holdback_released_cents": 0,
    "holdback_withheld_cents": 4_501_234,
    "repayment_due_cents": 611_111,
    "repayment_due_by": "2028-09-30",
    "released_on": None,
    "paid_total_cents": 40_511_111,
}


@pytest.mark.parametrize(
    ("language", "title", "plainly"),
    [
        ("en", "Holdback Withheld", "No holdback is released"),
        ("fr", "Retenue non versée", "Aucune retenue n’est versée"),
    ],
)
def test_a_holdback_withheld_in_full_is_announced_plainly_not_as_a_release(
    language, title, plainly
):
    content = build("holdback_release_letter", language, details=WITHHELD)
    text = text_of(content)
    assert content.title == title
    assert plainly in text
    assert format_money(611_111, language) in text
    assert format_date(date(2028, 9, 30), language) in text
    assert "released the holdback" not in text and "a versé la retenue" not in text


def test_a_partly_released_holdback_names_what_was_paid_and_what_was_withheld():
    details = {
        "reported_expenditure_cents": 42_000_000,
        "holdback_payable_cents": 1_488_889,
        "holdback_released_cents": 1_488_889,
        "holdback_withheld_cents": 3_012_345,
        "paid_total_cents": 42_000_000,
    }
    text = text_of(build("holdback_release_letter", details=details))
    assert (
        "Of the holdback of $45,012.34, the close-out reconciliation left $14,888.89 "
        "payable; the Fund released $14,888.89 to your organisation on August 15, 2028. "
        "The remaining $30,123.45 is withheld and will not be paid."
    ) in text


def test_closeout_certificate_says_what_happened_to_the_review_content_only_when_recorded():
    ctx = sample_context("closeout_certificate")
    content = build_document(ctx)
    text = text_of(content)
    assert "This certifies that the grant described below was closed on September 30, 2028." in text
    assert blocks(content, SignatureBlock)[0].signed_on == "September 30, 2028"
    # What the close event recorded (models.data_return), said from that record.
    assert "returned to the organisation and then deleted" in text
    assert "agreement (version 2)" in text
    assert "conflict-of-interest notes (2), documents that printed them (2)" in text
    assert not re.search(r"export", text, re.I)
    # A close that recorded nothing (before it was kept) says nothing of a return.
    details = {k: v for k, v in ctx.details.items() if k != "data_return"}
    unrecorded = text_of(build_document(dataclasses.replace(ctx, details=details)))
    assert not re.search(r"returned to the organisation|deleted|return of community", unrecorded)
    # Destroyed: deleted, nothing said to be returned; kept: nothing said to be deleted.
    for choice, said, unsaid in (
        ("destroy", "without a copy", "Returned"),
        ("keep", "keeps the community review’s content", "Deleted"),
    ):
        record = {**ctx.details["data_return"], "at_close": choice}
        other = text_of(
            build_document(dataclasses.replace(ctx, details={**ctx.details, "data_return": record}))
        )
        assert said in other and unsaid not in other, choice


def test_details_accept_iso_strings_for_dates():
    content = build("decision_letter", details={"offer_expires_on": "2026-04-09"})
    assert "April 9, 2026" in text_of(content)


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("deficiency_notice", "cure_by"),
        ("approval_memo", "approver_name"),
        ("decision_letter", "offer_expires_on"),
        ("decline_letter", "reason"),
        ("payment_authorization", "instalment_sequence"),
        ("remittance_advice", "paid_to_date_cents"),
        ("report_receipt", "received_at"),
        ("report_reminder", "days_before"),
        ("overdue_notice", "days_overdue"),
        ("overdue_notice", "held_instalments"),
        ("lapse_notice", "offer_expires_on"),
        ("lapse_notice", "released_commitment_cents"),
        ("reconciliation_letter", "unspent_cents"),
        ("holdback_release_letter", "holdback_withheld_cents"),
        ("closeout_certificate", "reports_accepted"),
    ],
)
def test_a_missing_detail_is_a_clear_error(kind, key):
    ctx = sample_context(kind)
    details = {k: v for k, v in ctx.details.items() if k != key}
    with pytest.raises(DocumentDataError, match=key):
        build_document(dataclasses.replace(ctx, details=details))


def test_a_detail_of_the_wrong_type_is_a_clear_error():
    with pytest.raises(DocumentDataError, match="paid_cents"):
        build("reconciliation_letter", details={"paid_cents": "lots"})
    with pytest.raises(DocumentDataError, match="days_before"):
        build("report_reminder", details={"days_before": True})


def test_the_same_context_builds_the_same_content():
    ctx = sample_context("grant_agreement", "fr")
    assert build_document(ctx) == build_document(ctx)
