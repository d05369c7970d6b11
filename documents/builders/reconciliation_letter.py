"""Reconciliation letter: payments against reported expenditure, with any repayment notice."""

from __future__ import annotations

from datetime import date

from documents.builders.common import (
    Kit,
    closing,
    detail,
    document,
    grant_summary,
    kit,
    optional_detail,
    require_approved,
    salutation,
    subject,
)
from documents.content import Block, Column, DocumentContent, Heading, Notice, Paragraph, Table
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.0.0"


def _repayment(k: Kit, amount: int, due_by: date | None) -> tuple[Block, ...]:
    t = k.t
    if amount <= 0:
        return (Paragraph(t("recon.no_repayment"), emphasis=True),)
    if due_by is None:
        demand = t("recon.repayment_no_date", amount=k.money(amount))
    else:
        demand = t("recon.repayment", amount=k.money(amount), date=k.date(due_by))
    how = t("recon.repayment_how", fund=k.fund_name, reference=k.ctx.grant.reference)
    return (
        Heading(2, t("recon.repayment_heading")),
        Notice(demand, tone="important"),
        Paragraph(how),
    )


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``paid_cents``, ``reported_expenditure_cents``, ``unspent_cents``,
    ``repayment_due_cents``, ``holdback_cents`` (int) and ``repayment_due_by`` (date|None)."""
    k = kit(ctx)
    t = k.t
    paid = detail(ctx, "paid_cents", int)
    expenditure = detail(ctx, "reported_expenditure_cents", int)
    unspent = detail(ctx, "unspent_cents", int)
    repayment = detail(ctx, "repayment_due_cents", int)
    due_by = optional_detail(ctx, "repayment_due_by", date)
    holdback = detail(ctx, "holdback_cents", int)
    rows = (
        (t("recon.approved"), k.money(require_approved(ctx))),
        (t("recon.paid"), k.money(paid)),
        (t("recon.expenditure"), k.money(expenditure)),
        (t("recon.unspent"), k.money(unspent)),
        (t("recon.holdback"), k.money(holdback)),
    )
    columns = (Column(t("recon.item")), Column(t("common.amount"), numeric=True))
    table = Table(columns, rows, footer=(t("recon.repayment_due"), k.money(repayment)))
    holdback_note: tuple[Block, ...] = (
        (Paragraph(t("recon.holdback_note", amount=k.money(holdback))),) if holdback > 0 else ()
    )
    blocks = (
        subject(k, "recon.subject"),
        salutation(k),
        Paragraph(t("recon.intro")),
        grant_summary(k),
        table,
        *_repayment(k, repayment, due_by),
        *holdback_note,
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
