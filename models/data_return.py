"""Return and delete at close: what the data agreement says happens to the community's review
content when its grant is closed or terminated (DOMAIN, "Indigenous data sovereignty").

Run by the ``close`` and ``terminate`` effects (``models.effects``), in the step's own
transaction. By the agreement's ``at_close``:

- ``return_and_delete``: the return package (the review content, as JSON) is written first,
  owner-only, to ``returns/<reference>-returned-data.json`` beside the document store (with
  ``GRANTFLOW_DOCUMENT_STORE=database``, a ``models.blobs`` row under that name, in the step's
  transaction); then the content is deleted;
- ``destroy``: the content is deleted, nothing returned;
- ``keep``: nothing is deleted.

Deleted ("the deletable fields"): the panel's rationale, its sealed deliberation notes, each
member's conflict note; and wherever else those texts are held: the accepted requests'
payloads, the frozen contents documents were rendered from (the texts are blanked where a whole
value equals one of them), and the stored documents that print them (the review summary): their
files leave the store once the step commits, their rows stay marked withdrawn with their
SHA-256, so the audit trail, which commits to each document by hash, still verifies. (With
the database store, their rows leave ``document_blob`` in the step's own transaction.)

Kept (the law, and the agreement itself): amounts, dates, states, instalments, the budget,
reports' aggregates, contacts, scores, the decision record, the agreement documents (their
Schedule A holds the project description, which is part of the agreement and is kept with it
for the retention period), the financial documents and the audit trail. The audit trail never
held the deleted texts: its events record field names and "sealed", not what was written.

What was returned, deleted and kept is recorded in the step's audit event (names and counts,
never content); the close-out certificate says it from there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from models.blobs import delete_blobs, put_blob, read_blob
from models.data_agreement import AgreementTerms, current_version
from models.db import document_dir, document_store_kind
from models.document_snapshots import DocumentSnapshot
from models.tables import ActionRequest, AuditEvent, Grant, ReviewAssignment, StoredDocument

# The document kinds that print a deletable text (the review summary prints the rationale).
DOCUMENT_KINDS_WITH_REVIEW_TEXT: tuple[str, ...] = ("review_summary",)
# The request payload fields that carry a deletable text, by action.
REQUEST_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "recommend": ("rationale", "deliberation_notes"),
    "not_recommend": ("rationale", "deliberation_notes"),
    "declare_conflict": ("note",),
}
# What the law and the agreement keep, named in the record (nothing of it is touched).
KEPT: tuple[str, ...] = (
    "amounts_and_dates",
    "states",
    "instalments",
    "budget",
    "report_aggregates",
    "contacts",
    "scores",
    "agreement_documents",
    "financial_documents",
    "audit_trail",
)
RETURNS_DIRECTORY = "returns"
RETURN_FILE_MODE = 0o600
_STORE_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,10}$")


@dataclass
class DataReturn:
    """What happened to the grant's deletable content at close: names and counts only."""

    at_close: str
    agreement_version: int | None
    returned: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    kept: tuple[str, ...] = KEPT
    return_file: str | None = None
    return_sha256: str | None = None
    withdrawn_documents: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "at_close": self.at_close,
            "agreement_version": self.agreement_version,
            "returned": self.returned,
            "deleted": self.deleted,
            "kept": list(self.kept),
            "return_file": self.return_file,
            "return_sha256": self.return_sha256,
            "withdrawn_documents": self.withdrawn_documents,
        }


def return_file_name(reference: str) -> str:
    return f"{RETURNS_DIRECTORY}/{reference}-returned-data.json"


def _deletable_texts(grant: Grant, assignments: list[ReviewAssignment]) -> list[str]:
    texts = [grant.review_rationale, grant.sealed_deliberation_notes]
    texts += [a.conflict_note for a in assignments]
    return [t for t in texts if t]


def return_package(
    grant: Grant, assignments: list[ReviewAssignment], terms: AgreementTerms, at: datetime
) -> dict[str, Any]:
    """The review content returned to the organisation. The rationale always; the
    deliberation notes and the conflict notes only if the agreement lets its governance body
    read them (``notes_readers`` not "none"): otherwise they are destroyed unread, and the
    package says so. No panel member is named (the applicant's view anonymises the panel)."""
    notes_allowed = terms.notes_readers != "none"
    conflict_notes = [
        {"member": index, "kind": a.conflict, "note": a.conflict_note}
        for index, a in enumerate(sorted(assignments, key=lambda a: a.id or 0), 1)
        if a.conflict_note
    ]
    return {
        "grant": grant.reference,
        "project_title": grant.project_title,
        "returned_at": at.isoformat(),
        "review_rationale": grant.review_rationale,
        "deliberation_notes": grant.sealed_deliberation_notes if notes_allowed else None,
        "conflict_notes": conflict_notes if notes_allowed else None,
        "withheld": [] if notes_allowed else ["deliberation_notes", "conflict_notes"],
        "withheld_because": None if notes_allowed else "the data agreement lets no one read them",
    }


def _write_private(path: Path, data: bytes) -> None:
    """``data`` at ``path``, owner-only (0600), written whole or not at all."""
    for directory in (path.parent.parent, path.parent):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, RETURN_FILE_MODE)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _blank(value: Any, texts: set[str]) -> tuple[Any, int]:
    """``value`` with every string equal to one of ``texts`` made "", and how many were."""
    if isinstance(value, str):
        return ("", 1) if value in texts else (value, 0)
    if isinstance(value, list):
        pairs = [_blank(v, texts) for v in value]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(value, dict):
        blanked = {k: _blank(v, texts) for k, v in value.items()}
        return {k: v for k, (v, _) in blanked.items()}, sum(n for _, n in blanked.values())
    return value, 0


def _erase_requests(session: Session, grant_id: int) -> int:
    erased = 0
    requests = session.exec(
        select(ActionRequest).where(
            ActionRequest.grant_id == grant_id,
            ActionRequest.action.in_(tuple(REQUEST_TEXT_FIELDS)),  # type: ignore[attr-defined]
        )
    ).all()
    for request in requests:
        payload = dict(request.payload)
        fields = [f for f in REQUEST_TEXT_FIELDS[request.action] if payload.get(f)]
        if fields:
            for name in fields:
                payload[name] = ""
            request.payload = payload
            session.add(request)
            erased += 1
    return erased


def _erase_snapshots(session: Session, grant_id: int, texts: set[str]) -> int:
    redacted = 0
    for snapshot in session.exec(
        select(DocumentSnapshot).where(DocumentSnapshot.grant_id == grant_id)
    ).all():
        content, blanked = _blank(json.loads(snapshot.content), texts)
        if blanked:
            snapshot.content = json.dumps(
                content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
            )
            session.add(snapshot)
            redacted += 1
    return redacted


def _withdraw_documents(
    session: Session, grant_id: int, at: datetime, outcome: DataReturn
) -> list[str]:
    """Mark the documents printing a deletable text withdrawn; the store keys to remove once
    the step commits (those no document still in force shares)."""
    documents = session.exec(
        select(StoredDocument).where(
            StoredDocument.grant_id == grant_id,
            StoredDocument.kind.in_(DOCUMENT_KINDS_WITH_REVIEW_TEXT),  # type: ignore[attr-defined]
            StoredDocument.withdrawn_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    for document in documents:
        document.withdrawn_at = at
        session.add(document)
        outcome.withdrawn_documents.append(
            {"document_id": document.id, "kind": document.kind, "sha256": document.sha256}
        )
    session.flush()
    keys = {d.storage_key for d in documents}
    still_served = set(
        session.exec(
            select(StoredDocument.storage_key).where(
                StoredDocument.storage_key.in_(keys),  # type: ignore[attr-defined]
                StoredDocument.withdrawn_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )
    return sorted(keys - still_served)


def remove_stored_files(keys: list[str], root: Path | None = None) -> int:
    """Remove the document store's files under ``keys`` (well-formed keys only); how many were
    there. Idempotent: a file already gone is not an error."""
    base = root or document_dir()
    removed = 0
    for key in keys:
        if not _STORE_KEY.match(key):
            raise ValueError(f"not a document store key: {key!r}")
        try:
            (base / key).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def return_and_delete(session: Session, grant: Grant, *, at: datetime) -> DataReturn:
    """Carry out the agreement's choice for ``grant`` (see the module docstring)."""
    assignments = list(
        session.exec(select(ReviewAssignment).where(ReviewAssignment.grant_id == grant.id)).all()
    )
    version = current_version(session, grant.organisation_id)
    terms = version.terms() if version is not None else AgreementTerms()
    outcome = DataReturn(
        at_close=terms.at_close, agreement_version=getattr(version, "version", None)
    )
    if terms.at_close == "keep":
        return outcome
    texts = _deletable_texts(grant, assignments)
    if terms.at_close == "return_and_delete":
        package = return_package(grant, assignments, terms, at)
        data = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
        name = return_file_name(grant.reference)
        if document_store_kind() == "database":
            put_blob(session, name, data)
        else:
            _write_private(document_dir() / name, data)
        outcome.return_file = name
        outcome.return_sha256 = hashlib.sha256(data).hexdigest()
        outcome.returned = {
            "review_rationale": int(bool(package["review_rationale"])),
            "deliberation_notes": int(bool(package["deliberation_notes"])),
            "conflict_notes": len(package["conflict_notes"] or []),
        }
    conflict_notes = [a for a in assignments if a.conflict_note]
    outcome.deleted = {
        "review_rationale": int(bool(grant.review_rationale)),
        "deliberation_notes": int(bool(grant.sealed_deliberation_notes)),
        "conflict_notes": len(conflict_notes),
    }
    grant.review_rationale = ""
    grant.sealed_deliberation_notes = ""
    session.add(grant)
    for assignment in conflict_notes:
        assignment.conflict_note = ""
        session.add(assignment)
    outcome.deleted["request_payloads"] = _erase_requests(session, grant.id)  # type: ignore[arg-type]
    outcome.deleted["document_snapshots"] = _erase_snapshots(session, grant.id, set(texts))  # type: ignore[arg-type]
    keys = _withdraw_documents(session, grant.id, at, outcome)  # type: ignore[arg-type]
    outcome.deleted["documents"] = len(outcome.withdrawn_documents)
    if keys and document_store_kind() == "database":
        delete_blobs(session, keys)  # with the step: a rolled-back step keeps them
    elif keys:
        # The files leave the store only once the step commits: a step rolled back keeps them,
        # and its rows still say they are there.
        event.listen(session, "after_commit", lambda _s: remove_stored_files(keys), once=True)
    return outcome


def _return_file_bytes(session: Session, name: str) -> bytes:
    """The return package ``name``, from the configured store; FileNotFoundError if gone."""
    if document_store_kind() == "database":
        data = read_blob(session, name)
        if data is None:
            raise FileNotFoundError(f"no return package stored under {name}")
        return bytes(data)
    return (document_dir() / name).read_bytes()


class ReturnPackageAltered(ValueError):
    """A return package no longer matches the SHA-256 its close recorded."""


def returned_package(session: Session, grant: Grant) -> bytes | None:
    """The return package written when ``grant`` closed (or was terminated), checked against
    the SHA-256 that step's audit event recorded; None when none was written. How it reaches
    the organisation: its signing authority's export carries it (``service.exports``).
    Raises FileNotFoundError when the file is gone, ReturnPackageAltered when it changed."""
    steps = session.exec(
        select(AuditEvent).where(
            AuditEvent.grant_id == grant.id,
            AuditEvent.action.in_(("close", "terminate")),  # type: ignore[attr-defined]
            AuditEvent.outcome == "applied",
        )
    )
    for step in steps:
        record = ((step.payload_summary or {}).get("details") or {}).get("data_return") or {}
        if record.get("return_file"):
            data = _return_file_bytes(session, record["return_file"])
            if hashlib.sha256(data).hexdigest() != record.get("return_sha256"):
                raise ReturnPackageAltered(
                    f"the return package of {grant.reference} no longer matches the SHA-256 "
                    "its close recorded"
                )
            return data
    return None
