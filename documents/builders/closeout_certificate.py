"""Close-out certificate: the grant is closed, with what was paid and reported."""

from __future__ import annotations

from datetime import date

from documents.builders.common import detail, document, grant_rows, kit
from documents.content import DocumentContent, KeyValues, Paragraph, SignatureBlock
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``closed_on`` (date), ``paid_total_cents`` (int), ``reports_accepted`` (int)."""
    k = kit(ctx)
    t, grant, fund = k.t, ctx.grant, ctx.fund
    closed_on = detail(ctx, "closed_on", date)
    total_paid = detail(ctx, "paid_total_cents", int)
    reports_accepted = detail(ctx, "reports_accepted", int)
    approved = grant.approved_cents
    facts = KeyValues(
        grant_rows(k)
        + (
            (t("common.project_period"), k.period(grant.start_date, grant.end_date)),
            (t("common.approved"), k.money(approved) if approved is not None else "—"),
            (t("closeout.total_paid"), k.money(total_paid)),
            (t("closeout.reports_accepted"), k.count(reports_accepted)),
            (t("closeout.closed_on"), k.date(closed_on)),
        )
    )
    blocks = (
        Paragraph(t("closeout.certifies", date=k.date(closed_on)), emphasis=True),
        facts,
        Paragraph(t("closeout.records", years=fund.records_retention_years)),
        Paragraph(t("closeout.thanks", organisation=k.organisation)),
        SignatureBlock(
            party=t("closeout.signed_for"),
            name=fund.signer_name,
            title=k.signer_title,
            signed_on=k.date(closed_on),
        ),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
