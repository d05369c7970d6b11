"""The organisation export's verifier, on a real ZIP written by ``ExportArchive`` and
unpacked: run by a separate interpreter in isolated mode, it passes an untouched folder and
names every changed, missing or extra file; a failed export leaves no file behind."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from documents.exports.archive import MANIFEST, ExportArchive

MOMENT = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


def written(tmp_path: Path) -> Path:
    out = tmp_path / "out" / "export.zip"
    with ExportArchive(out, MOMENT, {"organisation_id": 7}) as archive:
        archive.add_verifier()
        archive.add_bytes("records/a.json", b'{"a": 1}\n')
        archive.add_chunks("documents/G-1/letter.pdf", [b"%PDF-", b"x" * 100_000])
    return out


def unpacked(zip_path: Path, where: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(where)
    return where


def verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, timeout=60
    )


def test_untouched_export_verifies(tmp_path: Path) -> None:
    folder = unpacked(written(tmp_path), tmp_path / "unpacked")
    manifest = json.loads((folder / MANIFEST).read_text())
    assert [f["path"] for f in manifest["files"]] == [
        "verify.py",
        "records/a.json",
        "documents/G-1/letter.pdf",
    ]
    assert manifest["organisation_id"] == 7
    result = verify(folder)
    assert result.returncode == 0, result.stdout
    assert "verified" in result.stdout


def test_zip_members_in_writing_order_manifest_last(tmp_path: Path) -> None:
    with zipfile.ZipFile(written(tmp_path)) as archive:
        assert archive.namelist()[-1] == MANIFEST
        assert archive.namelist()[0] == "verify.py"


def test_one_changed_byte_is_found(tmp_path: Path) -> None:
    folder = unpacked(written(tmp_path), tmp_path / "unpacked")
    target = folder / "documents/G-1/letter.pdf"
    data = bytearray(target.read_bytes())
    data[50_000] ^= 1
    target.write_bytes(bytes(data))
    result = verify(folder)
    assert result.returncode == 1
    assert "changed: documents/G-1/letter.pdf" in result.stdout
    assert "NOT VERIFIED" in result.stdout


def test_missing_and_extra_files_are_named(tmp_path: Path) -> None:
    folder = unpacked(written(tmp_path), tmp_path / "unpacked")
    (folder / "records/a.json").unlink()
    (folder / "records/planted.json").write_text("{}")
    result = verify(folder)
    assert result.returncode == 1
    assert "missing: records/a.json" in result.stdout
    assert "extra: records/planted.json (not in the manifest)" in result.stdout


def test_an_unreadable_manifest_exits_2(tmp_path: Path) -> None:
    folder = unpacked(written(tmp_path), tmp_path / "unpacked")
    (folder / MANIFEST).write_text("not json")
    result = verify(folder)
    assert result.returncode == 2
    assert "cannot verify" in result.stdout


def test_a_manifest_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = unpacked(written(tmp_path), tmp_path / "unpacked")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"].append({"path": "../outside", "size": 0, "sha256": "0" * 64})
    (folder / MANIFEST).write_text(json.dumps(manifest))
    result = verify(folder)
    assert result.returncode == 2
    assert "outside the folder" in result.stdout


def test_a_failed_export_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out" / "export.zip"

    def failing():  # type: ignore[no-untyped-def]
        yield b"first chunk"
        raise OSError("the store went away")

    with pytest.raises(OSError, match="store went away"), ExportArchive(out, MOMENT, {}) as archive:
        archive.add_bytes("records/a.json", b"{}")
        archive.add_chunks("documents/x.pdf", failing())
    assert list(out.parent.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    out = written(tmp_path)
    before = out.read_bytes()
    with pytest.raises(RuntimeError), ExportArchive(out, MOMENT, {}) as archive:
        archive.add_bytes("records/a.json", b"{}")
        raise RuntimeError("interrupted")
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["export.zip"]


def test_a_member_name_is_written_once(tmp_path: Path) -> None:
    archive = ExportArchive(tmp_path / "e.zip", MOMENT, {})
    with pytest.raises(ValueError, match="already has a member"), archive:
        archive.add_bytes("a", b"1")
        archive.add_bytes("a", b"2")
    assert not (tmp_path / "e.zip").exists()
