"""Report reminder, sent before a report's due date (an overdue report gets ``overdue_notice``)."""

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
from documents.content import DocumentContent, Paragraph
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "2.1.0"


def _when(k: Kit, days_before: int, due: str) -> Paragraph:
    if days_before == 0:
        return Paragraph(k.t("reminder.due_today", due=due))
    if days_before == 1:
        return Paragraph(k.t("reminder.due_tomorrow", due=due))
    return Paragraph(k.t("reminder.due_in", due=due, days=days_before))


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``report_sequence`` (int), ``days_before`` (int >= 0: days from the reminder to
    the due date; 0 = due today)."""
    k = kit(ctx)
    t = k.t
    item = report(ctx, detail(ctx, "report_sequence", int))
    days_before = detail(ctx, "days_before", int)
    if days_before < 0:
        raise DocumentDataError(
            "report_reminder: details['days_before'] must be 0 or more "
            "(an overdue report gets an overdue_notice)"
        )
    report_name = t(f"report.{item.kind}")
    due = k.date(item.due_date)
    blocks = (
        subject(k, "reminder.subject", report=report_name),
        salutation(k),
        _when(k, days_before, due),
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
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
