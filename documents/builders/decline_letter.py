"""Decline letter: a respectful decision, its reason and an offer of a conversation."""

from __future__ import annotations

from documents.builders.common import (
    closing,
    detail,
    document,
    grant_summary,
    kit,
    paragraphs,
    salutation,
    subject,
)
from documents.content import DocumentContent, Heading, Paragraph
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"

STAGES = ("screening", "approval")


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``reason`` (str), ``stage`` ("screening" or "approval")."""
    k = kit(ctx)
    t = k.t
    reason = detail(ctx, "reason", str)
    stage = detail(ctx, "stage", str)
    if stage not in STAGES:
        raise DocumentDataError(f"decline_letter: details['stage'] must be one of {STAGES}")
    blocks = (
        subject(k, "decline.subject"),
        salutation(k),
        Paragraph(t("decline.thanks")),
        Paragraph(t(f"decline.{stage}")),
        grant_summary(k, (t("common.requested"), k.money(ctx.grant.requested_cents))),
        Heading(2, t("decline.reason_heading")),
        *paragraphs(reason),
        Heading(2, t("decline.feedback_heading")),
        Paragraph(t("decline.feedback")),
        Paragraph(t("decline.future")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
