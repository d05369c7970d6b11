"""The words of a grant's audit dossier: its PDF report (grantflow's own content model and
renderer), VERIFY.md and WITHHELD.md. English; times in America/Toronto."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlmodel import select

from documents.audit.dossier_texts import withheld_paragraphs
from documents.builders.common import labels_from, normalise
from documents.content import (
    Block,
    Column,
    DocumentContent,
    Heading,
    KeyValues,
    Labels,
    Notice,
    Paragraph,
    Table,
)
from documents.formatting import format_date, format_datetime, format_decimal, format_money
from documents.formatting import to_toronto as toronto
from documents.render.pdf import render_pdf
from documents.text import catalogue
from models.audit import Verification
from models.clock import as_utc, utcnow
from models.db import Database
from models.review import criterion_means
from models.tables import Fund, Instalment, ReviewAssignment, ReviewScore, User
from models.visibility import dossier_shows_panel_means

if TYPE_CHECKING:
    from documents.audit.dossier import Evidence

TEMPLATE_VERSION = "1.0.0"


def when(moment: datetime) -> str:
    """An instant in America/Toronto, compact and unambiguous: ``2026-05-01 14:05:03 EDT``."""
    return toronto(as_utc(moment)).strftime("%Y-%m-%d %H:%M:%S %Z")


def verification_text(v: Verification) -> str:
    """The verification result as one sentence (the report's and the CLI's wording)."""
    counted = (
        f"{v.events_checked} events, {v.documents_checked} documents and "
        f"{v.checkpoints_checked} checkpoints checked"
    )
    if v.intact:
        return f"Audit log intact: {counted}."
    return f"Audit log verification FAILED: {v.failure} ({counted})."


def _labels() -> Labels:
    return labels_from(catalogue("en"))


def _size(size: int) -> str:
    return f"{size:,} B" if size < 10_000 else f"{size / 1024:,.1f} KiB"


def _timeline(evidence: Evidence) -> tuple[Block, ...]:
    decisions = [e for e in evidence.events if e.action != "document_stored"]
    stored = len(evidence.events) - len(decisions)
    rows = []
    for event in decisions:
        action = event.action if event.outcome == "applied" else f"{event.action}\nDENIED"
        if event.rule:
            action += f" ({event.rule})"
        change = f"{event.from_state or '–'} → {event.to_state or '–'}"
        if event.subject != "grant":
            change = f"{event.subject} {event.subject_id}: {change}"
        rows.append(
            (
                when(event.occurred_at),
                f"{action}\nevent {event.id}",
                f"{event.actor_name}\n({event.role})",
                change,
                event.flow_run_id or "–",
            )
        )
    columns = (
        Column("When (America/Toronto)"),
        Column("Action"),
        Column("Who (role)"),
        Column("From → to"),
        Column("Flow run"),
    )
    return (
        Heading(2, "Timeline of decisions"),
        Paragraph(
            f"Every lifecycle action and refusal recorded for this grant, in log order "
            f"({len(decisions)} events). The {stored} document_stored events are listed under "
            "Documents; history.json holds all of them with their proofs."
        ),
        Table(columns, tuple(rows)),
    )


def _payments(db: Database, evidence: Evidence) -> tuple[Block, ...]:
    with db.reading() as session:
        instalments = list(
            session.exec(
                select(Instalment)
                .where(Instalment.grant_id == evidence.grant.id)
                .order_by(Instalment.sequence)
            )
        )
        names = {u.id: u.name for u in session.exec(select(User))}
    if not instalments:
        return (Heading(2, "Payments"), Paragraph("No instalments were scheduled."))
    rows = []
    for i in instalments:
        released = (
            f"{when(i.released_at)}\nby {names.get(i.released_by_id, i.released_by_id)}"
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
        Column("No."),
        Column("Kind"),
        Column("Due"),
        Column("Amount", numeric=True),
        Column("State"),
        Column("Released"),
    )
    footer = ("", "Released", "", format_money(released_total, "en"), "", "")
    return (
        Heading(2, "Payments"),
        Paragraph(
            f"{sum(1 for i in instalments if i.state == 'released')} of {len(instalments)} "
            f"instalments released, {format_money(released_total, 'en')} of "
            f"{format_money(sum(i.amount_cents for i in instalments), 'en')} scheduled."
        ),
        Table(columns, tuple(rows), footer=footer),
    )


def _review(db: Database, evidence: Evidence) -> tuple[Block, ...]:
    grant = evidence.grant
    with db.reading() as session:
        scores = list(session.exec(select(ReviewScore).where(ReviewScore.grant_id == grant.id)))
        assignments = list(
            session.exec(select(ReviewAssignment).where(ReviewAssignment.grant_id == grant.id))
        )
    if not assignments and not scores:
        return ()
    conflicts = sum(1 for a in assignments if a.conflict in ("direct", "indirect"))
    means = criterion_means(scores)
    blocks: list[Block] = [
        Heading(2, "Community review (process evidence)"),
        KeyValues(
            (
                ("Panel members assigned", str(len(assignments))),
                ("Members who scored", str(len({s.reviewer_id for s in scores}))),
                ("Conflicts declared", str(conflicts)),
                ("Consensus rating", str(grant.consensus_rating or "not recorded")),
            )
        ),
    ]
    # Individual scores never leave the panel (models.visibility); panel means may.
    if means and dossier_shows_panel_means():
        t = catalogue("en")
        rows = tuple(
            (t(f"criterion.{c}") if t.has(f"criterion.{c}") else c, format_decimal(mean, "en", 1))
            for c, mean in means
        )
        blocks.append(Table((Column("Criterion"), Column("Panel mean", numeric=True)), rows))
    return tuple(blocks)


def _documents(evidence: Evidence) -> tuple[Block, ...]:
    if not evidence.documents:
        return (Heading(2, "Documents"), Paragraph("No documents were stored for this grant."))
    listing, hashes = [], []
    for number, d in enumerate(evidence.documents, 1):
        member = evidence.document_files.get(d.id)  # type: ignore[arg-type]
        name = member if member else f"{d.filename} (MISSING from the document store)"
        listing.append(
            (
                str(number),
                name,
                f"{d.kind} v{d.version}\n{d.format}, {d.language}",
                _size(d.size_bytes),
            )
        )
        hashes.append((str(number), d.sha256))
    return (
        Heading(2, "Documents"),
        Paragraph(
            "Every document stored for this grant, as generated by its flow run. Each file's "
            "SHA-256 was recorded in a document_stored audit event when it was stored."
        ),
        Table(
            (Column("No."), Column("File"), Column("Kind, format"), Column("Size", numeric=True)),
            tuple(listing),
        ),
        Table((Column("No."), Column("SHA-256")), tuple(hashes), caption="SHA-256 of each file"),
    )


def _verification(evidence: Evidence) -> tuple[Block, ...]:
    v = evidence.verification
    head, fresh = evidence.head, evidence.fresh
    blocks: list[Block] = [
        Heading(2, "Verification of the audit log"),
        Notice(verification_text(v), title="Result", tone="info" if v.intact else "important"),
        KeyValues(
            (
                ("Events checked", f"{v.events_checked:,}"),
                ("Documents checked", f"{v.documents_checked:,}"),
                ("Checkpoints checked", f"{v.checkpoints_checked:,}"),
            )
        ),
        Paragraph("Root of the whole log now:"),
        Paragraph(v.root),
    ]
    if v.failures[1:]:
        blocks.append(Paragraph("Further failures: " + "; ".join(v.failures[1:])))
    if evidence.checkpoint_refused:
        blocks.append(
            Notice(evidence.checkpoint_refused, title="Checkpoint refused", tone="important")
        )
    proven_by_head = sum(1 for i in evidence.indices if head is not None and i < head.size)
    if head is not None:
        blocks += [
            Paragraph(
                f"The {proven_by_head} events of this grant covered by the checkpoint of size "
                f"{head.size:,} (made {when(datetime.fromisoformat(head.at))}) carry inclusion "
                "proofs against its root:"
            ),
            Paragraph(head.root),
        ]
    if fresh is not None:
        pending = len(evidence.indices) - proven_by_head
        blocks += [
            Paragraph(
                f"{pending} events are not yet checkpointed: they are proven against a tree head "
                f"of size {fresh.size:,} computed at export "
                f"({when(datetime.fromisoformat(fresh.at))}):"
            ),
            Paragraph(fresh.root),
        ]
    return tuple(blocks)


def report_content(db: Database, evidence: Evidence) -> DocumentContent:
    grant, organisation = evidence.grant, evidence.organisation
    with db.reading() as session:
        fund = session.get(Fund, grant.fund_id)
        assert fund is not None
    head = evidence.head if evidence.fresh is None else evidence.fresh
    issued = as_utc(datetime.fromisoformat(head.at)) if head else utcnow()
    summary = KeyValues(
        (
            ("Reference", grant.reference),
            ("Organization", organisation.legal_name),
            ("Project title", grant.project_title),
            ("Community", grant.community),
            ("State", grant.state),
            ("Amount requested", format_money(grant.requested_cents, "en")),
            (
                "Amount approved",
                format_money(grant.approved_cents, "en") if grant.approved_cents else "–",
            ),
            (
                "Project period",
                f"{format_date(grant.start_date, 'en')} to {format_date(grant.end_date, 'en')}",
            ),
            ("Submitted", when(grant.submitted_at) if grant.submitted_at else "–"),
            ("Closed", when(grant.closed_at) if grant.closed_at else "–"),
            ("Audit events in this dossier", f"{len(evidence.events):,}"),
        )
    )
    blocks: tuple[Block, ...] = (
        Heading(2, "Grant"),
        summary,
        *_timeline(evidence),
        *_payments(db, evidence),
        *_review(db, evidence),
        *_documents(evidence),
        *_verification(evidence),
        Heading(2, "Withheld from this dossier"),
        *(Notice(text, tone="confidential") for text in withheld_paragraphs(evidence)),
        Heading(2, "How to verify this dossier"),
        Paragraph(
            "Unpack the ZIP and run: python3 verify_dossier.py. The script uses only Python's "
            "standard library; VERIFY.md explains what it checks and how to compare the root "
            "above with a checkpoint published independently of this dossier."
        ),
    )
    content = DocumentContent(
        kind="audit_dossier",
        language="en",
        template_version=TEMPLATE_VERSION,
        title="Audit Dossier",
        subtitle=f"{grant.reference} · {grant.project_title}",
        reference=grant.reference,
        fund_name=fund.name_en,
        organisation_name=organisation.legal_name,
        issued_at=issued.astimezone(UTC),
        issued_line=f"Evidence as of {format_datetime(issued, 'en')}",
        labels=_labels(),
        marking="Confidential: audit evidence",
        blocks=blocks,
    )
    return normalise(content)


def report_pdf(db: Database, evidence: Evidence) -> bytes:
    return render_pdf(report_content(db, evidence))
