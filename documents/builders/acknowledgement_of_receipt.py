"""Acknowledgement of receipt: sent to the applicant when an application is submitted."""

from __future__ import annotations

from documents.builders.common import closing, document, grant_summary, kit, salutation, subject
from documents.content import Clause, ClauseList, DocumentContent, Heading, Notice, Paragraph
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """Receipt, reference, submitted date, amount requested, next steps and privacy notice."""
    k = kit(ctx)
    t, grant = k.t, ctx.grant
    submitted = grant.submitted_at or ctx.issued_at
    steps = tuple(Clause(f"{n}.", t(f"ack.step{n}")) for n in range(1, 5))
    blocks = (
        subject(k, "ack.subject"),
        salutation(k),
        Paragraph(t("ack.body", organisation=k.organisation, submitted=k.datetime(submitted))),
        grant_summary(
            k,
            (t("common.submitted"), k.datetime(submitted)),
            (t("common.requested"), k.money(grant.requested_cents)),
            (t("common.project_period"), k.period(grant.start_date, grant.end_date)),
        ),
        Heading(2, t("ack.next")),
        ClauseList(steps),
        Paragraph(t("ack.standard")),
        Paragraph(t("ack.quote", reference=grant.reference)),
        *closing(k),
        Notice(t("privacy.text"), title=t("privacy.title")),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
