"""Report receipt: confirms an outcome report arrived and shows what it said."""

from __future__ import annotations

from datetime import datetime

from documents.builders.common import (
    Kit,
    closing,
    detail,
    document,
    grant_summary,
    kit,
    report,
    salutation,
    subject,
)
from documents.content import Block, Column, DocumentContent, Heading, Paragraph, Table
from documents.context import DocumentContext, ReportInfo
from models.payloads import AGGREGATE_FIELDS

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def _counts(k: Kit, item: ReportInfo) -> tuple[Block, ...]:
    t = k.t
    if not item.aggregates:
        return (Paragraph(t("receipt.no_counts")),)
    order = {key: index for index, key in enumerate(AGGREGATE_FIELDS)}
    keys = sorted(item.aggregates, key=lambda key: (order.get(key, len(order)), key))
    rows = tuple(
        (
            k.named("measure", key),
            t("receipt.count_not_reported")
            if item.aggregates[key] is None
            else k.count(item.aggregates[key]),
        )
        for key in keys
    )
    columns = (Column(t("receipt.measure")), Column(t("receipt.count"), numeric=True))
    return (Table(columns, rows),)


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``report_sequence`` (int), ``received_at`` (datetime)."""
    k = kit(ctx)
    t = k.t
    item = report(ctx, detail(ctx, "report_sequence", int))
    received_at = detail(ctx, "received_at", datetime)
    expenditure = (
        k.money(item.expenditure_cents)
        if item.expenditure_cents is not None
        else t("receipt.not_reported")
    )
    blocks = (
        subject(k, "receipt.subject"),
        salutation(k),
        Paragraph(t("receipt.intro", received=k.datetime(received_at))),
        grant_summary(
            k,
            (t("receipt.report"), t(f"report.{item.kind}")),
            (t("common.period"), k.period(item.period_start, item.period_end)),
            (t("common.due_date"), k.date(item.due_date)),
            (t("receipt.received"), k.datetime(received_at)),
            (t("receipt.expenditure"), expenditure),
        ),
        Heading(2, t("receipt.counts")),
        *_counts(k, item),
        Paragraph(t("receipt.next")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
