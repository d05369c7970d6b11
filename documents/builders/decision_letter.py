"""Decision letter: the offer of funding, its conditions and how to accept it."""

from __future__ import annotations

from datetime import date

from documents.builders.common import (
    closing,
    detail,
    document,
    grant_summary,
    kit,
    require_approved,
    salutation,
    subject,
)
from documents.content import Clause, ClauseList, DocumentContent, Heading, Paragraph
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``offer_expires_on`` (date)."""
    k = kit(ctx)
    t, grant = k.t, ctx.grant
    approved = require_approved(ctx)
    expires = detail(ctx, "offer_expires_on", date)
    conditions = tuple(Clause(f"{n}.", text) for n, text in enumerate(grant.conditions, 1))
    condition_blocks = (
        (Paragraph(t("decision.conditions_intro")), ClauseList(conditions))
        if conditions
        else (Paragraph(t("decision.no_conditions")),)
    )
    steps = tuple(Clause(f"{n}.", t(f"decision.sign{n}")) for n in range(1, 5))
    blocks = (
        subject(k, "decision.subject"),
        salutation(k),
        Paragraph(t("decision.intro", approved=k.money(approved))),
        grant_summary(
            k,
            (t("common.requested"), k.money(grant.requested_cents)),
            (t("common.approved"), k.money(approved)),
            (t("common.project_period"), k.period(grant.start_date, grant.end_date)),
            (t("decision.offer_expires"), k.date(expires)),
        ),
        Heading(2, t("decision.conditions")),
        *condition_blocks,
        Paragraph(t("decision.insurance", insurance=k.money(ctx.fund.insurance_minimum_cents))),
        Heading(2, t("decision.sign_heading")),
        ClauseList(steps),
        Paragraph(t("decision.expiry", date=k.date(expires)), emphasis=True),
        Heading(2, t("decision.feedback_heading")),
        Paragraph(t("decision.feedback")),
        Paragraph(t("decision.congrats")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
