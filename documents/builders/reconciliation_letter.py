"""Reconciliation letter: payments against reported expenditure, the holdback netted against
them (planned, payable, withheld) and any repayment notice."""

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
TEMPLATE_VERSION = "1.2.0"


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


def _holdback(k: Kit) -> tuple[Block, ...]:
    """What happens to the holdback, in the words of the netting rule."""
    t, ctx = k.t, k.ctx
    planned = detail(ctx, "holdback_planned_cents", int)
    if planned <= 0:
        return (Paragraph(t("recon.holdback_none")),)
    payable = detail(ctx, "holdback_payable_cents", int)
    withheld = detail(ctx, "holdback_withheld_cents", int)
    released = optional_detail(ctx, "holdback_released_cents", int) or 0
    terminated = optional_detail(ctx, "terminated", bool) or False
    sentences = []
    if released:
        sentences.append(
            t("recon.holdback_released", planned=k.money(planned), released=k.money(released))
        )
    if payable > released:
        if withheld == 0:
            sentences.append(t("recon.holdback_payable_full", amount=k.money(planned)))
        else:
            sentences.append(
                t(
                    "recon.holdback_payable_part",
                    payable=k.money(payable),
                    planned=k.money(planned),
                )
            )
    if withheld > 0:
        if payable == 0 and terminated:
            sentences.append(t("recon.holdback_withheld_terminated", amount=k.money(planned)))
        elif payable == 0:
            sentences.append(t("recon.holdback_withheld_all", amount=k.money(planned)))
        else:
            sentences.append(t("recon.holdback_withheld_rest", amount=k.money(withheld)))
    return (
        Heading(2, t("recon.holdback_heading")),
        Paragraph(t("recon.holdback_rule")),
        Paragraph(" ".join(sentences)),
    )


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``paid_cents`` (regular instalments released), ``reported_expenditure_cents``,
    ``unspent_cents``, ``holdback_planned_cents``, ``holdback_payable_cents``,
    ``holdback_withheld_cents``, ``repayment_due_cents`` (int); ``holdback_released_cents``
    (int), ``terminated`` (bool: the agreement ended early) and ``repayment_due_by``
    (date|None), all optional."""
    k = kit(ctx)
    t = k.t
    paid = detail(ctx, "paid_cents", int)
    expenditure = detail(ctx, "reported_expenditure_cents", int)
    unspent = detail(ctx, "unspent_cents", int)
    repayment = detail(ctx, "repayment_due_cents", int)
    due_by = optional_detail(ctx, "repayment_due_by", date)
    rows = (
        (t("recon.approved"), k.money(require_approved(ctx))),
        (t("recon.paid"), k.money(paid)),
        (t("recon.expenditure"), k.money(expenditure)),
        (t("recon.unspent"), k.money(unspent)),
        (t("recon.holdback_planned"), k.money(detail(ctx, "holdback_planned_cents", int))),
        (t("recon.holdback_payable"), k.money(detail(ctx, "holdback_payable_cents", int))),
        (t("recon.holdback_withheld"), k.money(detail(ctx, "holdback_withheld_cents", int))),
    )
    columns = (Column(t("recon.item")), Column(t("common.amount"), numeric=True))
    table = Table(columns, rows, footer=(t("recon.repayment_due"), k.money(repayment)))
    blocks = (
        subject(k, "recon.subject"),
        salutation(k),
        Paragraph(t("recon.intro")),
        grant_summary(k),
        table,
        *_repayment(k, repayment, due_by),
        *_holdback(k),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
