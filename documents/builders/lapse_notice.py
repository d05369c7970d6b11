"""Notice of lapsed offer: the offer was not signed by its deadline, so it lapsed and its funds
went back to the fund's allocation."""

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
from documents.content import DocumentContent, Paragraph
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``offer_expires_on`` (date), ``released_commitment_cents`` (int: what went back
    to the fund's allocation). Also reads ``grant.approved_cents`` (required) and
    ``grant.decided_at`` (shown when known)."""
    k = kit(ctx)
    t = k.t
    expires = k.date(detail(ctx, "offer_expires_on", date))
    released = k.money(detail(ctx, "released_commitment_cents", int))
    approved = k.money(require_approved(ctx))
    decided_at = ctx.grant.decided_at
    if decided_at is None:
        offer = t("lapse.offer", approved=approved)
        decided_row: tuple[tuple[str, str], ...] = ()
    else:
        offer = t("lapse.offer_on", decided=k.date(decided_at), approved=approved)
        decided_row = ((t("lapse.decided"), k.date(decided_at)),)
    blocks = (
        subject(k, "lapse.subject"),
        salutation(k),
        Paragraph(offer),
        Paragraph(t("lapse.not_signed", expires=expires), emphasis=True),
        grant_summary(
            k,
            (t("common.approved"), approved),
            *decided_row,
            (t("lapse.deadline"), expires),
            (t("lapse.released"), released),
        ),
        Paragraph(t("lapse.funds", released=released)),
        Paragraph(t("lapse.future")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
