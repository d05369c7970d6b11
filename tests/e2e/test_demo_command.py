"""``grantflow demo`` as a newcomer runs it: a real process, its own embedded Prefect server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.demo_runner import FUND_REPORT_FOLDER
from tests.support.serving import modes_under

pytestmark = pytest.mark.slow

GRANTFLOW = Path(sys.executable).with_name("grantflow")


def run_demo(data_dir: Path, *args: str, extra_env: dict[str, str] | None = None):
    """The demo as a newcomer's shell runs it, under ``umask 000`` (the most open there is)
    and with stdout a pipe of no declared width (no COLUMNS)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "GRANTFLOW_")) and key != "COLUMNS"
    }
    env.update({"GRANTFLOW_DATA_DIR": str(data_dir)}, **(extra_env or {}))
    return subprocess.run(
        [str(GRANTFLOW), "demo", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=data_dir.parent,
        preexec_fn=lambda: os.umask(0),  # noqa: PLW1509
    )


def test_demo_takes_grants_through_every_stage_and_keeps_its_prefect_history(tmp_path):
    data_dir, out = tmp_path / "var", tmp_path / "out"
    # Two processes side by side share one embedded Prefect server the demo starts itself.
    result = run_demo(data_dir, "--grants", "3", "--processes", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    summary = result.stdout
    assert "2 processes side by side" in summary
    assert summary.count("declined") >= 2
    assert "closed" in summary
    assert "3 grants" in summary
    references = sorted(p.name for p in out.iterdir() if p.name != FUND_REPORT_FOLDER)
    assert len(references) == 3
    # The fund's outcome report, its small counts suppressed (the fictional ones include some).
    report = out / FUND_REPORT_FOLDER
    assert sorted(p.suffix for p in report.iterdir()) == [".csv", ".docx", ".docx", ".pdf", ".pdf"]
    csv_rows = next(report.glob("*.csv")).read_text("utf-8").splitlines()[1:]
    assert any(",x" in row for row in csv_rows), csv_rows
    assert "counts suppressed" in summary
    closed_docs = {p.name for p in (out / references[2]).iterdir()}
    assert any(name.endswith(".pdf") and "grant_agreement" in name for name in closed_docs)
    assert any(name.endswith(".docx") and "closeout_certificate" in name for name in closed_docs)
    assert (data_dir / "prefect" / "prefect.db").exists(), "Prefect's history lives in the data dir"
    assert_every_executed_agreement_is_signed_by_the_fund(data_dir, out)
    # Each grant's reference is whole in the summary table (not cut to "ILIF-202…").
    for reference in references:
        assert re.search(rf"\b{re.escape(reference)}\b", summary), (reference, summary)
    assert "…" not in summary, summary
    # Under umask 000, every file the demo wrote is owner-only: the grantflow and Prefect
    # databases, the credential, the audit files, the stored documents, the exported ones.
    for root in (data_dir, out):
        counts, open_to_others = modes_under(root)
        print(f"{root.name} under umask 000: {counts}, {len(open_to_others)} open to others")
        assert not open_to_others, open_to_others
        assert counts["files"] > 10, counts

    # One grant runs in the demo's own process, on the same data directory, afterwards.
    again = run_demo(data_dir, "--grants", "1", "--out", str(out))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "ILIF-" in again.stdout and "closed" in again.stdout
    assert "side by side" not in again.stdout


def test_demo_failure_exits_non_zero_with_a_clear_message(tmp_path):
    result = run_demo(
        tmp_path / "var",
        "--grants",
        "1",
        extra_env={"GRANTFLOW_DATABASE_URL": "sqlite:////proc/grantflow-cannot-write/x.db"},
    )
    assert result.returncode == 1
    assert "demo failed" in result.stderr


def assert_every_executed_agreement_is_signed_by_the_fund(data_dir: Path, out: Path) -> None:
    """Each executed agreement the demo wrote validates (pyHanko) as intact and signed by the
    installation's Fund key: the development key the demo made, which says so."""
    from documents.signing import verify_pdf
    from documents.signing.fund_key import DEVELOPMENT_FILE, load_pkcs12

    key = load_pkcs12((data_dir / "signing" / DEVELOPMENT_FILE).read_bytes(), None, what="key")
    executed = sorted(out.glob("*/*executed_agreement*.pdf"))
    assert executed, "the demo wrote no executed agreement"
    for path in executed:
        verification = verify_pdf(path.read_bytes(), key.certificate)
        assert verification.intact and verification.trusted, path.name
        assert verification.development_key, path.name
