"""Holdback release letter: the holdback paid after the final report was accepted."""

from __future__ import annotations

from datetime import date

from documents.builders.common import (
    closing,
    detail,
    document,
    grant_summary,
    kit,
    salutation,
    subject,
)
from documents.content import Column, DocumentContent, Paragraph, Table
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.0.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``holdback_cents``, ``paid_total_cents``, ``approved_cents`` (int),
    ``released_on`` (date)."""
    k = kit(ctx)
    t = k.t
    holdback = detail(ctx, "holdback_cents", int)
    released_on = detail(ctx, "released_on", date)
    paid_total = detail(ctx, "paid_total_cents", int)
    approved = detail(ctx, "approved_cents", int)
    rows = (
        (t("recon.approved"), k.money(approved)),
        (t("holdback.released"), k.money(holdback)),
        (t("holdback.paid_total"), k.money(paid_total)),
    )
    if approved > paid_total:
        rows += ((t("holdback.unpaid"), k.money(approved - paid_total)),)
    columns = (Column(t("recon.item")), Column(t("common.amount"), numeric=True))
    blocks = (
        subject(k, "holdback.subject"),
        salutation(k),
        Paragraph(t("holdback.intro", amount=k.money(holdback), date=k.date(released_on))),
        grant_summary(k),
        Table(columns, rows),
        Paragraph(t("holdback.next")),
        Paragraph(t("holdback.thanks")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
