"""An organisation's complete export (issue 14), on a real installation: two grants of one
organisation taken through real flow runs (one to close-out, one declined after review), their
documents rendered by WeasyPrint and python-docx, exported through the command line and through
the API, unpacked in a fresh folder and checked by ``verify.py`` under a separate interpreter;
then every record is read back from the JSON and the CSV and compared with the database.

Markers planted in the sealed deliberation notes and a reviewer's conflict note must appear
nowhere in the ZIP, not even inside its PDFs and DOCX files; staff-only documents stay out.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from documents import KINDS
from models.tables import (
    Amendment,
    BudgetLine,
    Contact,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    ReviewAssignment,
    StoredDocument,
)
from models.visibility import applying_role
from service.authz import applicant_view_audiences
from service.cli import app
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.reading import docx_text, pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

NOTES_MARKER = "SEALED-NOTES-MARKER-7Q2"
CONFLICT_MARKER = "CONFLICT-NOTE-MARKER-K9X"
# Python with no site packages and no grantflow on its path, as on another machine.
OTHER_PYTHON = [shutil.which("python3") or sys.executable, "-I"]


@dataclass(frozen=True)
class Exported:
    world: ApiWorld
    organisation_id: int
    grant_ids: tuple[int, ...]
    cli_zip: Path
    api_zip: bytes


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    with module_api_world(tmp_path_factory.mktemp("organisation-export")) as api:
        yield api


def plant_markers(world: ApiWorld, grant_ids: list[int]) -> None:
    """What never leaves: the panel's sealed notes, a reviewer's note on a conflict."""
    with world.db.transaction() as session:
        for grant_id in grant_ids:
            grant = session.get(Grant, grant_id)
            grant.sealed_deliberation_notes = f"{NOTES_MARKER} discussed at length"
            session.add(grant)
            assignment = session.exec(
                select(ReviewAssignment).where(ReviewAssignment.grant_id == grant_id)
            ).first()
            assignment.conflict_note = f"{CONFLICT_MARKER} cousin of the director"
            session.add(assignment)


@pytest.fixture(scope="module")
def exported(world: ApiWorld, tmp_path_factory) -> Exported:
    closed = world.grant_at(0, stop_after="close", variant="amended")  # amendment 1 in force
    declined = world.grant_at(0, stop_after="decline", variant="declined_at_approval")
    ids = [closed["id"], declined["id"]]
    plant_markers(world, ids)
    organisation_id = closed["organisation_id"]
    out = tmp_path_factory.mktemp("cli-export") / "org.zip"
    result = CliRunner().invoke(
        app, ["org", "export", "--org", str(organisation_id), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 grants" in result.output
    response = world.client.get(
        f"/api/v1/organisations/{organisation_id}/export",
        headers=world.headers(world.applicant_of(0)),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return Exported(world, organisation_id, tuple(ids), out, response.content)


def unpack(data: bytes, where: Path) -> Path:
    where.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(where)
    return where


def run_verifier(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OTHER_PYTHON, "verify.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(params=["cli", "api"])
def folder(request, exported: Exported, tmp_path: Path) -> Path:
    data = exported.cli_zip.read_bytes() if request.param == "cli" else exported.api_zip
    return unpack(data, tmp_path / "unpacked")


def test_the_unpacked_export_verifies(folder: Path) -> None:
    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified: every file matches manifest.json" in result.stdout


def test_one_changed_byte_fails_verification(folder: Path) -> None:
    document = next((folder / "documents").rglob("*.pdf"))
    data = bytearray(document.read_bytes())
    data[len(data) // 2] ^= 0x01
    document.write_bytes(bytes(data))
    result = run_verifier(folder)
    assert result.returncode == 1
    assert f"changed: {document.relative_to(folder).as_posix()}" in result.stdout


def test_a_deleted_file_fails_verification(folder: Path) -> None:
    (folder / "records" / "contacts.json").unlink()
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "missing: records/contacts.json" in result.stdout


def test_an_added_file_fails_verification(folder: Path) -> None:
    (folder / "csv" / "extra.csv").write_text("planted\n")
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "extra: csv/extra.csv (not in the manifest)" in result.stdout


def test_the_manifest_lists_every_file_with_its_digest(folder: Path, exported: Exported) -> None:
    import hashlib

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "grantflow-organisation-export/1"
    assert manifest["format_version"] == 1
    assert manifest["organisation_id"] == exported.organisation_id
    assert manifest["grantflow_version"] == "0.1.0"
    assert manifest["exported_at"]
    assert manifest["includes_deliberation_notes"] is False
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {f["path"] for f in manifest["files"]} == on_disk - {"manifest.json"}
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["size"]


def test_both_ways_give_the_same_files_in_the_same_order(exported: Exported) -> None:
    with (
        zipfile.ZipFile(exported.cli_zip) as cli,
        zipfile.ZipFile(io.BytesIO(exported.api_zip)) as api,
    ):
        assert cli.namelist() == api.namelist()
        names = cli.namelist()
    assert names[0] == "verify.py" and names[-1] == "manifest.json"
    assert names[1:3] == ["records/organisation.json", "records/contacts.json"]


def _grant_json(folder: Path, reference: str) -> dict[str, Any]:
    return json.loads((folder / "records" / f"grant-{reference}.json").read_text("utf-8"))


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    text = (folder / "csv" / name).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf"), f"{name} has no byte-order mark"
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"), newline="")))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def test_every_record_reads_back_equal_to_the_database(folder: Path, exported: Exported) -> None:
    db = exported.world.db
    with db.reading() as session:
        organisation = session.get(Organisation, exported.organisation_id)
        contacts = session.exec(
            select(Contact).where(Contact.organisation_id == exported.organisation_id)
        ).all()
        grants = session.exec(
            select(Grant).where(Grant.organisation_id == exported.organisation_id)
        ).all()
        assert sorted(g.id for g in grants) == sorted(exported.grant_ids)
        assert sorted(g.state for g in grants) == ["closed", "declined"]
        org_json = json.loads((folder / "records/organisation.json").read_text("utf-8"))
        assert org_json["legal_name"] == organisation.legal_name
        assert org_json["business_number"] == organisation.business_number
        assert org_json["data_governance_consent"] == organisation.data_governance_consent
        contacts_json = json.loads((folder / "records/contacts.json").read_text("utf-8"))
        assert [(c["name"], c["email"], c["signing_authority"]) for c in contacts_json] == [
            (c.name, c.email, c.signing_authority) for c in contacts
        ]
        assert [r["email"] for r in _csv(folder, "contacts.csv")] == [c.email for c in contacts]
        csv_grants = {r["reference"]: r for r in _csv(folder, "grants.csv")}
        csv_instalments = _csv(folder, "instalments.csv")
        csv_reports = _csv(folder, "outcome_reports.csv")
        csv_budget = _csv(folder, "budget_lines.csv")
        csv_documents = {r["path"]: r for r in _csv(folder, "documents.csv")}
        csv_amendments = _csv(folder, "amendments.csv")
        assert set(csv_grants) == {g.reference for g in grants}
        for grant in grants:
            record = _grant_json(folder, grant.reference)
            assert record["id"] == grant.id
            assert record["project_title"] == grant.project_title
            assert record["requested_cents"] == grant.requested_cents
            assert record["approved_cents"] == grant.approved_cents
            assert record["state"] == grant.state
            assert record["start_date"] == grant.start_date.isoformat()
            assert record["conditions"] == grant.conditions
            assert record["decline_reason"] == grant.decline_reason
            row = csv_grants[grant.reference]
            assert row["state"] == grant.state
            assert row["requested_cents"] == str(grant.requested_cents)
            assert row["approved_cents"] == _text(grant.approved_cents)
            _budget_equal(session, grant, record, csv_budget)
            _instalments_equal(session, grant, record, csv_instalments)
            _reports_equal(session, grant, record, csv_reports)
            _amendments_equal(session, grant, record, csv_amendments)
            _documents_equal(session, grant, record, csv_documents, folder)
            _review_as_the_applicant_sees_it(grant, record)
    for grant in grants:
        _history_as_the_applicant_is_told_it(
            exported.world, grant, _grant_json(folder, grant.reference)
        )


def _budget_equal(session, grant: Grant, record: dict, csv_rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    lines = session.exec(
        select(BudgetLine).where(BudgetLine.grant_id == grant.id).order_by(BudgetLine.fiscal_year)
    ).all()
    expected = [(b.fiscal_year, b.requested_cents, b.approved_cents) for b in lines]
    assert expected
    assert [
        (b["fiscal_year"], b["requested_cents"], b["approved_cents"])
        for b in record["budget_lines"]
    ] == expected
    mine = [r for r in csv_rows if r["grant_reference"] == grant.reference]
    assert [(r["fiscal_year"], r["requested_cents"], r["approved_cents"]) for r in mine] == [
        (str(y), str(r), _text(a)) for y, r, a in expected
    ]


def _instalments_equal(session, grant: Grant, record: dict, csv_rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(Instalment).where(Instalment.grant_id == grant.id).order_by(Instalment.sequence)
    ).all()
    assert [
        (i["sequence"], i["kind"], i["amount_cents"], i["state"], i["due_date"])
        for i in record["instalments"]
    ] == [(i.sequence, i.kind, i.amount_cents, i.state, i.due_date.isoformat()) for i in rows]
    mine = [r for r in csv_rows if r["grant_reference"] == grant.reference]
    assert [(r["sequence"], r["amount_cents"], r["state"]) for r in mine] == [
        (str(i.sequence), str(i.amount_cents), i.state) for i in rows
    ]
    if grant.state == "closed":
        assert rows and all(i.released_at is not None for i in rows if i.state == "released")
        assert any(i["released_at"] for i in record["instalments"])


def _amendments_equal(session, grant: Grant, record: dict, csv_rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(Amendment).where(Amendment.grant_id == grant.id).order_by(Amendment.sequence)
    ).all()
    terms = ("approved_cents", "end_date")
    assert [
        (a["sequence"], a["state"], *(a[f"{t}_after"] for t in terms), a["approved_cents_reason"])
        for a in record["amendments"]
    ] == [
        (
            a.sequence,
            a.state,
            a.approved_cents_after,
            a.end_date_after and a.end_date_after.isoformat(),
            a.approved_cents_reason,
        )
        for a in rows
    ]
    mine = [r for r in csv_rows if r["grant_reference"] == grant.reference]
    assert [(r["sequence"], r["state"], r["approved_cents_after"]) for r in mine] == [
        (str(a.sequence), a.state, _text(a.approved_cents_after)) for a in rows
    ]
    if grant.state == "closed":  # the amended grant: its amendment is in force, its amount paid
        assert [a.state for a in rows] == ["in_force"]
        assert grant.approved_cents == rows[0].approved_cents_after
        assert record["amendments"][0]["state_label"]


def _reports_equal(session, grant: Grant, record: dict, csv_rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(OutcomeReport)
        .where(OutcomeReport.grant_id == grant.id)
        .order_by(OutcomeReport.sequence)
    ).all()
    assert [
        (r["sequence"], r["state"], r["expenditure_cents"], r["aggregates"])
        for r in record["outcome_reports"]
    ] == [(r.sequence, r.state, r.expenditure_cents, r.aggregates) for r in rows]
    mine = [r for r in csv_rows if r["grant_reference"] == grant.reference]
    assert len(mine) == len(rows)
    for row, report in zip(mine, rows, strict=True):
        assert row["sequence"] == str(report.sequence)
        for name, count in report.aggregates.items():
            assert row[name] == str(count)  # the organisation's own figures, exact
    if grant.state == "closed":
        assert rows and all(r.aggregates for r in rows)


def _documents_equal(session, grant, record, csv_rows, folder: Path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    stored = session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant.id)).all()
    readable = applicant_view_audiences()
    expected = {d.id: d for d in stored if KINDS[d.kind].audience in readable}
    staff_only = {d.id for d in stored} - set(expected)
    assert expected and staff_only, "the grant should have both kinds of document"
    listed = {d["id"]: d for d in record["documents"]}
    assert set(listed) == set(expected)
    for document_id, document in expected.items():
        entry = listed[document_id]
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == document.sha256 == entry["sha256"]
        assert entry["path"].startswith(f"documents/{grant.reference}/")
        assert csv_rows[entry["path"]]["sha256"] == document.sha256
    on_disk = {
        p.relative_to(folder).as_posix() for p in (folder / "documents" / grant.reference).iterdir()
    }
    assert on_disk == {listed[i]["path"] for i in expected}


def _review_as_the_applicant_sees_it(grant: Grant, record: dict) -> None:
    review = record["review"]
    assert review["consensus_rating"] == grant.consensus_rating
    assert review["recommended_cents"] == grant.recommended_cents
    assert review["decision"]["state"] == grant.state
    assert review["decision"]["approved_cents"] == grant.approved_cents
    assert "deliberation_notes" not in review
    assert "panel_means" not in review  # the applicant's view has no scores (models.visibility)


def _history_as_the_applicant_is_told_it(world: ApiWorld, grant: Grant, record: dict) -> None:
    """The same events, actors and summaries as the applicant's own history route answers."""
    response = world.client.get(
        f"/api/v1/grants/{grant.id}/history", headers=world.headers(world.applicant_of(0))
    )
    assert response.status_code == 200, response.text
    fields = ("id", "action", "outcome", "actor", "role", "from_state", "to_state", "summary")
    told = [{f: e[f] for f in fields} for e in response.json()]
    history = record["history"]
    assert [{f: e[f] for f in fields} for e in history] == told
    assert "submit" in [e["action"] for e in history]
    assert all(e["outcome"] == "applied" for e in history)
    panel_events = [e for e in history if e["action"] in ("declare_conflict", "score")]
    assert panel_events and {e["actor"] for e in panel_events} == {"Community review panel member"}
    assert all("deliberation_notes" not in e["summary"] for e in history)


def _all_text_in(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        name = path.relative_to(folder).as_posix()
        yield name, data.decode("utf-8", errors="replace")
        if path.suffix == ".pdf":
            yield name, pdf_text(data)
        elif path.suffix == ".docx":
            yield name, docx_text(data)


def test_no_sealed_note_and_no_conflict_note_leaves(folder: Path) -> None:
    for name, text in _all_text_in(folder):
        assert NOTES_MARKER not in text, name
        assert CONFLICT_MARKER not in text, name


def test_the_markers_are_really_in_the_database(exported: Exported) -> None:
    """So the test above could fail: the notes it looks for are there to leak."""
    with exported.world.db.reading() as session:
        grants = [session.get(Grant, i) for i in exported.grant_ids]
        assert all(NOTES_MARKER in g.sealed_deliberation_notes for g in grants)
        notes = session.exec(select(ReviewAssignment.conflict_note)).all()
        assert any(CONFLICT_MARKER in n for n in notes)


# Who may have the export through the API. The signing authority of the organisation: 200.
# Another user of the same organisation who is not a signing contact: 403. Anyone who may not
# see the organisation (another organisation's applicant, a reviewer): 404, as if it did not
# exist. Staff see the organisation but the API export is the organisation's own: 403 (the
# installation's operator runs `grantflow org export`).
def test_who_may_export_through_the_api(exported: Exported) -> None:
    world = exported.world
    path = f"/api/v1/organisations/{exported.organisation_id}/export"
    colleague = world.user_with_roles(applying_role(), organisation_index=0)
    expected = {
        "another user of the organisation": (colleague, 403),
        "another organisation's applicant": (world.applicant_of(1), 404),
        "a reviewer": (world.cast.reviewers[0], 404),
        "an officer": (world.cast.screening_officer, 403),
        "the approver": (world.cast.approver, 403),
        "finance": (world.cast.finance, 403),
        "an auditor": (world.cast.auditor, 403),
    }
    for who, (user, status) in expected.items():
        response = world.client.get(path, headers=world.headers(user))
        assert response.status_code == status, (who, response.text)
        assert response.headers["content-type"] == "application/problem+json", who
        assert response.json()["detail"], who
    anonymous = world.client.get(path)
    assert anonymous.status_code == 401
    missing = world.client.get(
        "/api/v1/organisations/999999/export", headers=world.headers(world.applicant_of(0))
    )
    assert missing.status_code == 404
    own = world.client.get(path, headers=world.headers(world.applicant_of(0)))
    assert own.status_code == 200


def test_cli_refuses_an_unknown_organisation_and_a_directory(
    tmp_path: Path, exported: Exported
) -> None:
    unknown = CliRunner().invoke(
        app, ["org", "export", "--org", "999999", "--out", str(tmp_path / "x.zip")]
    )
    assert unknown.exit_code == 2
    assert "no organisation" in unknown.output
    assert not (tmp_path / "x.zip").exists()
    directory = CliRunner().invoke(
        app, ["org", "export", "--org", str(exported.organisation_id), "--out", str(tmp_path)]
    )
    assert directory.exit_code == 2
    assert "is a directory" in directory.output


def test_the_notes_go_in_only_when_the_hook_says_so(exported: Exported, tmp_path: Path) -> None:
    """``include_deliberation_notes`` (for the data agreement to wire): the scan above finds
    the notes when they are put in, so its passing means they were left out."""
    from service.exports.organisation import write_organisation_export
    from workflows.runtime import document_store

    out = tmp_path / "with-notes.zip"
    write_organisation_export(
        exported.world.db,
        exported.organisation_id,
        out,
        document_store(),
        include_deliberation_notes=True,
    )
    folder = unpack(out.read_bytes(), tmp_path / "with-notes")
    leaked = {name for name, text in _all_text_in(folder) if NOTES_MARKER in text}
    assert leaked == {f"records/grant-{ref}.json" for ref in _references(exported)}
    assert not any(CONFLICT_MARKER in text for _name, text in _all_text_in(folder))
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["includes_deliberation_notes"] is True
    assert run_verifier(folder).returncode == 0


def _references(exported: Exported) -> list[str]:
    with exported.world.db.reading() as session:
        return [session.get(Grant, i).reference for i in exported.grant_ids]
