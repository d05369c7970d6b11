"""The files of a dossier: history JSON and CSV, checkpoint JSON, the manifest, the ZIP.

Everything here is a pure function of what ``documents.audit.dossier`` gathered, so the same
log gives the same bytes (member order fixed, member times the tree head's time).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from documents.audit.dossier_texts import sealed_notes_text, verify_md, withheld_md
from models import dossier_verifier
from models.audit import LEAF_FIELDS, Checkpoint
from models.merkle import Hash, consistency_proof

if TYPE_CHECKING:
    from documents.audit.evidence import Evidence, Head

FORMAT = "grantflow-audit-dossier/1"
VERIFIER = Path(dossier_verifier.__file__)
MANIFEST = "MANIFEST.sha256"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def member_name(filename: str, taken: set[str], document_id: int) -> str:
    """``documents/<readable name>``: unique, and nothing but letters, digits and ``._-``."""
    name = _UNSAFE.sub("_", filename).strip("._") or f"document-{document_id}"
    if f"documents/{name}" in taken:
        name = f"{document_id}-{name}"
    return f"documents/{name}"


def assemble(
    evidence: Evidence,
    records: list[dict[str, Any]],
    saved: list[Checkpoint],
    leaves: list[Hash],
    report: bytes,
) -> dict[str, bytes]:
    """Every member, in the dossier's order; the manifest of all the others last."""
    history = {"format": FORMAT, "grant": grant_json(evidence), "events": records}
    members: dict[str, bytes] = {
        "VERIFY.md": verify_md(evidence).encode("utf-8"),
        "verify_dossier.py": VERIFIER.read_bytes(),
        "audit-report.pdf": report,
        "history.json": to_json(history),
        "history.csv": history_csv(records),
        "checkpoint.json": to_json(checkpoint_json(saved, evidence.head, evidence.fresh, leaves)),
        "WITHHELD.md": withheld_md(evidence).encode("utf-8"),
    }
    if evidence.notes_included:
        members["sealed-notes.txt"] = sealed_notes_text(evidence).encode("utf-8")
    members.update(sorted(evidence.document_bytes.items()))
    members[MANIFEST] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in members.items()
    ).encode("utf-8")
    return members


def to_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


def grant_json(evidence: Evidence) -> dict[str, Any]:
    grant, organisation = evidence.grant, evidence.organisation
    return {
        "id": grant.id,
        "reference": grant.reference,
        "project_title": grant.project_title,
        "organisation": organisation.legal_name,
        "state": grant.state,
        "data_agreement_notes_readers": evidence.notes_readers,
    }


def checkpoint_json(
    saved: list[Checkpoint], head: Head | None, fresh: Head | None, leaves: list[Hash]
) -> dict[str, Any]:
    def as_head(h: Head | None) -> dict[str, Any] | None:
        if h is None:
            return None
        key = "made_at" if h.checkpointed else "computed_at"
        return {"tree_size": h.size, "root": h.root, key: h.at}

    listed = []
    for c in saved:
        entry: dict[str, Any] = asdict(c)
        if head is not None and 0 < c.size <= head.size:
            proof = consistency_proof(leaves[: head.size], c.size)
            entry["consistency_proof"] = [node.hex() for node in proof]
        listed.append(entry)
    return {
        "format": FORMAT,
        "tree": "RFC 6962 Merkle tree, SHA-256; leaf = canonical JSON of one audit event",
        "tree_size": head.size if head else None,
        "root": head.root if head else None,
        "head": as_head(head),
        "uncheckpointed_head": as_head(fresh),
        "checkpoints": listed,
    }


def history_csv(records: list[dict[str, Any]]) -> bytes:
    columns = [
        *LEAF_FIELDS,
        "leaf_index",
        "leaf_hash",
        "tree_size",
        "checkpointed",
        "inclusion_proof",
        "document_file",
        "leaf_data",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for r in records:
        proof = r["inclusion_proof"]
        row = {
            **r,
            "payload_summary": json.dumps(r["payload_summary"], sort_keys=True, ensure_ascii=False),
            "tree_size": proof["tree_size"],
            "checkpointed": "yes" if proof["checkpointed"] else "no (not yet checkpointed)",
            "inclusion_proof": " ".join(proof["audit_path"]),
        }
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    # A byte-order mark, so spreadsheet programs read syllabics and accents as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_zip(out: Path, members: dict[str, bytes], moment: datetime) -> None:
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=".dossier-", suffix=".zip")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in members.items():
                    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
                    info.compress_type = zipfile.ZIP_DEFLATED
                    mode = 0o755 if name.endswith(".py") else 0o644
                    info.external_attr = (0o100000 | mode) << 16
                    info.create_system = 3
                    archive.writestr(info, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
