"""The fund's outcome report from a real database, rendered and read back (PDF, DOCX, CSV).

The planted small count (``tests.support.outcome_data.PLANTED``, under the fund's threshold)
must appear in no file, in no language; published figures do; the charts draw the figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from documents.formatting import format_count
from documents.outcome_report import (
    MARKER,
    build_outcome_report,
    outcome_csv,
    report_file_stem,
    write_outcome_report,
)
from documents.render.pdf import render_html
from models.fictional import FUND_CODE
from models.outcomes import fund_outcomes
from models.payloads import AGGREGATE_FIELDS
from tests.support.models_support import new_database
from tests.support.outcome_data import PLANTED, THRESHOLD, accepted_reports_world, mentions
from tests.support.reading import docx_text, pdf_text

ISSUED = datetime(2030, 6, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory):
    db = new_database(tmp_path_factory.mktemp("outcomes"))
    accepted_reports_world(db)
    with db.reading() as session:
        return fund_outcomes(session, FUND_CODE)


@pytest.fixture(scope="module")
def written(outcomes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("report")
    return {path.name: path for path in write_outcome_report(outcomes, out, ISSUED)}


def test_the_planted_small_count_is_suppressed_with_its_complements(outcomes) -> None:
    referrals = next(t for t in outcomes.measures if t.measure == "referrals")
    assert PLANTED in referrals.table.values.values()
    planted = [k for k, v in referrals.table.values.items() if v == PLANTED]
    assert all(referrals.table.is_suppressed(key) for key in planted)
    assert len(referrals.table.suppressed) > len(referrals.table.primary)
    assert outcomes.threshold == THRESHOLD


def test_every_file_is_written_in_both_languages(written) -> None:
    suffixes = sorted(
        name.rsplit("-", 1)[-1] if name.endswith(("pdf", "docx")) else "csv" for name in written
    )
    assert suffixes == ["csv", "en.docx", "en.pdf", "fr.docx", "fr.pdf"]


def test_no_file_shows_the_planted_count_and_each_shows_the_published_figures(
    written, outcomes
) -> None:
    texts = {}
    for name, path in written.items():
        data = path.read_bytes()
        if name.endswith(".pdf"):
            texts[name] = pdf_text(data)
        elif name.endswith(".docx"):
            texts[name] = docx_text(data)
        else:
            texts[name] = data.decode("utf-8")
    contacts = next(t for t in outcomes.measures if t.measure == "service_contacts")
    grand = contacts.cell(None, None)
    assert grand is not None and grand >= THRESHOLD
    for name, text in texts.items():
        assert not mentions(text, PLANTED), name
        assert MARKER in text, name
        language = "fr" if name.endswith(("fr.pdf", "fr.docx")) else "en"
        assert format_count(grand, language) in text or f",{grand}," in text, name
    assert "Small counts" in texts[next(n for n in texts if n.endswith("en.pdf"))]
    assert "Petits nombres" in texts[next(n for n in texts if n.endswith("fr.docx"))]


def test_the_csv_holds_a_number_or_the_marker_in_every_count_column(outcomes) -> None:
    rows = list(csv.DictReader(io.StringIO(outcome_csv(outcomes).decode("utf-8"))))
    assert rows
    marked = 0
    for row in rows:
        for measure in AGGREGATE_FIELDS:
            assert row[measure] == MARKER or row[measure].isdigit()
            marked += row[measure] == MARKER
            if row[measure] != MARKER:
                assert int(row[measure]) == 0 or int(row[measure]) >= THRESHOLD
    assert marked > 0


def test_the_charts_draw_published_totals_and_no_bar_for_a_suppressed_one(outcomes) -> None:
    content = build_outcome_report(outcomes, "en", ISSUED)
    html = render_html(content)
    assert html.count("<svg") == 2
    charts = [b for b in content.blocks if type(b).__name__ == "BarChart"]
    measures = charts[1]
    for bar in measures.bars:
        for value, shown in zip(bar.values, bar.shown, strict=True):
            assert (value is None) == (shown == MARKER)
    assert any(v is None for bar in measures.bars for v in bar.values)
    assert any(v for bar in measures.bars for v in bar.values)


def test_a_file_that_cannot_be_written_leaves_none_behind(outcomes, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    blocker = out / f"{report_file_stem(outcomes)}-fr.docx"
    blocker.mkdir()  # a directory where the last file goes: the rename fails
    with pytest.raises(OSError):
        write_outcome_report(outcomes, out, ISSUED)
    assert sorted(p.name for p in out.iterdir()) == [blocker.name]
