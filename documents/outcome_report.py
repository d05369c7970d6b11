"""The fund's annual outcome report: PDF and DOCX in English and French, and a CSV.

One report per fund (not per grant), so it is no stored document of a grant: it is written to
files. Its figures are ``models.outcomes.FundOutcomes``, already suppressed; a suppressed count
prints :data:`MARKER` (Statistics Canada's mark for a figure suppressed for confidentiality)
and is drawn as no bar.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from documents.builders.common import labels_from, normalise
from documents.content import (
    Bar,
    BarChart,
    Block,
    Column,
    DocumentContent,
    Heading,
    Notice,
    Paragraph,
    Table,
)
from documents.context import Language
from documents.formatting import fiscal_year_label, format_count, format_date, format_money
from documents.render import render_document
from documents.text import Catalogue, catalogue
from models.outcomes import FundOutcomes, MeasureTable
from models.payloads import AGGREGATE_FIELDS

MARKER = "x"
KIND = "fund_outcome_report"
TEMPLATE_VERSION = "fund_outcome_report/1"
LANGUAGES: tuple[Language, ...] = ("en", "fr")


def _count(value: int | None, language: Language) -> str:
    return MARKER if value is None else format_count(value, language)


def _years_label(outcomes: FundOutcomes, language: Language) -> str:
    years = outcomes.fiscal_years
    if not years:
        return ""
    return (
        fiscal_year_label(years[0], language)
        if len(years) == 1
        else f"{fiscal_year_label(years[0], language)}–{fiscal_year_label(years[-1], language)}"
    )


def _subtitle(outcomes: FundOutcomes, t: Catalogue) -> str | None:
    years = outcomes.fiscal_years
    if not years:
        return None
    if len(years) == 1:
        return t("outcomes.subtitle_one", year=fiscal_year_label(years[0], t.language))
    return t(
        "outcomes.subtitle_all",
        first=fiscal_year_label(years[0], t.language),
        last=fiscal_year_label(years[-1], t.language),
    )


def _money_blocks(outcomes: FundOutcomes, t: Catalogue) -> tuple[Block, ...]:
    language = t.language
    rows = tuple(
        (
            fiscal_year_label(m.fiscal_year, language),
            format_money(m.committed_cents, language),
            format_money(m.paid_cents, language),
        )
        for m in outcomes.money
    )
    footer = (
        t("outcomes.money_total"),
        format_money(sum(m.committed_cents for m in outcomes.money), language),
        format_money(sum(m.paid_cents for m in outcomes.money), language),
    )
    table = Table(
        columns=(
            Column(t("outcomes.money_fiscal_year")),
            Column(t("outcomes.money_committed"), numeric=True),
            Column(t("outcomes.money_paid"), numeric=True),
        ),
        rows=rows,
        footer=footer,
    )
    chart = BarChart(
        title=t("outcomes.money_chart"),
        series=(t("outcomes.money_committed"), t("outcomes.money_paid")),
        bars=tuple(
            Bar(
                fiscal_year_label(m.fiscal_year, language),
                (m.committed_cents // 100, m.paid_cents // 100),
                (format_money(m.committed_cents, language), format_money(m.paid_cents, language)),
            )
            for m in outcomes.money
        ),
        summary=t("outcomes.money_chart_summary"),
    )
    return (Heading(2, t("outcomes.money")), table, chart)


def _measures_chart(outcomes: FundOutcomes, t: Catalogue) -> BarChart:
    language = t.language
    bars = []
    for table in outcomes.measures:
        values = tuple(table.cell(None, column) for column in range(len(outcomes.fiscal_years)))
        shown = tuple(_count(value, language) for value in values)
        bars.append(Bar(t(f"measure.{table.measure}"), values, shown))
    return BarChart(
        title=t("outcomes.measures_chart"),
        series=tuple(fiscal_year_label(year, language) for year in outcomes.fiscal_years),
        bars=tuple(bars),
        summary=t("outcomes.measures_chart_summary", marker=MARKER),
    )


def _measure_table(outcomes: FundOutcomes, table: MeasureTable, t: Catalogue) -> Table:
    language = t.language
    years = range(len(outcomes.fiscal_years))
    several_years = len(outcomes.fiscal_years) > 1
    columns = [Column(t("outcomes.grant"))]
    columns += [Column(fiscal_year_label(y, language), numeric=True) for y in outcomes.fiscal_years]
    if several_years:
        columns.append(Column(t("outcomes.total"), numeric=True))
    rows = []
    for row, project in enumerate(outcomes.projects):
        cells = [f"{project.reference} {project.title}"]
        cells += [_count(table.cell(row, column), language) for column in years]
        if several_years:
            cells.append(_count(table.cell(row, None), language))
        rows.append(tuple(cells))
    footer = [t("outcomes.total")]
    footer += [_count(table.cell(None, column), language) for column in years]
    if several_years:
        footer.append(_count(table.cell(None, None), language))
    measure = t(f"measure.{table.measure}")
    return Table(
        columns=tuple(columns),
        rows=tuple(rows),
        footer=tuple(footer),
        caption=t("outcomes.measure_caption", measure=measure),
    )


def build_outcome_report(
    outcomes: FundOutcomes, language: Language, issued_at: datetime
) -> DocumentContent:
    """The report's content in ``language``, from figures already suppressed."""
    t = catalogue(language)
    fund_name = outcomes.fund_name_fr if language == "fr" else outcomes.fund_name_en
    blocks: list[Block] = [
        Paragraph(t("outcomes.intro")),
        Notice(
            t("outcomes.small_cells", largest=outcomes.threshold - 1, marker=MARKER),
            title=t("outcomes.small_cells_title"),
        ),
        Paragraph(t("outcomes.counted")),
        *_money_blocks(outcomes, t),
    ]
    if outcomes.grants_not_counted:
        blocks.insert(3, Paragraph(t("outcomes.not_counted", count=outcomes.grants_not_counted)))
    if outcomes.measures:
        blocks.append(Heading(2, t("outcomes.counts")))
        blocks.append(_measures_chart(outcomes, t))
        for table in outcomes.measures:
            blocks.append(_measure_table(outcomes, table, t))
        blocks.append(Paragraph(t("outcomes.marker_note", marker=MARKER)))
    else:
        blocks.append(Paragraph(t("outcomes.no_reports")))
    content = DocumentContent(
        kind=KIND,
        language=language,
        template_version=TEMPLATE_VERSION,
        title=t("outcomes.title"),
        subtitle=_subtitle(outcomes, t),
        reference=t("outcomes.reference", code=outcomes.fund_code),
        fund_name=fund_name,
        organisation_name=t("outcomes.organisation"),
        issued_at=issued_at,
        issued_line=t("outcomes.issued", date=format_date(issued_at, language)),
        labels=labels_from(t),
        blocks=tuple(blocks),
    )
    return normalise(content)


CSV_COLUMNS = ("fund", "fiscal_year", "grant_reference", "project_title", *AGGREGATE_FIELDS)
ALL_GRANTS = "TOTAL"
ALL_YEARS = "ALL"


def outcome_csv(outcomes: FundOutcomes) -> bytes:
    """The counts as CSV (UTF-8): a row per grant and fiscal year, each grant's total across
    the years (``fiscal_year`` ALL), each year's total across the grants (``grant_reference``
    TOTAL) and the grand total. A count column holds a number, or :data:`MARKER` when the
    count is suppressed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    years: list[tuple[int | None, str]] = [(i, str(y)) for i, y in enumerate(outcomes.fiscal_years)]
    if len(outcomes.fiscal_years) > 1:
        years.append((None, ALL_YEARS))
    rows: list[tuple[int | None, str, str]] = [
        (i, p.reference, p.title) for i, p in enumerate(outcomes.projects)
    ]
    if len(outcomes.projects) > 1:
        rows.append((None, ALL_GRANTS, ""))
    for row, reference, title in rows if outcomes.measures else []:
        for column, year in years:
            counts = [table.cell(row, column) for table in outcomes.measures]
            writer.writerow(
                [outcomes.fund_code, year, reference, title]
                + [MARKER if c is None else str(c) for c in counts]
            )
    return buffer.getvalue().encode("utf-8")


def report_file_stem(outcomes: FundOutcomes) -> str:
    years = _years_label(outcomes, "en") or "no-years"
    return f"outcome-report-{outcomes.fund_code}-{years}".replace("–", "-to-")


def write_outcome_report(
    outcomes: FundOutcomes,
    out_dir: Path,
    issued_at: datetime,
    languages: Sequence[Language] = LANGUAGES,
) -> list[Path]:
    """Render every file first, then write them all into ``out_dir`` (each through a temporary
    file renamed into place): a failure leaves no partial file behind."""
    stem = report_file_stem(outcomes)
    files: dict[str, bytes] = {f"{stem}.csv": outcome_csv(outcomes)}
    for language in languages:
        content = build_outcome_report(outcomes, language, issued_at)
        for fmt in ("pdf", "docx"):
            files[f"{stem}-{language}.{fmt}"] = render_document(content, fmt)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, data in files.items():
            written.append(_write_whole(out_dir / name, data))
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _write_whole(path: Path, data: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
