"""Close-out certificate: the grant is closed, with what was paid and reported."""

from __future__ import annotations

from datetime import date
from typing import Any

from documents.builders.common import Kit, detail, document, grant_rows, kit
from documents.content import DocumentContent, Heading, KeyValues, Paragraph, SignatureBlock
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.2.0"
# What the close event's ``data_return`` names (models.data_return), in the order printed.
RETURNED_ITEMS = ("review_rationale", "deliberation_notes", "conflict_notes")


def _items(k: Kit, counts: dict[str, int]) -> str:
    """The named items with a count above zero, e.g. "the panel’s rationale, conflict-of-
    interest notes (3)"; "—" when there are none."""
    names = [
        k.t(f"closeout.item.{name}", count=k.count(counts[name]))
        for name in (*RETURNED_ITEMS, "documents")
        if counts.get(name)
    ]
    return ", ".join(names) or "—"


def data_return_blocks(k: Kit, record: dict[str, Any] | None, closed_on: date) -> tuple:
    """What happened to the community's review content at close, as the close event recorded
    it; nothing for a grant closed before it was recorded."""
    if not record:
        return ()
    t, version = k.t, record.get("agreement_version") or 1
    choice = record["at_close"]
    said = t(f"closeout.data_{choice}", version=version, date=k.date(closed_on))
    if choice == "keep":
        return (Heading(2, t("closeout.data_title")), Paragraph(said))
    rows = []
    if choice == "return_and_delete":
        rows.append((t("closeout.returned"), _items(k, record.get("returned", {}))))
    rows.append((t("closeout.deleted"), _items(k, record.get("deleted", {}))))
    rows.append((t("closeout.kept"), t("closeout.kept_list")))
    return (Heading(2, t("closeout.data_title")), Paragraph(said), KeyValues(tuple(rows)))


def build(ctx: DocumentContext) -> DocumentContent:
    """details: ``closed_on`` (date), ``paid_total_cents`` (int), ``reports_accepted`` (int),
    and ``data_return`` (what models.data_return did at close; absent before it was kept)."""
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
        *data_return_blocks(k, ctx.details.get("data_return"), closed_on),
        Paragraph(t("closeout.thanks", organisation=k.organisation)),
        SignatureBlock(
            party=t("closeout.signed_for"),
            name=fund.signer_name,
            title=k.signer_title,
            signed_on=k.date(closed_on),
        ),
    )
    return document(k, template_version=TEMPLATE_VERSION, blocks=blocks)
