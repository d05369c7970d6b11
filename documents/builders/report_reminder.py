"""Report reminder before the due date, or overdue notice (with the payment pause) after it."""

from __future__ import annotations

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
from documents.content import Block, DocumentContent, Notice, Paragraph
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.0.0"


def _status(k: Kit, days_overdue: int, due: str) -> tuple[Block, ...]:
    t = k.t
    if days_overdue > 0:
        key = "reminder.overdue_one" if days_overdue == 1 else "reminder.overdue"
        return (
            Paragraph(t(key, due=due, days=days_overdue), emphasis=True),
            Notice(t("reminder.pause"), title=t("reminder.pause_title"), tone="important"),
        )
    days_left = -days_overdue
    if days_left == 0:
        return (Paragraph(t("reminder.due_today", due=due)),)
    if days_left == 1:
        return (Paragraph(t("reminder.due_tomorrow", due=due)),)
    return (Paragraph(t("reminder.due_in", due=due, days=days_left)),)


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``report_sequence`` (int), ``days_overdue`` (int; 0 or less = before due)."""
    k = kit(ctx)
    t = k.t
    item = report(ctx, detail(ctx, "report_sequence", int))
    days_overdue = detail(ctx, "days_overdue", int)
    report_name = t(f"report.{item.kind}")
    due = k.date(item.due_date)
    blocks = (
        subject(k, "reminder.subject", report=report_name),
        salutation(k),
        *_status(k, days_overdue, due),
        grant_summary(
            k,
            (t("receipt.report"), report_name),
            (t("common.period"), k.period(item.period_start, item.period_end)),
            (t("common.due_date"), due),
        ),
        Paragraph(t("reminder.how")),
        Paragraph(t("reminder.help")),
        *closing(k),
    )
    title = t("reminder.title_overdue") if days_overdue > 0 else None
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks, title=title)
