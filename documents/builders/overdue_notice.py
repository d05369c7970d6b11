"""Overdue report notice: the report is late, which instalments are on hold, and what resumes
them (the report submitted and accepted)."""

from __future__ import annotations

from documents.builders.common import (
    Kit,
    closing,
    detail,
    document,
    grant_summary,
    instalment,
    kit,
    report,
    salutation,
    subject,
)
from documents.content import Block, Column, DocumentContent, Notice, Paragraph, Table
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.1.0"


def held_sequences(ctx: DocumentContext) -> tuple[int, ...]:
    """``details['held_instalments']``: instalment numbers of the plan, sorted, each once."""
    held = detail(ctx, "held_instalments", list)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in held):
        raise DocumentDataError(
            "overdue_notice: details['held_instalments'] must list instalment numbers (int)"
        )
    return tuple(sorted(set(held)))


def numbers(k: Kit, sequences: tuple[int, ...]) -> str:
    """``3``, ``3 and 4``, ``3, 4 and 5`` (``3 et 4`` in French)."""
    words = [str(n) for n in sequences]
    if len(words) == 1:
        return words[0]
    return k.t("overdue.and", first=", ".join(words[:-1]), last=words[-1])


def _hold(k: Kit, held: tuple[int, ...]) -> tuple[Block, ...]:
    t = k.t
    if not held:
        text = f"{t('overdue.rule')} {t('overdue.held_none')}"
        return (Notice(text, title=t("overdue.hold_title"), tone="important"),)
    key = "overdue.held_one" if len(held) == 1 else "overdue.held_many"
    text = f"{t('overdue.rule')} {t(key, numbers=numbers(k, held))}"
    rows = tuple(
        (
            str(item.sequence),
            t(f"instalment.{item.kind}"),
            k.date(item.due_date),
            k.money(item.amount_cents),
        )
        for item in (instalment(k.ctx, n) for n in held)
    )
    columns = (
        Column(t("common.number")),
        Column(t("pay.kind")),
        Column(t("common.due_date")),
        Column(t("common.amount"), numeric=True),
    )
    return (
        Notice(text, title=t("overdue.hold_title"), tone="important"),
        Table(columns, rows, caption=t("overdue.held_caption")),
        Paragraph(t("overdue.resume"), emphasis=True),
    )


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``report_sequence`` (int), ``days_overdue`` (int >= 1), ``held_instalments``
    (list of int: the instalments put on hold; may be empty)."""
    k = kit(ctx)
    t = k.t
    item = report(ctx, detail(ctx, "report_sequence", int))
    days = detail(ctx, "days_overdue", int)
    if days < 1:
        raise DocumentDataError(
            "overdue_notice: details['days_overdue'] must be 1 or more "
            "(a report not yet late gets a report_reminder)"
        )
    held = held_sequences(ctx)
    report_name = t(f"report.{item.kind}")
    due = k.date(item.due_date)
    late = t("overdue.late_one", due=due) if days == 1 else t("overdue.late", due=due, days=days)
    blocks = (
        subject(k, "overdue.subject", report=report_name),
        salutation(k),
        Paragraph(late, emphasis=True),
        grant_summary(
            k,
            (t("receipt.report"), report_name),
            (t("common.period"), k.period(item.period_start, item.period_end)),
            (t("common.due_date"), due),
            (t("overdue.days"), k.count(days)),
        ),
        *_hold(k, held),
        Paragraph(t("reminder.how")),
        Paragraph(t("reminder.help")),
        *closing(k),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
