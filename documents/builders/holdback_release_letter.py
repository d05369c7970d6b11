"""Holdback letter at close: the holdback released after the final report was accepted, as
much of it as the close-out netting left payable; or, when nothing was payable, a plain notice
that it is withheld."""

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
    salutation,
    subject,
)
from documents.content import Block, Column, DocumentContent, Notice, Paragraph, Table
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.2.0"


def _intro(k: Kit, planned: int, released: int, withheld: int, on: date | None) -> str:
    t, money = k.t, k.money
    if planned <= 0:
        return t("holdback.intro_none")
    if released <= 0:
        return t("holdback.intro_withheld", amount=money(planned))
    if on is None:
        raise DocumentDataError(f"{k.ctx.kind}: details['released_on'] is required")
    if withheld <= 0:
        return t("holdback.intro", amount=money(released), date=k.date(on))
    return t(
        "holdback.intro_part",
        planned=money(planned),
        payable=money(released),
        withheld=money(withheld),
        date=k.date(on),
    )


def _repayment(k: Kit, amount: int, due_by: date | None) -> tuple[Block, ...]:
    t = k.t
    if amount <= 0:
        return (Paragraph(t("recon.no_repayment")),)
    if due_by is None:
        return (Notice(t("holdback.repayment_no_date", amount=k.money(amount)), tone="important"),)
    text = t("holdback.repayment", amount=k.money(amount), date=k.date(due_by))
    return (Notice(text, tone="important"),)


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``approved_cents``, ``paid_cents`` (regular instalments released),
    ``reported_expenditure_cents``, ``holdback_planned_cents``, ``holdback_released_cents``,
    ``holdback_withheld_cents``, ``paid_total_cents``, ``repayment_due_cents`` (int);
    ``released_on`` and ``repayment_due_by`` (date|None)."""
    k = kit(ctx)
    t = k.t
    approved = detail(ctx, "approved_cents", int)
    paid = detail(ctx, "paid_cents", int)
    expenditure = detail(ctx, "reported_expenditure_cents", int)
    planned = detail(ctx, "holdback_planned_cents", int)
    released = detail(ctx, "holdback_released_cents", int)
    withheld = detail(ctx, "holdback_withheld_cents", int)
    paid_total = detail(ctx, "paid_total_cents", int)
    repayment = detail(ctx, "repayment_due_cents", int)
    released_on = optional_detail(ctx, "released_on", date)
    due_by = optional_detail(ctx, "repayment_due_by", date)
    rows = (
        (t("recon.approved"), k.money(approved)),
        (t("holdback.paid_before"), k.money(paid)),
        (t("recon.expenditure"), k.money(expenditure)),
        (t("recon.holdback_planned"), k.money(planned)),
        (t("holdback.released"), k.money(released)),
        (t("recon.holdback_withheld"), k.money(withheld)),
        (t("holdback.paid_total"), k.money(paid_total)),
    )
    if approved > paid_total:
        rows += ((t("holdback.unpaid"), k.money(approved - paid_total)),)
    columns = (Column(t("recon.item")), Column(t("common.amount"), numeric=True))
    withheld_in_full = planned > 0 and released <= 0
    blocks = (
        subject(k, "holdback.subject_withheld" if withheld_in_full else "holdback.subject"),
        salutation(k),
        Paragraph(_intro(k, planned, released, withheld, released_on)),
        grant_summary(k),
        Table(columns, rows, footer=(t("recon.repayment_due"), k.money(repayment))),
        *_repayment(k, repayment, due_by),
        Paragraph(t("holdback.next")),
        Paragraph(t("holdback.thanks")),
        *closing(k),
    )
    title = t("holdback.title_withheld") if withheld_in_full else None
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks, title=title)
