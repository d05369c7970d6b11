"""Amending agreement: the offer of an amendment of the agreement in force, ready to sign.

Shared with ``executed_amendment``. Details (``models.effects``: approve_amendment,
countersign_amendment): ``amendment_sequence``, ``changes`` (term, before, after, reason),
``paid_instalments`` and ``planned_instalments``, ``kept_reports`` and ``planned_reports``;
the executed amendment also ``signer_name``, ``signed_at``, ``countersigner_name`` and
``countersigned_at`` (``workflows.snapshot.document_details``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from documents.builders.common import Kit, detail, document, kit, paragraphs, signing_contact
from documents.builders.grant_agreement import parties
from documents.content import (
    Block,
    Column,
    DocumentContent,
    Heading,
    KeepTogether,
    Notice,
    Paragraph,
    SignatureBlock,
    Table,
)
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.0.0"

TERMS = ("approved_cents", "end_date", "annual_report_days", "final_report_days")


def _value(k: Kit, term: str, value: Any) -> str:
    if term == "approved_cents":
        return k.money(int(value))
    if term == "end_date":
        return k.date(date.fromisoformat(value))
    return k.t("amd.days", days=k.count(int(value)))


def _changes(k: Kit) -> tuple[Block, ...]:
    """The changes as a table of figures, then each reason as written, under the terms it
    gives reasons for: a reason is free text up to a few pages long, so it is not squeezed
    into a table cell (a row is kept on one page, and a longer one would be cut)."""
    changes = detail(k.ctx, "changes", list)
    if not changes or any(c.get("term") not in TERMS for c in changes):
        raise DocumentDataError(f"{k.ctx.kind}: details['changes'] names no known term")
    rows = tuple(
        (
            k.t(f"amd.term.{c['term']}"),
            _value(k, c["term"], c["before"]),
            _value(k, c["term"], c["after"]),
        )
        for c in changes
    )
    columns = (Column(k.t("amd.term")), Column(k.t("amd.before")), Column(k.t("amd.after")))
    terms_by_reason: dict[str, list[str]] = {}
    for c in changes:
        terms_by_reason.setdefault(c["reason"], []).append(k.t(f"amd.term.{c['term']}"))
    reasons: list[Block] = [Heading(3, k.t("amd.reasons"))]
    for reason, terms in terms_by_reason.items():
        reasons += [Paragraph("; ".join(terms), emphasis=True), *paragraphs(reason)]
    return (Heading(2, k.t("amd.changes")), Table(columns, rows), *reasons)


def amended_amount(k: Kit) -> int:
    """The maximum funds once the amendment is in force: what every instalment adds up to."""
    paid = detail(k.ctx, "paid_instalments", list)
    planned = detail(k.ctx, "planned_instalments", list)
    return sum(int(i["amount_cents"]) for i in (*paid, *planned))


def _number(item: dict[str, Any]) -> str:
    return "–" if item.get("sequence") is None else str(item["sequence"])


def _payment_plan(k: Kit, executed: bool) -> tuple[Block, ...]:
    paid = detail(k.ctx, "paid_instalments", list)
    planned = detail(k.ctx, "planned_instalments", list)
    total = amended_amount(k)
    rows = tuple(
        (
            _number(item),
            k.t(f"instalment.{item['kind']}"),
            k.date(date.fromisoformat(item["due_date"])),
            k.t(f"amd.status.{item['state']}"),
            k.money(int(item["amount_cents"])),
        )
        for item in (*paid, *planned)
    )
    columns = (
        Column(k.t("common.number")),
        Column(k.t("agr.e.instalment")),
        Column(k.t("common.due_date")),
        Column(k.t("amd.status")),
        Column(k.t("common.amount"), numeric=True),
    )
    note = "amd.e.executed" if executed else "amd.e.offer"
    return (
        Heading(2, k.t("amd.e.heading")),
        Paragraph(k.t("amd.e.intro", approved=k.money(total))),
        Table(columns, rows, footer=(k.t("common.total"), "", "", "", k.money(total))),
        Paragraph(k.t(note)),
    )


def _reports(k: Kit) -> tuple[Block, ...]:
    kept = detail(k.ctx, "kept_reports", list)
    planned = detail(k.ctx, "planned_reports", list)
    rows = tuple(
        (
            _number(item),
            k.t(f"report.{item['kind']}"),
            k.period(
                date.fromisoformat(item["period_start"]), date.fromisoformat(item["period_end"])
            ),
            k.date(date.fromisoformat(item["due_date"])),
            k.t(f"amd.status.{item['state']}"),
        )
        for item in (*kept, *planned)
    )
    columns = (
        Column(k.t("common.number")),
        Column(k.t("agr.f.report")),
        Column(k.t("common.period")),
        Column(k.t("common.due_date")),
        Column(k.t("amd.status")),
    )
    return (
        Heading(2, k.t("amd.f.heading")),
        Paragraph(k.t("amd.f.intro")),
        Table(columns, rows),
    )


def _moment(k: Kit, key: str) -> datetime:
    return detail(k.ctx, key, datetime)


def _signatures(k: Kit, executed: bool) -> tuple[Block, ...]:
    ctx = k.ctx
    if executed:
        recipient = SignatureBlock(
            k.organisation,
            detail(ctx, "signer_name", str),
            ctx.details.get("signer_title"),
            k.date(_moment(k, "signed_at")),
        )
        funder = SignatureBlock(
            k.fund_name,
            detail(ctx, "countersigner_name", str),
            k.signer_title,
            k.date(_moment(k, "countersigned_at")),
        )
    else:
        contact = signing_contact(ctx)
        recipient = SignatureBlock(
            k.organisation, contact.name if contact else None, contact.title if contact else None
        )
        funder = SignatureBlock(k.fund_name, ctx.fund.signer_name, k.signer_title)
    return (
        KeepTogether(
            (
                Heading(2, k.t("agr.signatures")),
                Paragraph(k.t("amd.signatures_intro")),
                KeepTogether((recipient, funder), signature=True),
            )
        ),
    )


def _executed_notice(k: Kit, number: int) -> Notice:
    text = k.t(
        "amd.executed_notice",
        number=number,
        signer=detail(k.ctx, "signer_name", str),
        signed_on=k.date(_moment(k, "signed_at")),
        countersigner=detail(k.ctx, "countersigner_name", str),
        countersigned_on=k.date(_moment(k, "countersigned_at")),
    )
    return Notice(text, title=k.t("amd.executed_title"), tone="important")


def compose(ctx: DocumentContext, *, executed: bool, template_version: str) -> DocumentContent:
    """The amending agreement; ``executed`` fills in both signatures."""
    k = kit(ctx)
    number = detail(ctx, "amendment_sequence", int)
    blocks = (
        *((_executed_notice(k, number),) if executed else ()),
        Paragraph(
            k.t(
                "amd.opening",
                number=number,
                reference=ctx.grant.reference,
                fund=k.fund_name,
                organisation=k.organisation,
            )
        ),
        Paragraph(k.t("amd.in_force")),
        *_changes(k),
        Paragraph(k.t("amd.unchanged")),
        *_payment_plan(k, executed),
        *_reports(k),
        *_signatures(k, executed),
    )
    return document(
        k,
        template_version=template_version,
        blocks=blocks,
        title=k.t(f"title.{ctx.kind}") + " " + k.t("amd.number", number=number),
        subtitle=ctx.grant.project_title,
        parties=parties(k),
        letter=False,
    )


def build(ctx: DocumentContext) -> DocumentContent:
    return compose(ctx, executed=False, template_version=TEMPLATE_VERSION)
