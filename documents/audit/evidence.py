"""What a grant's audit dossier is made from: everything read from the installation for it.

The dossier's files and its PDF report (the ``audit_dossier`` document kind) are pure
functions of an :class:`Evidence`, as the other kinds' builders are of a DocumentContext.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.audit import Verification
from models.tables import (
    AuditEvent,
    Grant,
    Instalment,
    Organisation,
    ReviewAssignment,
    ReviewScore,
    StoredDocument,
)
from models.visibility import dossier_includes_notes


@dataclass(frozen=True)
class Head:
    """A tree head the dossier's proofs are against."""

    size: int
    root: str
    at: str
    checkpointed: bool


@dataclass(frozen=True)
class ReportFacts:
    """What the report shows beyond the log: the fund, the payments and the review process."""

    fund_name: str
    instalments: tuple[Instalment, ...] = ()  # by sequence
    user_names: dict[int, str] = field(default_factory=dict)  # user id -> name
    review_scores: tuple[ReviewScore, ...] = ()
    review_assignments: tuple[ReviewAssignment, ...] = ()


@dataclass
class Evidence:
    """Everything read from the installation for one dossier."""

    grant: Grant
    organisation: Organisation
    events: list[AuditEvent]  # the grant's events, log order
    indices: list[int]  # their leaf indices
    documents: list[StoredDocument]
    document_files: dict[int, str]  # document id -> member name
    head: Head | None  # the latest saved checkpoint the proofs use
    fresh: Head | None  # a head computed now for events after it
    verification: Verification
    checkpoint_refused: str | None
    facts: ReportFacts
    document_bytes: dict[str, bytes] = field(default_factory=dict)  # member name -> bytes
    altered_documents: set[int] = field(default_factory=set)  # ids whose bytes fail their hash
    # Who may read the deliberation notes under the organisation's data agreement in force
    # (models.data_agreement); the default reaches no auditor.
    notes_readers: str = "governance_body"
    # Small outcome counts (documents.audit.small_counts): the fund's threshold, how many
    # events are given without their leaf data, and the documents left out.
    count_threshold: int = 10
    withheld_leaves: int = 0
    withheld_documents: set[int] = field(default_factory=set)

    @property
    def notes_included(self) -> bool:
        """Sealed notes go in only if there are some and the data agreement allows it."""
        allowed = dossier_includes_notes(self.notes_readers)
        return allowed and bool(self.grant.sealed_deliberation_notes)
