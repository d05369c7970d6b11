"""The auditor's dossier of a grant taken to close-out through real Prefect flow runs.

The dossier is checked the way an auditor would: unpacked in an empty folder, by its own
standard-library script run in an isolated interpreter with an empty environment (no grantflow
importable), and by ``sha256sum -c``. One closed grant (shared with the workflow tests)
serves the whole module.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from documents.audit.dossier import DossierSummary, build_dossier
from documents.builders.audit_dossier import verification_text
from documents.formatting import format_money
from models.audit import leaf_data
from models.checkpoints import CheckpointStore, DatabaseAuditStore
from models.clock import utcnow
from models.data_agreement import DataAgreementVersion, current_version, history
from models.db import Database
from models.errors import WrongState
from models.merkle import (
    audit_path,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    tree_levels,
)
from models.tables import AuditEvent, Grant, Instalment, StoredDocument
from tests.support.databases import copied_database, forge, kept, use_installation
from tests.support.reading import pdf_text, squash, without_spaces

pytestmark = pytest.mark.usefixtures("prefect_harness")
VERIFIER = Path(__file__).resolve().parents[3] / "models" / "dossier_verifier.py"
NOTES = "Sealed panel discussion."  # what models.fictional.script records as deliberation notes


@dataclass
class Closed:
    db: Database
    grant: Grant
    root: Path
    store: CheckpointStore


@pytest.fixture(scope="module")
def closed(closed_grant) -> Iterator[Closed]:
    """The session's closed grant (``closed_grant`` in tests/conftest.py: one grant driven to
    ``closed`` by real flow runs, and one refused action on it), current for the module."""
    from workflows.runtime import reset_caches

    with pytest.MonkeyPatch.context() as patch:
        db = use_installation(patch, closed_grant.root, closed_grant.url)
        root = closed_grant.root
        yield Closed(db, closed_grant.grant, root, DatabaseAuditStore(db))
        db.dispose()
        reset_caches()


@pytest.fixture(scope="module")
def dossier(closed, tmp_path_factory) -> tuple[DossierSummary, Path]:
    """The closed grant's dossier, and a pristine unpacked copy of it."""
    out = tmp_path_factory.mktemp("dossier") / "dossier.zip"
    summary = build_dossier(closed.db, closed.grant.id, out)
    unpacked = tmp_path_factory.mktemp("pristine")
    with zipfile.ZipFile(out) as archive:
        archive.extractall(unpacked)
    return summary, unpacked


def unpack(zip_path: Path, where: Path) -> Path:
    where.mkdir()
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(where)
    return where


def run_verifier(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python3 verify_dossier.py`` in ``folder``: isolated mode, an empty environment."""
    return subprocess.run(
        [sys.executable, "-I", "verify_dossier.py", *args],
        cwd=folder,
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    )


def rows(db: Database, model, grant_id: int) -> list:
    with db.reading() as session:
        return list(
            session.exec(select(model).where(model.grant_id == grant_id).order_by(model.id))
        )


def test_the_dossier_of_a_closed_grant_verifies_without_grantflow(closed, dossier, tmp_path):
    summary, _pristine = dossier
    assert summary.intact and summary.uncheckpointed_events == 0
    events = rows(closed.db, AuditEvent, closed.grant.id)
    documents = rows(closed.db, StoredDocument, closed.grant.id)
    assert {e.outcome for e in events} == {"applied", "denied"}
    assert (summary.events, summary.documents) == (len(events), len(documents))

    folder = unpack(summary.path, tmp_path / "fresh")
    with zipfile.ZipFile(summary.path) as archive:
        names = archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {archive.infolist()[0].date_time}
    assert names == list(summary.members) and names[-1] == "MANIFEST.sha256"
    assert names[:3] == ["VERIFY.md", "verify_dossier.py", "audit-report.pdf"]
    assert sorted(p.name for p in (folder / "documents").iterdir()) == sorted(
        d.filename for d in documents
    )
    assert {d.format for d in documents} == {"pdf", "docx"}

    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"dossier verified: {len(events)} events, {len(documents)} documents" in result.stdout
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "-c", "--strict", "MANIFEST.sha256"], cwd=folder, capture_output=True
        )
        assert check.returncode == 0, check.stdout

    history = json.loads((folder / "history.json").read_text(encoding="utf-8"))
    checkpoint = json.loads((folder / "checkpoint.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in history["events"]] == [e.id for e in events]
    for record, event in zip(history["events"], events, strict=True):
        assert record["leaf_data"].encode() == leaf_data(event)
        assert record["leaf_hash"] == leaf_hash(leaf_data(event)).hex()
        assert record["inclusion_proof"]["tree_size"] == checkpoint["tree_size"]
        assert record["inclusion_proof"]["checkpointed"] is True
    assert checkpoint["root"] == closed.store.checkpoints()[-1].root
    assert "document_stored" in {r["action"] for r in history["events"]}
    csv_text = (folder / "history.csv").read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") == len(events) + 1

    again = build_dossier(closed.db, closed.grant.id, tmp_path / "again.zip")
    assert again.path.read_bytes() == summary.path.read_bytes(), "same log, same bytes"


def test_the_report_names_the_grant_every_document_hash_and_the_verification(closed, dossier):
    summary, pristine = dossier
    text = squash(pdf_text((pristine / "audit-report.pdf").read_bytes()))
    unspaced = "".join(text.split())
    assert closed.grant.reference in text
    for document in rows(closed.db, StoredDocument, closed.grant.id):
        assert document.sha256 in unspaced, document.filename
    assert summary.verification.intact
    assert squash(verification_text(summary.verification)) in text
    assert f"Audit log intact: {summary.verification.events_checked} events" in text
    assert "Withheld from this dossier" in text and "OCAP" in text
    instalments = rows(closed.db, Instalment, closed.grant.id)
    assert instalments and {i.state for i in instalments} == {"released"}
    for instalment in instalments:
        assert format_money(instalment.amount_cents, "en") in text, instalment.sequence
    assert format_money(sum(i.amount_cents for i in instalments), "en") in text
    assert "When(America/Toronto)" in unspaced
    for event in rows(closed.db, AuditEvent, closed.grant.id):
        if event.action != "document_stored" and event.flow_run_id:
            assert event.flow_run_id in unspaced, event.action


def remanifest(folder: Path) -> None:
    """What a forger would do after an edit: recompute the manifest."""
    lines = []
    for line in (folder / "MANIFEST.sha256").read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n")
    (folder / "MANIFEST.sha256").write_text("".join(lines))


def edit_history(folder: Path, change) -> None:
    path = folder / "history.json"
    history = json.loads(path.read_text(encoding="utf-8"))
    change(history["events"])
    path.write_text(json.dumps(history, indent=2, ensure_ascii=False), encoding="utf-8")


def flip_document_byte(folder: Path) -> None:
    target = sorted((folder / "documents").glob("*.pdf"))[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))


def forge_leaf_data(events: list[dict]) -> None:
    event = next(e for e in events if e["action"] == "approve" and e["outcome"] == "applied")
    event["leaf_data"] = event["leaf_data"].replace('"role":"approver"', '"role":"officer"')
    event["role"] = "officer"


def forge_leaf_and_hash(events: list[dict]) -> None:
    forge_leaf_data(events)
    event = next(e for e in events if e["action"] == "approve" and e["outcome"] == "applied")
    event["leaf_hash"] = leaf_hash(event["leaf_data"].encode()).hex()


def alter_proof_node(events: list[dict]) -> None:
    path = events[3]["inclusion_proof"]["audit_path"]
    path[-1] = ("0" if path[-1][0] != "0" else "1") + path[-1][1:]


def shown_field(events: list[dict]) -> None:
    events[0]["actor_name"] = "Someone Else"


def forged_root(folder: Path) -> None:
    path = folder / "checkpoint.json"
    checkpoint = json.loads(path.read_text())
    forged = "00" * 32
    checkpoint["root"] = checkpoint["head"]["root"] = checkpoint["checkpoints"][-1]["root"] = forged
    path.write_text(json.dumps(checkpoint))


TAMPERINGS = {
    "a document byte": (
        flip_document_byte,
        False,
        r"documents/\S+\.pdf does not match its SHA-256",
    ),
    "a document byte, manifest recomputed": (
        flip_document_byte,
        True,
        r"documents/\S+\.pdf does not match the SHA-256 its audit event event \d+ recorded",
    ),
    "leaf data": (
        lambda f: edit_history(f, forge_leaf_data),
        False,
        "history.json does not match its SHA-256",
    ),
    "leaf data, manifest recomputed": (
        lambda f: edit_history(f, forge_leaf_data),
        True,
        "its leaf_data does not hash to its leaf_hash",
    ),
    "leaf data and leaf hash, manifest recomputed": (
        lambda f: edit_history(f, forge_leaf_and_hash),
        True,
        "its inclusion proof does not lead to the root",
    ),
    "a proof node, manifest recomputed": (
        lambda f: edit_history(f, alter_proof_node),
        True,
        "its inclusion proof does not lead to the root",
    ),
    "a shown field, manifest recomputed": (
        lambda f: edit_history(f, shown_field),
        True,
        "field 'actor_name' differs from its leaf_data",
    ),
    "the root, manifest recomputed": (forged_root, True, "inclusion proof does not lead"),
    "an extra file": (
        lambda f: (f / "documents" / "extra.pdf").write_bytes(b"%PDF"),
        False,
        "documents/extra.pdf is not listed in MANIFEST.sha256",
    ),
}


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_tampering_with_the_unpacked_dossier_fails_verification_naming_it(dossier, tmp_path, kind):
    _summary, pristine = dossier
    tamper, forge_manifest, message = TAMPERINGS[kind]
    folder = tmp_path / "copy"
    shutil.copytree(pristine, folder)
    tamper(folder)
    if forge_manifest:
        remanifest(folder)
    result = run_verifier(folder)
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("dossier verification FAILED: "), result.stdout
    assert re.search(message, result.stdout), result.stdout


def test_sealed_notes_are_withheld_unless_the_data_agreement_allows_them(closed, dossier, tmp_path):
    summary, pristine = dossier
    with closed.db.reading() as session:
        assert session.get(Grant, closed.grant.id).sealed_deliberation_notes == NOTES
    assert not summary.notes_included
    assert not (pristine / "sealed-notes.txt").exists()
    withheld = (pristine / "WITHHELD.md").read_text(encoding="utf-8")
    assert "deliberation notes are withheld" in withheld and "OCAP" in withheld
    assert "does not allow it" in withheld
    assert "Individual reviewers’ scores are never included" in withheld
    for path in pristine.rglob("*"):
        if path.is_file() and path.suffix not in (".pdf", ".docx"):
            assert NOTES not in path.read_text(encoding="utf-8"), path
    assert NOTES not in pdf_text((pristine / "audit-report.pdf").read_bytes())

    set_notes_allowed(closed, True)
    try:
        allowed = build_dossier(closed.db, closed.grant.id, tmp_path / "allowed.zip")
    finally:
        set_notes_allowed(closed, False)
    assert allowed.notes_included
    folder = unpack(allowed.path, tmp_path / "allowed")
    assert NOTES in (folder / "sealed-notes.txt").read_text(encoding="utf-8")
    assert "are included as sealed-notes.txt" in (folder / "WITHHELD.md").read_text()
    assert run_verifier(folder).returncode == 0


def set_notes_allowed(closed: Closed, allowed: bool) -> None:
    """A new version of the organisation's agreement in force (versions are append-only, so
    putting the old choice back is one more version)."""
    with closed.db.transaction() as session:
        organisation_id = closed.grant.organisation_id
        in_force = current_version(session, organisation_id)
        assert in_force is not None
        terms = in_force.terms().model_copy(
            update={"notes_readers": "governance_and_auditors" if allowed else "governance_body"}
        )
        latest = max(v.version for v in history(session, organisation_id))
        now = utcnow()
        session.add(
            DataAgreementVersion(
                organisation_id=organisation_id,
                version=latest + 1,
                **terms.model_dump(),
                proposed_by_party="organisation",
                proposed_at=now,
                accepted_at=now,
            )
        )


def test_audit_export_command(closed, tmp_path):
    from service.cli import app

    runner = CliRunner()
    unknown = runner.invoke(app, ["audit", "export", "--grant", "9999", "--out", "x.zip"])
    assert unknown.exit_code == 2
    assert "grant 9999 does not exist" in unknown.output
    out = tmp_path / "by-reference.zip"
    exported = runner.invoke(
        app, ["audit", "export", "--grant", closed.grant.reference, "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert f"dossier of {closed.grant.reference}" in exported.output
    assert "audit log intact" in exported.output
    assert zipfile.is_zipfile(out)


def copy_installation(closed: Closed, copy: Path, monkeypatch) -> tuple[Database, CheckpointStore]:
    """The module's installation copied to ``copy`` and made current (monkeypatched env)."""
    from workflows.runtime import database, reset_caches

    shutil.copytree(closed.root, copy, ignore=shutil.ignore_patterns("grantflow.db*"))
    monkeypatch.setenv("GRANTFLOW_DATABASE_URL", kept(copied_database(closed.db.url, copy)))
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_DIR", str(copy / "documents"))
    reset_caches()
    return database(), DatabaseAuditStore(database())


def test_a_tampered_log_gets_a_dossier_that_says_so_and_does_not_verify(
    closed, dossier, tmp_path, monkeypatch
):
    from workflows.runtime import reset_caches

    db, _store = copy_installation(closed, tmp_path / "installation", monkeypatch)
    approve = next(
        e
        for e in rows(db, AuditEvent, closed.grant.id)
        if (e.action, e.outcome) == ("approve", "applied")
    )
    forged = {"id": approve.id}
    forge(db, "UPDATE auditevent SET actor_name = 'Forger' WHERE id = :id", params=forged)
    try:
        summary = build_dossier(db, closed.grant.id, tmp_path / "t.zip")
    finally:
        db.dispose()
        reset_caches()
    assert not summary.intact
    assert f"event {approve.id} " in summary.verification.failure
    folder = unpack(summary.path, tmp_path / "tampered")
    text = squash(pdf_text((folder / "audit-report.pdf").read_bytes()))
    assert squash(f"Audit log verification FAILED: event {approve.id}") in text
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "inclusion proof does not lead to the root" in result.stdout


def test_an_altered_and_a_missing_stored_file_are_named_as_such_and_left_out(
    closed, tmp_path, monkeypatch
):
    from workflows.runtime import reset_caches

    db, _store = copy_installation(closed, tmp_path / "installation", monkeypatch)
    altered, missing = rows(db, StoredDocument, closed.grant.id)[:2]
    documents = tmp_path / "installation" / "documents"
    for document in (altered, missing):
        (documents / document.storage_key).chmod(0o600)
    (documents / altered.storage_key).write_bytes(b"not the stored document")
    (documents / missing.storage_key).unlink()
    try:
        summary = build_dossier(db, closed.grant.id, tmp_path / "t.zip")
    finally:
        db.dispose()
        reset_caches()
    assert not summary.intact
    folder = unpack(summary.path, tmp_path / "unpacked")
    # A file name is one long word that its table cell may break anywhere: compared without
    # the spaces and line breaks the PDF puts in.
    text = without_spaces(pdf_text((folder / "audit-report.pdf").read_bytes()))
    assert without_spaces(f"{altered.filename} (ALTERED: its bytes no longer match") in text
    assert without_spaces(f"{missing.filename} (MISSING from the document store)") in text
    shipped = {path.name for path in (folder / "documents").iterdir()}
    assert altered.filename not in shipped and missing.filename not in shipped
    assert run_verifier(folder).returncode == 1


def test_events_after_the_last_checkpoint_are_proven_against_a_fresh_head(
    closed, dossier, tmp_path, monkeypatch
):
    """On a copy of the installation: one event, a checkpoint, one more event, no checkpoint."""
    from models.checkpoints import checkpoint
    from models.engine import record_denial
    from models.fictional.script import actor
    from models.tables import User
    from workflows.runtime import reset_caches

    db, store = copy_installation(closed, tmp_path / "installation", monkeypatch)
    try:
        with db.reading() as session:
            someone = actor(session.exec(select(User)).first())
        first = store.checkpoints()[0]
        record_denial(db, closed.grant.id, "close", someone, WrongState("already closed"))
        second = checkpoint(db, store)
        record_denial(db, closed.grant.id, "close", someone, WrongState("already closed"))
        summary = build_dossier(db, closed.grant.id, tmp_path / "p.zip", make_checkpoint=False)
    finally:
        db.dispose()
        reset_caches()
    assert summary.uncheckpointed_events == 1 and summary.intact
    folder = unpack(summary.path, tmp_path / "pending")
    proofs = json.loads((folder / "checkpoint.json").read_text())
    assert (proofs["tree_size"], proofs["root"]) == (second.size, second.root)
    assert proofs["uncheckpointed_head"]["tree_size"] == second.size + 1
    assert proofs["checkpoints"][0]["consistency_proof"], "size n to n+1 needs a real proof"

    result = run_verifier(
        folder, "--published-size", str(first.size), "--published-root", first.root
    )
    assert result.returncode == 0, result.stdout
    assert "1 events are proven against a tree head computed at export" in result.stdout
    assert f"published checkpoint of size {first.size} matches and is consistent" in result.stdout
    wrong = run_verifier(folder, "--published-size", str(first.size), "--published-root", "ab" * 32)
    assert wrong.returncode == 1 and "differs from the saved one" in wrong.stdout

    proofs["checkpoints"][0]["consistency_proof"][0] = "cd" * 32
    (folder / "checkpoint.json").write_text(json.dumps(proofs))
    remanifest(folder)
    broken = run_verifier(folder)
    assert broken.returncode == 1
    assert f"checkpoint of size {first.size} is not consistent" in broken.stdout


def test_the_shipped_verifier_agrees_with_models_merkle():
    """The standalone script re-implements RFC 9162 verification: it must accept exactly what
    models.merkle accepts, on honest and corrupted proofs alike."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("shipped_verifier", VERIFIER)
    verifier = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(verifier)  # type: ignore[union-attr]
    from models.merkle import verify_consistency, verify_inclusion

    for size in range(1, 34):
        leaves = [leaf_hash(str(i).encode()) for i in range(size)]
        head, levels = root(leaves), tree_levels(leaves)
        for index in range(size):
            proof = audit_path(levels, index)
            assert proof == inclusion_proof(leaves, index)
            corrupt = [bytes(32)] + proof[1:] if proof else proof
            for args in (
                (leaves[index], index, size, proof, head),
                (leaves[index], index + 1, size, proof, head),
                (leaves[index], index, size + 1, proof, head),
                (leaves[index], index, size, corrupt, head),
                (leaves[index], index, size, proof[:-1], head),
            ):
                assert verifier.verify_inclusion(*args) == verify_inclusion(*args), (size, index)
        for old in range(1, size + 1):
            proof = consistency_proof(leaves, old)
            for args in (
                (old, size, root(leaves[:old]), head, proof),
                (old, size, root(leaves[:old]), head, proof[:-1]),
                (old, size, root(leaves[:old]), bytes(32), proof),
            ):
                assert verifier.verify_consistency(*args) == verify_consistency(*args), (old, size)


def test_small_outcome_counts_are_withheld_and_the_dossier_still_verifies(
    closed, tmp_path, monkeypatch
):
    """With the fund's threshold above every count the grant reported, each report's submission
    is given by its leaf hash alone, its counts null, and its receipts are left out; the
    verifier proves those events' place in the log and says what it could not check; a
    withheld count put back, or a withheld leaf given a different hash, fails it."""
    from documents.audit.small_counts import COUNT_BEARING_KINDS, WITHHELD_FOR
    from models import dossier_verifier
    from models.payloads import AGGREGATE_FIELDS
    from models.tables import Fund
    from workflows.runtime import reset_caches

    assert (dossier_verifier.WITHHELD_SMALL_COUNTS, dossier_verifier.COUNT_BEARING_KINDS) == (
        WITHHELD_FOR,
        COUNT_BEARING_KINDS,
    )
    db, _store = copy_installation(closed, tmp_path / "installation", monkeypatch)
    submissions = [
        e
        for e in rows(db, AuditEvent, closed.grant.id)
        if (e.action, e.outcome) == ("submit_report", "applied")
    ]
    receipts = [d for d in rows(db, StoredDocument, closed.grant.id) if d.kind == "report_receipt"]
    assert submissions and receipts
    largest = max(e.payload_summary[name] for e in submissions for name in AGGREGATE_FIELDS)
    with db.transaction() as session:
        fund = session.exec(select(Fund)).one()
        fund.small_cell_threshold = largest + 1
        session.add(fund)
    try:
        summary = build_dossier(db, closed.grant.id, tmp_path / "small.zip")
    finally:
        db.dispose()
        reset_caches()
    assert summary.intact
    folder = unpack(summary.path, tmp_path / "small")
    events = json.loads((folder / "history.json").read_text())["events"]
    withheld = [e for e in events if e.get("leaf_withheld") == WITHHELD_FOR]
    assert sorted(e["id"] for e in withheld) == sorted(e.id for e in submissions)
    for record in withheld:
        assert record["leaf_data"] == ""
        shown = [record["payload_summary"][name] for name in AGGREGATE_FIELDS]
        assert all(value in (None, 0) for value in shown), shown
    left_out = [e for e in events if e.get("document_withheld") == WITHHELD_FOR]
    assert len(left_out) == len(receipts)
    present = {p.name for p in (folder / "documents").iterdir()}
    assert not present & {d.filename for d in receipts}
    assert "report receipt file(s) printing such a count" in (folder / "WITHHELD.md").read_text()

    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout
    assert f"{len(withheld)} events are given by their leaf hash only" in result.stdout

    pristine = (folder / "history.json").read_text()
    position = events.index(withheld[0])
    for field, value, says in (
        ("leaf_hash", "00" * 32, "inclusion proof does not lead to the root"),
        ("leaf_data", '{"people_served_new":3}', "says its leaf data is withheld but gives it"),
        ("action", "approve", "only a report's submission withholds its leaf data"),
    ):
        history = json.loads(pristine)
        history["events"][position][field] = value
        (folder / "history.json").write_text(json.dumps(history))
        remanifest(folder)
        forged = run_verifier(folder)
        assert forged.returncode == 1, field
        assert says in forged.stdout, forged.stdout
