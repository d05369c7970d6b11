"""Approval memo: the approver's decision record for the file (staff only)."""

from __future__ import annotations

from documents.builders.common import (
    Kit,
    detail,
    document,
    grant_rows,
    kit,
    require_approved,
)
from documents.content import (
    Clause,
    ClauseList,
    Column,
    DocumentContent,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    SignatureBlock,
    Table,
)
from documents.context import DocumentContext
from documents.formatting import format_bps

AUDIENCE = "staff"
TEMPLATE_VERSION = "1.1.0"


def _budget(k: Kit) -> Table:
    t = k.t
    lines = sorted(k.ctx.budget, key=lambda line: line.fiscal_year)
    rows = tuple(
        (
            k.fiscal_year(line.fiscal_year),
            k.money(line.requested_cents),
            k.money(line.approved_cents or 0),
        )
        for line in lines
    )
    footer = (
        t("common.total"),
        k.money(sum(line.requested_cents for line in lines)),
        k.money(sum(line.approved_cents or 0 for line in lines)),
    )
    columns = (
        Column(t("common.fiscal_year")),
        Column(t("common.requested"), numeric=True),
        Column(t("common.approved"), numeric=True),
    )
    return Table(columns, rows, footer=footer)


def _share(approved: int, requested: int, language: str) -> str:
    bps = approved * 10_000 // requested if requested else 0
    return format_bps(bps, language)


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``approver_name``, ``screening_officer_name``, ``coordinator_name`` (str)."""
    k = kit(ctx)
    t, grant, fund = k.t, ctx.grant, ctx.fund
    approver = detail(ctx, "approver_name", str)
    screener = detail(ctx, "screening_officer_name", str)
    coordinator = detail(ctx, "coordinator_name", str)
    approved = require_approved(ctx)
    header = KeyValues(
        (
            (t("memo.to"), t("memo.to_value", reference=grant.reference)),
            (t("memo.from"), approver),
            (t("memo.subject"), t("memo.subject_value", organisation=k.organisation)),
        )
    )
    summary = KeyValues(
        grant_rows(k)
        + (
            (t("common.business_number"), ctx.organisation.business_number),
            (t("common.project_period"), k.period(grant.start_date, grant.end_date)),
        )
    )
    decision = t(
        "memo.decision_text",
        approved=k.money(approved),
        requested=k.money(grant.requested_cents),
        share=_share(approved, grant.requested_cents, ctx.language),
    )
    duties_rows = KeyValues(
        (
            (t("memo.screening"), screener),
            (t("memo.coordinator"), coordinator),
            (t("memo.approver"), approver),
        )
    )
    if approver not in (screener, coordinator):
        duties = Paragraph(t("memo.duties_met"))
    else:
        duties = Notice(
            t("memo.duties_breach"), title=t("memo.duties_breach_title"), tone="important"
        )
    risk = KeyValues(
        (
            (t("memo.risk_rating"), t(f"risk.{grant.risk_rating}")),
            (t("memo.initial"), t("memo.share_of_approved", share=k.bps(fund.initial_payment_bps))),
            (t("memo.holdback"), t("memo.share_of_approved", share=k.bps(fund.holdback_bps))),
            (t("memo.instalments"), k.count(len(ctx.instalments))),
        )
    )
    conditions = (
        ClauseList(tuple(Clause(f"{n}.", text) for n, text in enumerate(grant.conditions, 1)))
        if grant.conditions
        else Paragraph(t("memo.no_conditions"))
    )
    blocks = (
        header,
        Heading(2, t("memo.decision")),
        Paragraph(decision),
        summary,
        Heading(2, t("memo.budget")),
        _budget(k),
        Heading(2, t("memo.duties")),
        duties_rows,
        duties,
        Heading(2, t("memo.risk")),
        risk,
        Paragraph(t("memo.risk_note")),
        Heading(2, t("memo.conditions")),
        conditions,
        SignatureBlock(
            party=t("memo.approved_by"),
            name=approver,
            title=t("memo.approver"),
            signed_on=k.date(ctx.issued_at),
        ),
    )
    return document(
        k,
        template_version=TEMPLATE_VERSION,
        blocks=blocks,
        marking=t("memo.marking"),
        letter=False,
    )
