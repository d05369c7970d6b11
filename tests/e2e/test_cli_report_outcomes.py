"""``grantflow report outcomes`` as a real process on a real installation's database."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from models.payloads import AGGREGATE_FIELDS
from tests.support.outcome_data import PLANTED, accepted_reports_world, database_in, mentions
from tests.support.reading import pdf_text
from tests.support.serving import GRANTFLOW, clean_env


def grantflow(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GRANTFLOW), *args],
        env=clean_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("var")
    db = database_in(data)
    accepted_reports_world(db, grants=3)
    db.dispose()
    return data


def test_the_command_writes_pdf_docx_and_csv_in_both_languages(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    done = grantflow(data_dir, "report", "outcomes", "--fund", "ilif", "--out", str(out))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert sorted(n.rsplit("-", 1)[1] for n in names) == [
        "30.csv",
        "en.docx",
        "en.pdf",
        "fr.docx",
        "fr.pdf",
    ]
    assert "counts suppressed" in done.stderr
    rows = list(csv.DictReader(io.StringIO(next(out.glob("*.csv")).read_text("utf-8"))))
    assert all(r[m] == "x" or r[m].isdigit() for r in rows for m in AGGREGATE_FIELDS)
    for pdf in out.glob("*.pdf"):
        assert not mentions(pdf_text(pdf.read_bytes()), PLANTED)


def test_one_year_in_one_language(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "one"
    done = grantflow(
        data_dir, "report", "outcomes", "--fund", "ILIF", "--fiscal-year", "2027",
        "--language", "fr", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "outcome-report-ILIF-2027-28-fr.docx",
        "outcome-report-ILIF-2027-28-fr.pdf",
        "outcome-report-ILIF-2027-28.csv",
    ]
    assert {
        row["fiscal_year"] for row in csv.DictReader(io.StringIO(Path(out / names[2]).read_text()))
    } == {"2027"}


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("--fund", "NOPE"), 2, "no fund has the code NOPE"),
        (("--fund", "ILIF", "--fiscal-year", "1999"), 2, "between 2000 and 2100"),
        (("--fund", "ILIF", "--language", "de"), 2, "Invalid value"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    data_dir: Path, tmp_path: Path, args, code, said
) -> None:
    done = grantflow(data_dir, "report", "outcomes", *args, "--out", str(tmp_path / "out"))
    assert done.returncode == code
    assert said in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_unwritable_destination_is_refused(data_dir: Path, tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a directory")
    done = grantflow(data_dir, "report", "outcomes", "--fund", "ILIF", "--out", str(taken))
    assert done.returncode == 3
    assert "is not a directory" in done.stderr
    done = grantflow(data_dir, "report", "outcomes", "--fund", "ILIF", "--out", str(taken / "x"))
    assert done.returncode == 3, done.stderr
    assert "cannot write the report" in done.stderr
