"""Deficiency notice: what an application lacks and the date by which to provide it."""

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
from documents.content import Clause, ClauseList, DocumentContent, Notice, Paragraph
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``items`` (list of str, what is missing), ``cure_by`` (date)."""
    k = kit(ctx)
    t = k.t
    items = detail(ctx, "items", list)
    if not items or not all(isinstance(item, str) for item in items):
        raise DocumentDataError("deficiency_notice: details['items'] must list missing items")
    cure_by = detail(ctx, "cure_by", date)
    days = (cure_by - k.issued_on).days
    cure = t("def.cure", cure_by=k.date(cure_by))
    if days > 0:
        cure = f"{cure} {t('def.cure_days', days=days)}"
    blocks = (
        subject(k, "def.subject"),
        salutation(k),
        Paragraph(t("def.intro")),
        ClauseList(tuple(Clause(f"{n}.", item) for n, item in enumerate(items, 1))),
        Paragraph(cure, emphasis=True),
        Paragraph(t("def.consequence")),
        Paragraph(t("def.how", reference=ctx.grant.reference)),
        Notice(t("def.extension"), title=t("def.extension_title"), tone="important"),
        grant_summary(k),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
