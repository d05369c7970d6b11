"""The audit dossier's PDF report: the grant, its decisions, payments and review process, its
documents with their SHA-256, the verification of the whole log and what was withheld.

An audit document kind (``documents.registry.AUDIT_KINDS``): built from a dossier's
:class:`~documents.audit.evidence.Evidence` when an auditor exports it, never by a lifecycle
action. English (``documents/text/en_audit.py``); times in America/Toronto.
"""

from __future__ import annotations

from datetime import UTC, datetime

from documents.audit.dossier_texts import withheld_paragraphs
from documents.audit.evidence import Evidence
from documents.builders.common import labels_from, normalise
from documents.content import (
    Block,
    Column,
    DocumentContent,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    Table,
)
from documents.formatting import format_date, format_datetime, format_decimal, format_money
from documents.formatting import to_toronto as toronto
from documents.text import Catalogue, audit_catalogue, catalogue
from models.audit import Verification
from models.clock import as_utc, utcnow
from models.review import criterion_means
from models.visibility import dossier_shows_panel_means

TEMPLATE_VERSION = "1.1.0"
KIND = "audit_dossier"


def when(moment: datetime) -> str:
    """An instant in America/Toronto, compact and unambiguous: ``2026-05-01 14:05:03 EDT``."""
    return toronto(as_utc(moment)).strftime("%Y-%m-%d %H:%M:%S %Z")


def verification_text(v: Verification) -> str:
    """The verification result as one sentence (the report's and the CLI's wording)."""
    t = audit_catalogue()
    counted = t(
        "audit.counted",
        events=v.events_checked,
        documents=v.documents_checked,
        checkpoints=v.checkpoints_checked,
    )
    if v.intact:
        return t("audit.intact", counted=counted)
    return t("audit.failed", failure=v.failure, counted=counted)


def _size(size: int) -> str:
    return f"{size:,} B" if size < 10_000 else f"{size / 1024:,.1f} KiB"


def _timeline(t: Catalogue, evidence: Evidence) -> tuple[Block, ...]:
    decisions = [e for e in evidence.events if e.action != "document_stored"]
    stored = len(evidence.events) - len(decisions)
    rows = []
    for event in decisions:
        action = (
            event.action if event.outcome == "applied" else t("audit.denied", action=event.action)
        )
        if event.rule:
            action += f" ({event.rule})"
        change = f"{event.from_state or '–'} → {event.to_state or '–'}"
        if event.subject != "grant":
            change = f"{event.subject} {event.subject_id}: {change}"
        rows.append(
            (
                when(event.occurred_at),
                t("audit.event", action=action, id=event.id),
                t("audit.actor", name=event.actor_name, role=event.role),
                change,
                event.flow_run_id or "–",
            )
        )
    columns = tuple(
        Column(t(f"audit.col.{key}")) for key in ("when", "action", "who", "change", "flow_run")
    )
    return (
        Heading(2, t("audit.timeline")),
        Paragraph(t("audit.timeline_intro", decisions=len(decisions), stored=stored)),
        Table(columns, tuple(rows)),
    )


def _payments(t: Catalogue, evidence: Evidence) -> tuple[Block, ...]:
    instalments, names = evidence.facts.instalments, evidence.facts.user_names
    if not instalments:
        return (Heading(2, t("audit.payments")), Paragraph(t("audit.no_instalments")))
    rows = []
    for i in instalments:
        released = (
            t(
                "audit.released_by",
                when=when(i.released_at),
                name=names.get(i.released_by_id, i.released_by_id),  # type: ignore[arg-type]
            )
            if i.released_at
            else "–"
        )
        rows.append(
            (
                str(i.sequence),
                i.kind,
                format_date(i.due_date, "en"),
                format_money(i.amount_cents, "en"),
                i.state,
                released,
            )
        )
    released_total = sum(i.amount_cents for i in instalments if i.state == "released")
    columns = (
        Column(t("audit.col.number")),
        Column(t("audit.col.kind")),
        Column(t("audit.col.due")),
        Column(t("audit.col.amount"), numeric=True),
        Column(t("audit.col.state")),
        Column(t("audit.col.released")),
    )
    footer = ("", t("audit.released_total"), "", format_money(released_total, "en"), "", "")
    intro = t(
        "audit.payments_intro",
        released=sum(1 for i in instalments if i.state == "released"),
        count=len(instalments),
        released_amount=format_money(released_total, "en"),
        scheduled=format_money(sum(i.amount_cents for i in instalments), "en"),
    )
    return (
        Heading(2, t("audit.payments")),
        Paragraph(intro),
        Table(columns, tuple(rows), footer=footer),
    )


def _review(t: Catalogue, evidence: Evidence) -> tuple[Block, ...]:
    grant = evidence.grant
    scores, assignments = evidence.facts.review_scores, evidence.facts.review_assignments
    if not assignments and not scores:
        return ()
    conflicts = sum(1 for a in assignments if a.conflict in ("direct", "indirect"))
    means = criterion_means(list(scores))
    blocks: list[Block] = [
        Heading(2, t("audit.review")),
        KeyValues(
            (
                (t("audit.panel_assigned"), str(len(assignments))),
                (t("audit.panel_scored"), str(len({s.reviewer_id for s in scores}))),
                (t("audit.conflicts"), str(conflicts)),
                (t("audit.consensus"), str(grant.consensus_rating or t("audit.not_recorded"))),
            )
        ),
    ]
    # Individual scores never leave the panel (models.visibility); panel means may.
    if means and dossier_shows_panel_means():
        criteria = catalogue("en")
        rows = tuple(
            (
                criteria(f"criterion.{c}") if criteria.has(f"criterion.{c}") else c,
                format_decimal(mean, "en", 1),
            )
            for c, mean in means
        )
        columns = (
            Column(t("audit.col.criterion")),
            Column(t("audit.col.panel_mean"), numeric=True),
        )
        blocks.append(Table(columns, rows))
    return tuple(blocks)


def _documents(t: Catalogue, evidence: Evidence) -> tuple[Block, ...]:
    if not evidence.documents:
        return (Heading(2, t("audit.documents")), Paragraph(t("audit.no_documents")))
    listing, hashes = [], []
    for number, d in enumerate(evidence.documents, 1):
        member = evidence.document_files.get(d.id)  # type: ignore[arg-type]
        altered = d.id in evidence.altered_documents
        absent = t("audit.altered_file" if altered else "audit.missing_file", filename=d.filename)
        name = member if member else absent
        kind = t(
            "audit.document_kind",
            kind=d.kind,
            version=d.version,
            format=d.format,
            language=d.language,
        )
        listing.append((str(number), name, kind, _size(d.size_bytes)))
        hashes.append((str(number), d.sha256))
    listing_columns = (
        Column(t("audit.col.number")),
        Column(t("audit.col.file")),
        Column(t("audit.col.kind_format")),
        Column(t("audit.col.size"), numeric=True),
    )
    hash_columns = (Column(t("audit.col.number")), Column(t("audit.col.sha256")))
    return (
        Heading(2, t("audit.documents")),
        Paragraph(t("audit.documents_intro")),
        Table(listing_columns, tuple(listing)),
        Table(hash_columns, tuple(hashes), caption=t("audit.sha256_caption")),
    )


def _verification(t: Catalogue, evidence: Evidence) -> tuple[Block, ...]:
    v = evidence.verification
    head, fresh = evidence.head, evidence.fresh
    blocks: list[Block] = [
        Heading(2, t("audit.verification")),
        Notice(
            verification_text(v), title=t("audit.result"), tone="info" if v.intact else "important"
        ),
        KeyValues(
            (
                (t("audit.events_checked"), f"{v.events_checked:,}"),
                (t("audit.documents_checked"), f"{v.documents_checked:,}"),
                (t("audit.checkpoints_checked"), f"{v.checkpoints_checked:,}"),
            )
        ),
        Paragraph(t("audit.root_now")),
        Paragraph(v.root),
    ]
    if v.failures[1:]:
        blocks.append(Paragraph(t("audit.further_failures", failures="; ".join(v.failures[1:]))))
    if evidence.checkpoint_refused:
        blocks.append(
            Notice(
                evidence.checkpoint_refused, title=t("audit.checkpoint_refused"), tone="important"
            )
        )
    proven_by_head = sum(1 for i in evidence.indices if head is not None and i < head.size)
    if head is not None:
        blocks += [
            Paragraph(
                t(
                    "audit.proven_by_head",
                    proven=proven_by_head,
                    size=f"{head.size:,}",
                    when=when(datetime.fromisoformat(head.at)),
                )
            ),
            Paragraph(head.root),
        ]
    if fresh is not None:
        blocks += [
            Paragraph(
                t(
                    "audit.proven_by_fresh",
                    pending=len(evidence.indices) - proven_by_head,
                    size=f"{fresh.size:,}",
                    when=when(datetime.fromisoformat(fresh.at)),
                )
            ),
            Paragraph(fresh.root),
        ]
    return tuple(blocks)


def _grant_summary(t: Catalogue, evidence: Evidence) -> KeyValues:
    grant = evidence.grant
    period = t(
        "audit.period_value",
        start=format_date(grant.start_date, "en"),
        end=format_date(grant.end_date, "en"),
    )
    approved = format_money(grant.approved_cents, "en") if grant.approved_cents else "–"
    return KeyValues(
        (
            (t("audit.reference"), grant.reference),
            (t("audit.organisation"), evidence.organisation.legal_name),
            (t("audit.project_title"), grant.project_title),
            (t("audit.community"), grant.community),
            (t("audit.state"), grant.state),
            (t("audit.requested"), format_money(grant.requested_cents, "en")),
            (t("audit.approved"), approved),
            (t("audit.period"), period),
            (t("audit.submitted"), when(grant.submitted_at) if grant.submitted_at else "–"),
            (t("audit.closed"), when(grant.closed_at) if grant.closed_at else "–"),
            (t("audit.events_in_dossier"), f"{len(evidence.events):,}"),
        )
    )


def build(evidence: Evidence) -> DocumentContent:
    """The report of one grant's dossier, from the dossier's evidence alone."""
    t = audit_catalogue()
    grant, organisation = evidence.grant, evidence.organisation
    head = evidence.head if evidence.fresh is None else evidence.fresh
    issued = as_utc(datetime.fromisoformat(head.at)) if head else utcnow()
    blocks: tuple[Block, ...] = (
        Heading(2, t("audit.grant")),
        _grant_summary(t, evidence),
        *_timeline(t, evidence),
        *_payments(t, evidence),
        *_review(t, evidence),
        *_documents(t, evidence),
        *_verification(t, evidence),
        Heading(2, t("audit.withheld")),
        *(Notice(text, tone="confidential") for text in withheld_paragraphs(evidence)),
        Heading(2, t("audit.how_to_verify")),
        Paragraph(t("audit.how_to_verify_text")),
    )
    content = DocumentContent(
        kind=KIND,
        language="en",
        template_version=TEMPLATE_VERSION,
        title=t(f"title.{KIND}"),
        subtitle=f"{grant.reference} · {grant.project_title}",
        reference=grant.reference,
        fund_name=evidence.facts.fund_name,
        organisation_name=organisation.legal_name,
        issued_at=issued.astimezone(UTC),
        issued_line=t("audit.issued", when=format_datetime(issued, "en")),
        labels=labels_from(catalogue("en")),
        marking=t("audit.marking"),
        blocks=blocks,
    )
    return normalise(content)
