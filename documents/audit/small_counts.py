"""What of a grant's outcome counts an auditor's dossier withholds (DOMAIN: any auditor-facing
cell under the fund's threshold is suppressed).

An outcome report's counts reach the audit log in its ``submit_report`` event's summary, and
its report receipt prints them. When a report has a count from 1 to the threshold minus one
(``models.suppression.suppress_report_counts``), the dossier gives that event's fields with the
count shown as null and its leaf hash without its leaf data: the leaf hash still proves the
event's place in the log, but its fields cannot be checked against it (the verifier says so).
The receipts of that report are left out of ``documents/``; their SHA-256 stays in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, select

from models.payloads import AGGREGATE_FIELDS
from models.suppression import suppress_report_counts
from models.tables import AuditEvent, StoredDocument

# The document kinds that print a report's counts.
COUNT_BEARING_KINDS: tuple[str, ...] = ("report_receipt",)
WITHHELD_FOR = "small_counts"
# The action whose audit summary holds a report's counts.
SUBMISSION = "submit_report"


def shown_summary(event: AuditEvent, threshold: int) -> dict[str, Any] | None:
    """The event's summary with its small counts suppressed, or None when it shows none."""
    summary = event.payload_summary or {}
    counts = {name: summary[name] for name in AGGREGATE_FIELDS if name in summary}
    if not counts:
        return None
    shown = suppress_report_counts(counts, threshold)
    if shown == counts:
        return None
    return {**summary, **shown}


def report_subject(event: AuditEvent) -> str:
    """The subject key its documents carry: 'report-2' (``workflows.tasks``)."""
    return f"{event.subject}-{event.payload_summary.get('sequence')}"


def prints_withheld_counts(session: Session, document: StoredDocument, threshold: int) -> bool:
    """Whether ``document`` prints a report's counts that a reader of suppressed counts may not
    read: a report receipt of a report whose submission held a count below ``threshold``."""
    if document.kind not in COUNT_BEARING_KINDS:
        return False
    submissions = session.exec(
        select(AuditEvent).where(
            AuditEvent.grant_id == document.grant_id,
            AuditEvent.action == SUBMISSION,
            AuditEvent.outcome == "applied",
        )
    )
    withheld = [e for e in submissions if shown_summary(e, threshold) is not None]
    return bool(withheld_documents([document], withheld))


def withheld_documents(
    documents: Iterable[StoredDocument], withheld_events: Iterable[AuditEvent]
) -> set[int]:
    """The ids of the documents that print a withheld report's counts."""
    subjects = {report_subject(event) for event in withheld_events}
    return {
        document.id  # type: ignore[misc]
        for document in documents
        if document.kind in COUNT_BEARING_KINDS and document.subject_key in subjects
    }
