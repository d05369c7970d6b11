"""Payment authorization: finance's record that an instalment may be paid (staff only)."""

from __future__ import annotations

from documents.builders.common import (
    detail,
    document,
    grant_rows,
    instalment,
    kit,
    optional_detail,
    require_approved,
)
from documents.content import DocumentContent, Heading, KeyValues, Notice, Paragraph
from documents.context import DocumentContext

AUDIENCE = "staff"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``instalment_sequence`` (int), ``initiated_by`` (str), ``released_by`` (str|None).

    Paid-to-date counts the other instalments in state ``released``.
    """
    k = kit(ctx)
    t = k.t
    sequence = detail(ctx, "instalment_sequence", int)
    initiated_by = detail(ctx, "initiated_by", str)
    released_by = optional_detail(ctx, "released_by", str)
    this = instalment(ctx, sequence)
    approved = require_approved(ctx)
    paid_before = sum(
        item.amount_cents
        for item in ctx.instalments
        if item.state == "released" and item.sequence != sequence
    )
    paid_after = paid_before + this.amount_cents
    payment = KeyValues(
        grant_rows(k)
        + (
            (t("pay.payee"), ctx.organisation.legal_name),
            (t("common.business_number"), ctx.organisation.business_number),
            (
                t("pay.instalment"),
                t("pay.instalment_value", sequence=sequence, count=len(ctx.instalments)),
            ),
            (t("pay.kind"), t(f"instalment.{this.kind}")),
            (t("common.due_date"), k.date(this.due_date)),
        )
    )
    amounts = KeyValues(
        (
            (t("common.approved"), k.money(approved)),
            (t("pay.paid_before"), k.money(paid_before)),
            (t("pay.this"), k.money(this.amount_cents)),
            (t("pay.paid_after"), k.money(paid_after)),
            (t("pay.remaining"), k.money(max(approved - paid_after, 0))),
        )
    )
    people = KeyValues(
        (
            (t("pay.initiated_by"), initiated_by),
            (t("pay.released_by"), released_by or t("pay.awaiting")),
        )
    )
    if released_by is not None and released_by == initiated_by:
        duties = Notice(
            t("pay.duties_breach"), title=t("pay.duties_breach_title"), tone="important"
        )
    else:
        duties = Paragraph(t("pay.duties_met"))
    blocks = (
        Paragraph(t("pay.intro")),
        payment,
        Heading(2, t("pay.amounts")),
        amounts,
        Heading(2, t("pay.duties")),
        people,
        duties,
    )
    return document(
        k,
        template_version=TEMPLATE_VERSION,
        blocks=blocks,
        marking=t("pay.marking"),
        letter=False,
    )
