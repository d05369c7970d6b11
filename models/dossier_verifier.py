#!/usr/bin/env python3
"""Verify a grantflow audit dossier without grantflow: Python 3.8+ standard library only.

Run it inside the unpacked dossier:

    python3 verify_dossier.py [--published-size N --published-root HEX]

It checks, and names the first thing that fails:
  1. every line of MANIFEST.sha256 against the file it names, and that no file is unlisted;
  2. each event's leaf hash, recomputed from its leaf data: SHA-256(0x00 || leaf_data)
     (RFC 6962 section 2.1), and that the fields shown beside it say what the leaf data says
     (a report's submission holding an outcome count below the fund's threshold comes with its
     leaf hash only: its inclusion is proven, its fields are not checked, and its receipts are
     left out of documents/);
  3. each event's inclusion proof against the tree head in checkpoint.json (RFC 9162 section
     2.1.3.2, written out below);
  4. each saved checkpoint's consistency proof against that tree head (RFC 9162 section
     2.1.4.2): the log only grew between them;
  5. each stored document's file in documents/ against the SHA-256 its audit event recorded
     (a document withdrawn at close under the organisation's data agreement has no file: the
     close or terminate event that withdrew it, proven like every event, names its digest).
With --published-size/--published-root it also checks that the dossier's log is the one whose
tree head you obtained independently (``grantflow audit checkpoint`` output).

Exit 0 with "dossier verified: N events, M documents"; exit 1 naming the failure.
(This file is shipped verbatim into every dossier by grantflow's documents/audit/dossier.py;
grantflow's own models/merkle.py verifies proofs with the functions below, so the two cannot
disagree.)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = "MANIFEST.sha256"
IGNORED_DIRECTORIES = {"__pycache__"}
# An event or document withheld because it holds an outcome count below the fund's threshold
# (the same values as documents.audit.small_counts; a test keeps them equal).
WITHHELD_SMALL_COUNTS = "small_counts"
COUNT_BEARING_KINDS = ("report_receipt",)


# RFC 6962 section 2.1: leaf and interior node hashes.
def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: verifying an inclusion proof."""
    if index >= size or index < 0:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: verifying a consistency proof (first <= second)."""
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    nodes = list(path)
    if first & (first - 1) == 0:  # an exact power of 2: the first root is the first node
        nodes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class Failed(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def member(name: str) -> Path:
    """A dossier member by its relative name; nothing outside the dossier is ever read."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise Failed(f"unsafe file name {name!r}")
    return HERE.joinpath(*parts)


def unhex(value, what: str) -> bytes:
    try:
        data = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Failed(f"{what} is not a hex string") from None
    if len(data) != 32:
        raise Failed(f"{what} is not a SHA-256 hash")
    return data


def load_json(name: str):
    try:
        return json.loads(member(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Failed(f"{name} cannot be read: {error}") from None


def check_manifest(failures: list) -> None:
    try:
        lines = member(MANIFEST).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise Failed(f"{MANIFEST} cannot be read: {error}") from None
    listed = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")
        if not sep or len(digest) != 64:
            failures.append(f"{MANIFEST} line {number} is not '<sha256>  <file>'")
            continue
        listed.add(name)
        try:
            path = member(name)
        except Failed as error:
            failures.append(f"{MANIFEST} line {number}: {error}")
            continue
        if not path.is_file():
            failures.append(f"{name} is listed in {MANIFEST} but missing")
        elif sha256_file(path) != digest.lower():
            failures.append(f"{name} does not match its SHA-256 in {MANIFEST}")
    for path in sorted(HERE.rglob("*")):
        relative = path.relative_to(HERE)
        if path.is_dir() or IGNORED_DIRECTORIES & set(relative.parts):
            continue
        name = relative.as_posix()
        if name != MANIFEST and name not in listed:
            failures.append(f"{name} is not listed in {MANIFEST}")


def tree_heads(checkpoint: dict, failures: list) -> dict:
    """Tree size -> root of every head the dossier's proofs may be against, after checking
    that the main head is a saved checkpoint and every earlier checkpoint is consistent with it."""
    heads = {}
    for key in ("head", "uncheckpointed_head"):
        head = checkpoint.get(key)
        if head:
            heads[int(head["tree_size"])] = unhex(head["root"], f"checkpoint.json {key} root")
    main = checkpoint.get("head")
    if not main:
        return heads
    size, root = int(main["tree_size"]), heads[int(main["tree_size"])]
    if checkpoint.get("tree_size") != size or checkpoint.get("root") != main["root"]:
        failures.append("checkpoint.json: tree_size and root differ from its head")
    saved = [
        (int(c["size"]), unhex(c["root"], "a saved root"), c) for c in checkpoint["checkpoints"]
    ]
    if (size, root) not in [(s, r) for s, r, _ in saved]:
        failures.append(f"checkpoint.json: the head of size {size} is not a saved checkpoint")
    for old_size, old_root, entry in saved:
        if old_size == 0 or old_size > size:
            continue
        proof = [unhex(node, "a consistency proof node") for node in entry["consistency_proof"]]
        if not verify_consistency(old_size, size, old_root, root, proof):
            failures.append(
                f"the saved checkpoint of size {old_size} is not consistent with the tree head "
                f"of size {size} (its consistency proof fails)"
            )
    return heads


def check_event(record: dict, heads: dict, grant_id, position: int) -> None:
    name = f"event {record.get('id')} (history.json entry {position})"
    if record.get("leaf_withheld") == WITHHELD_SMALL_COUNTS:
        check_withheld_event(record, heads, grant_id, name)
        return
    text = record.get("leaf_data")
    if not isinstance(text, str):
        raise Failed(f"{name} has no leaf_data")
    data = text.encode("utf-8")
    leaf = leaf_hash(data)
    if leaf != unhex(record.get("leaf_hash"), f"{name} leaf_hash"):
        raise Failed(f"{name}: its leaf_data does not hash to its leaf_hash")
    try:
        fields = json.loads(text)
    except ValueError:
        raise Failed(f"{name}: its leaf_data is not JSON") from None
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if canonical != text:
        raise Failed(f"{name}: its leaf_data is not canonical JSON")
    for key, value in fields.items():
        if record.get(key) != value:
            raise Failed(f"{name}: field {key!r} differs from its leaf_data")
    if fields.get("grant_id") != grant_id:
        raise Failed(f"{name} belongs to grant {fields.get('grant_id')}, not {grant_id}")
    check_inclusion(record, heads, name, leaf)


def check_withheld_event(record: dict, heads: dict, grant_id, name: str) -> None:
    """An event given by its leaf hash only (a small outcome count it holds is not shown):
    its place in the log is proven; its fields cannot be checked, and it must show no count
    it withholds from being checked."""
    if record.get("leaf_data"):
        raise Failed(f"{name} says its leaf data is withheld but gives it")
    if record.get("grant_id") != grant_id:
        raise Failed(f"{name} belongs to grant {record.get('grant_id')}, not {grant_id}")
    if record.get("action") != "submit_report":
        raise Failed(f"{name}: only a report's submission withholds its leaf data")
    leaf = unhex(record.get("leaf_hash"), f"{name} leaf_hash")
    check_inclusion(record, heads, name, leaf)


def check_inclusion(record: dict, heads: dict, name: str, leaf: bytes) -> None:
    proof = record.get("inclusion_proof") or {}
    size = proof.get("tree_size")
    if size not in heads:
        raise Failed(f"{name}: its proof is against a tree of size {size}, not in checkpoint.json")
    path = [unhex(node, f"{name} proof node") for node in proof.get("audit_path", [])]
    if not verify_inclusion(leaf, record.get("leaf_index", -1), size, path, heads[size]):
        raise Failed(f"{name}: its inclusion proof does not lead to the root of size {size}")


def withdrawn_at_close(events: list) -> set:
    """(document id, SHA-256) of each document a close or terminate event withdrew: its file
    left the store under the organisation's data agreement, and that event says so."""
    found = set()
    for record in events:
        if record.get("action") in ("close", "terminate") and record.get("outcome") == "applied":
            fields = json.loads(record["leaf_data"])
            details = (fields.get("payload_summary") or {}).get("details") or {}
            for item in (details.get("data_return") or {}).get("withdrawn_documents", []):
                found.add((item.get("document_id"), item.get("sha256")))
    return found


def check_document(record: dict, name: str, withdrawn: set) -> str | None:
    fields = json.loads(record["leaf_data"])
    summary = fields.get("payload_summary") or {}
    recorded = summary.get("sha256")
    file_name = record.get("document_file")
    if not file_name and (summary.get("document_id"), recorded) in withdrawn:
        return None
    if not file_name and record.get("document_withheld") == WITHHELD_SMALL_COUNTS:
        if summary.get("kind") not in COUNT_BEARING_KINDS:
            raise Failed(f"{name}: a {summary.get('kind')} document prints no outcome count")
        return None
    if not file_name:
        raise Failed(f"{name}: stored document {recorded} has no file in the dossier")
    path = member(file_name)
    if not path.is_file():
        raise Failed(f"{file_name} is missing (recorded by {name})")
    if sha256_file(path) != recorded:
        raise Failed(f"{file_name} does not match the SHA-256 its audit event {name} recorded")
    return file_name


def check_csv(events: list) -> None:
    try:
        with member("history.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, csv.Error) as error:
        raise Failed(f"history.csv cannot be read: {error}") from None
    if len(rows) != len(events):
        raise Failed(f"history.csv has {len(rows)} events, history.json {len(events)}")
    for index, record in enumerate(events):
        row = rows[index]
        for key in ("id", "leaf_index", "leaf_hash", "leaf_data"):
            if row.get(key) != str(record.get(key)):
                raise Failed(f"history.csv row of event {record.get('id')}: {key} differs")


def check_published(heads: dict, checkpoint: dict, size: int, root: str) -> str:
    wanted = unhex(root, "--published-root")
    for saved in checkpoint.get("checkpoints", []):
        if int(saved["size"]) == size:
            if unhex(saved["root"], "saved root") != wanted:
                raise Failed(f"the published root of size {size} differs from the saved one")
            if size > int(checkpoint["head"]["tree_size"]):
                raise Failed(f"the published checkpoint of size {size} is newer than the dossier")
            return f"published checkpoint of size {size} matches and is consistent"
    if heads.get(size) == wanted:
        return f"published checkpoint of size {size} matches"
    raise Failed(f"no tree head of size {size} with the published root is in checkpoint.json")


def run(published: tuple | None) -> tuple:
    failures: list = []
    check_manifest(failures)
    if failures:
        raise Failed(failures[0])
    checkpoint = load_json("checkpoint.json")
    history = load_json("history.json")
    heads = tree_heads(checkpoint, failures)
    if failures:
        raise Failed(failures[0])
    grant_id = history["grant"]["id"]
    events = history["events"]
    documents = set()
    withdrawn = withdrawn_at_close(events)
    previous = None
    for position, record in enumerate(events, 1):
        check_event(record, heads, grant_id, position)
        if previous is not None and record["leaf_index"] <= previous:
            raise Failed(f"event {record['id']} is out of log order")
        previous = record["leaf_index"]
        if record.get("action") == "document_stored" and record.get("outcome") == "applied":
            kept = check_document(record, f"event {record['id']}", withdrawn)
            if kept is not None:
                documents.add(kept)
    for path in sorted(member("documents").rglob("*")) if member("documents").is_dir() else []:
        name = path.relative_to(HERE).as_posix()
        if path.is_file() and name not in documents:
            raise Failed(f"{name} is not recorded by any document_stored event in history.json")
    check_csv(events)
    notes = []
    if published:
        notes.append(check_published(heads, checkpoint, *published))
    withheld = sum(1 for e in events if e.get("leaf_withheld") == WITHHELD_SMALL_COUNTS)
    left_out = sum(1 for e in events if e.get("document_withheld") == WITHHELD_SMALL_COUNTS)
    if withheld or left_out:
        notes.append(
            f"{withheld} events are given by their leaf hash only and {left_out} documents are "
            "left out, as they hold an outcome count below the fund's threshold (WITHHELD.md): "
            "their place in the log is proven, their content is not shown"
        )
    pending = sum(1 for e in events if not e["inclusion_proof"].get("checkpointed"))
    if pending:
        notes.append(
            f"{pending} events are proven against a tree head computed at export, not a saved "
            "checkpoint: compare it with a checkpoint published later"
        )
    return len(events), len(documents), notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify this grantflow audit dossier.")
    parser.add_argument("--published-size", type=int, help="tree size of a checkpoint you hold")
    parser.add_argument("--published-root", help="root (hex) of that checkpoint")
    args = parser.parse_args(argv)
    if (args.published_size is None) != (args.published_root is None):
        parser.error("give --published-size and --published-root together")
    published = None
    if args.published_size is not None:
        published = (args.published_size, args.published_root.strip().lower())
    try:
        events, documents, notes = run(published)
    except Failed as failure:
        print(f"dossier verification FAILED: {failure}")
        return 1
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        print(f"dossier verification FAILED: malformed dossier ({type(error).__name__}: {error})")
        return 1
    for note in notes:
        print(f"note: {note}")
    print(f"dossier verified: {events} events, {documents} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
