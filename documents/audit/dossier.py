"""The auditor's dossier of one grant: a ZIP an auditor can check without grantflow.

``build_dossier(db, grant_id, out)`` writes, in this order:

- ``VERIFY.md`` and ``verify_dossier.py``: how to check the dossier, and a standard-library-only
  script that does it (the script is ``models/dossier_verifier.py``, shipped verbatim);
- ``audit-report.pdf``: the grant, its decisions, payments, documents with their SHA-256, the
  verification of the whole log and what was withheld (the ``audit_dossier`` document kind,
  ``documents/builders/audit_dossier.py``);
- ``history.json`` / ``history.csv``: every audit event of the grant with its leaf index, exact
  leaf data (the canonical JSON the log hashes), leaf hash and RFC 6962 inclusion proof;
- ``checkpoint.json``: the tree head the proofs are against, every saved checkpoint with a
  consistency proof to that head, and the head of events not yet checkpointed, if any;
- ``WITHHELD.md`` and, only when the organisation's data agreement allows it, ``sealed-notes.txt``;
- ``documents/``: every stored document file of the grant under its readable name;
- ``MANIFEST.sha256``: ``sha256sum -c`` lines for every other member.

By default the log is checkpointed first (when the last checkpoint does not already cover it),
so every event is proven against a saved checkpoint. Member times are the tree head's time, so
exporting the same log twice gives the same bytes.

Split: this module gathers the evidence and the proofs; ``dossier_archive`` writes the files
and the ZIP; the ``audit_dossier`` builder the PDF's content; ``dossier_texts`` VERIFY.md,
WITHHELD.md and the notes; ``models.dossier_verifier`` is the standalone script.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from documents.audit.dossier_archive import assemble, member_name, write_zip
from documents.audit.evidence import Evidence, Head, ReportFacts
from documents.audit.small_counts import WITHHELD_FOR, shown_summary, withheld_documents
from documents.audit.verification import installation_files, verify
from documents.registry import build_audit_document
from documents.render import render_document
from documents.storage import DocumentStore, StorageIntegrityError
from models.audit import Checkpoint, Verification, leaf_data
from models.checkpoints import CheckpointRefused, CheckpointStore, checkpoint, default_store
from models.clock import as_utc, utcnow
from models.data_agreement import current_terms
from models.db import Database
from models.errors import NotFound
from models.merkle import Hash, audit_path, leaf_hashes, levels_root, tree_levels
from models.tables import (
    AuditEvent,
    Fund,
    Grant,
    Instalment,
    Organisation,
    ReviewAssignment,
    ReviewScore,
    StoredDocument,
    User,
)


@dataclass(frozen=True)
class DossierSummary:
    """What a dossier holds, and whether the log it came from verified."""

    path: Path
    grant_id: int
    reference: str
    events: int
    documents: int
    tree_size: int
    root: str
    uncheckpointed_events: int
    notes_included: bool
    verification: Verification
    checkpoint_refused: str | None
    members: tuple[str, ...]
    sha256: str

    @property
    def intact(self) -> bool:
        return self.verification.intact and self.checkpoint_refused is None

    def lines(self) -> list[str]:
        v = self.verification
        result = "intact" if v.intact else f"FAILED: {v.failure}"
        lines = [
            f"dossier of {self.reference} (grant {self.grant_id}): {self.path}",
            f"  {self.events} audit events, {self.documents} documents, "
            f"{len(self.members)} files; sha256 {self.sha256}",
            f"  proofs against tree size {self.tree_size}, root {self.root}",
            f"  audit log {result} ({v.events_checked} events, {v.documents_checked} "
            f"documents, {v.checkpoints_checked} checkpoints checked)",
            "  sealed deliberation notes: "
            + ("included (the data agreement allows it)" if self.notes_included else "withheld"),
        ]
        if self.uncheckpointed_events:
            lines.append(f"  {self.uncheckpointed_events} events not yet checkpointed")
        if self.checkpoint_refused:
            lines.append(f"  checkpoint refused: {self.checkpoint_refused}")
        return lines


def find_grant(db: Database, key: str | int) -> Grant:
    """A grant by id or by reference; NotFound otherwise."""
    with db.reading() as session:
        grant = None
        if (isinstance(key, int) or str(key).isdigit()) and 0 < int(key) < 2**63:
            grant = session.get(Grant, int(key))
        if grant is None:
            grant = session.exec(select(Grant).where(Grant.reference == str(key))).first()
    if grant is None:
        raise NotFound(f"grant {key} does not exist")
    return grant


def build_dossier(
    db: Database,
    grant_id: int,
    out: Path,
    *,
    store: CheckpointStore | None = None,
    files: DocumentStore | None = None,
    make_checkpoint: bool = True,
) -> DossierSummary:
    """Write the dossier of ``grant_id`` to ``out`` (a ZIP) and say what is in it.

    Raises NotFound for an unknown grant. A log that fails verification still gets its
    dossier: the report names the failure and the dossier's own verifier fails on it.
    ``store`` and ``files`` default to the installation's audit store and document store.
    """
    store = store or default_store(db)
    files = files or installation_files(db)
    grant = find_grant(db, grant_id)
    refused = _checkpoint_first(db, store) if make_checkpoint else None
    with db.reading() as session:
        organisation = session.get(Organisation, grant.organisation_id)
        assert organisation is not None
        all_events = list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))
        documents = list(
            session.exec(
                select(StoredDocument)
                .where(StoredDocument.grant_id == grant.id)
                .order_by(StoredDocument.id)
            )
        )
        facts = _report_facts(session, grant)
        notes_readers = current_terms(session, organisation.id).notes_readers  # type: ignore[arg-type]
        fund = session.get(Fund, grant.fund_id)
        assert fund is not None
        threshold = fund.small_cell_threshold
    datas = [leaf_data(e) for e in all_events]
    leaves = leaf_hashes(datas)
    saved = store.checkpoints()
    head, head_levels, fresh, fresh_levels = _heads(saved, leaves)
    mine = [(i, e) for i, e in enumerate(all_events) if e.grant_id == grant.id]
    small = {i: shown for i, e in mine if (shown := shown_summary(e, threshold)) is not None}
    evidence = Evidence(
        grant=grant,
        organisation=organisation,
        events=[e for _, e in mine],
        indices=[i for i, _ in mine],
        documents=documents,
        document_files={},
        head=head,
        fresh=fresh,
        verification=verify(db, store, files),
        checkpoint_refused=refused,
        facts=facts,
        notes_readers=notes_readers,
        count_threshold=threshold,
        withheld_leaves=len(small),
        withheld_documents=withheld_documents(documents, [all_events[i] for i in small]),
    )
    _collect_files(evidence, files)
    records = []
    for index, event in mine:
        proven, levels = (
            (head, head_levels) if head and index < head.size else (fresh, fresh_levels)
        )
        assert proven is not None
        record: dict[str, Any] = json.loads(datas[index])
        record.update(
            leaf_index=index,
            leaf_data=datas[index].decode("utf-8"),
            leaf_hash=leaves[index].hex(),
            inclusion_proof={
                "tree_size": proven.size,
                "checkpointed": proven.checkpointed,
                "audit_path": [node.hex() for node in audit_path(levels, index)],
            },
        )
        if index in small:
            record.update(payload_summary=small[index], leaf_data="", leaf_withheld=WITHHELD_FOR)
        document_id = event.payload_summary.get("document_id")
        if document_id in evidence.withheld_documents:
            record["document_withheld"] = WITHHELD_FOR
        if event.action == "document_stored" and document_id in evidence.document_files:
            record["document_file"] = evidence.document_files[document_id]
        records.append(record)

    # The report is a document kind like the others, rendered by the common renderer.
    report = render_document(build_audit_document("audit_dossier", evidence), "pdf")
    members = assemble(evidence, records, saved, leaves, report)
    anchor = fresh or head
    assert anchor is not None
    write_zip(out, members, as_utc(datetime.fromisoformat(anchor.at)))
    return DossierSummary(
        path=out,
        grant_id=grant.id,  # type: ignore[arg-type]
        reference=grant.reference,
        events=len(records),
        documents=len(evidence.document_files),
        tree_size=anchor.size,
        root=anchor.root,
        uncheckpointed_events=sum(1 for r in records if not r["inclusion_proof"]["checkpointed"]),
        notes_included=evidence.notes_included,
        verification=evidence.verification,
        checkpoint_refused=refused,
        members=tuple(members),
        sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
    )


def _report_facts(session: Session, grant: Grant) -> ReportFacts:
    fund = session.get(Fund, grant.fund_id)
    assert fund is not None
    by_grant = grant.id
    return ReportFacts(
        fund_name=fund.name_en,
        instalments=tuple(
            session.exec(
                select(Instalment)
                .where(Instalment.grant_id == by_grant)
                .order_by(Instalment.sequence)
            )
        ),
        user_names={u.id: u.name for u in session.exec(select(User))},  # type: ignore[misc]
        review_scores=tuple(
            session.exec(select(ReviewScore).where(ReviewScore.grant_id == by_grant))
        ),
        review_assignments=tuple(
            session.exec(select(ReviewAssignment).where(ReviewAssignment.grant_id == by_grant))
        ),
    )


def _checkpoint_first(db: Database, store: CheckpointStore) -> str | None:
    """Checkpoint the log unless the last checkpoint already covers it; why not, if refused."""
    saved = store.checkpoints()
    with db.reading() as session:
        count = len(session.exec(select(AuditEvent.id)).all())
    if saved and saved[-1].size == count:
        return None
    try:
        checkpoint(db, store)
    except CheckpointRefused as error:
        return str(error)
    return None


def _heads(
    saved: list[Checkpoint], leaves: list[Hash]
) -> tuple[Head | None, list[list[Hash]], Head | None, list[list[Hash]]]:
    """The largest saved checkpoint within the log (and its tree), and a head computed now
    (and its tree) when events follow it."""
    usable = [c for c in saved if 0 < c.size <= len(leaves)]
    latest = max(usable, key=lambda c: c.size, default=None)  # ties: the first saved
    head, head_levels = None, []
    if latest is not None:
        head = Head(latest.size, latest.root, latest.made_at, True)
        head_levels = tree_levels(leaves[: latest.size])
    fresh, fresh_levels = None, []
    if head is None or head.size < len(leaves):
        fresh_levels = tree_levels(leaves)
        fresh = Head(len(leaves), levels_root(fresh_levels).hex(), utcnow().isoformat(), False)
    return head, head_levels, fresh, fresh_levels


def _collect_files(evidence: Evidence, files: DocumentStore) -> None:
    """Each stored document's bytes under its readable name, read through the document store;
    a missing or altered file is left out (the report says which, the log's verification
    names it, and the verifier fails on its document_stored event)."""
    for document in evidence.documents:
        if document.id in evidence.withheld_documents:
            continue
        try:
            data = files.read(document.storage_key)
        except FileNotFoundError:
            continue
        except StorageIntegrityError:
            evidence.altered_documents.add(document.id)  # type: ignore[arg-type]
            continue
        name = member_name(document.filename, set(evidence.document_bytes), document.id)  # type: ignore[arg-type]
        evidence.document_files[document.id] = name  # type: ignore[index]
        evidence.document_bytes[name] = data
