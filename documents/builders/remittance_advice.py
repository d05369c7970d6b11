"""Remittance advice: tells the recipient that an instalment was paid."""

from __future__ import annotations

from datetime import date

from documents.builders.common import (
    closing,
    detail,
    document,
    grant_summary,
    instalment,
    kit,
    salutation,
    subject,
)
from documents.content import DocumentContent, Paragraph
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``instalment_sequence`` (int), ``released_on`` (date),
    ``paid_to_date_cents`` (int), ``remaining_cents`` (int)."""
    k = kit(ctx)
    t = k.t
    sequence = detail(ctx, "instalment_sequence", int)
    released_on = detail(ctx, "released_on", date)
    paid_to_date = detail(ctx, "paid_to_date_cents", int)
    remaining = detail(ctx, "remaining_cents", int)
    this = instalment(ctx, sequence)
    blocks = (
        subject(k, "remit.subject"),
        salutation(k),
        Paragraph(t("remit.intro")),
        grant_summary(
            k,
            (
                t("pay.instalment"),
                t("pay.instalment_value", sequence=sequence, count=len(ctx.instalments)),
            ),
            (t("pay.kind"), t(f"instalment.{this.kind}")),
            (t("remit.released_on"), k.date(released_on)),
            (t("remit.amount"), k.money(this.amount_cents)),
            (t("remit.paid_to_date"), k.money(paid_to_date)),
            (t("remit.remaining"), k.money(remaining)),
        ),
        Paragraph(t("remit.records")),
        Paragraph(t("remit.check")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
