"""Every document kind, in both languages, reads as a finished document wherever its page
breaks fall: a signature stays with its heading and closing words, no heading ends a page, no
page but the last is under a fifth full, a last page holds more than a signature, and a
table's total is drawn once while its column labels repeat. Real WeasyPrint layouts, read
box by box (tests/support/page_layout.py); the DOCX carries the same rules for Word.

Where the breaks fall depends on how long the names, addresses and texts are, so each kind is
laid out again with its body pushed down three lines at a time, across a whole page.
"""

from __future__ import annotations

import dataclasses
import io

import docx
import pytest
from docx.oxml.ns import qn
from weasyprint import HTML

from documents import KINDS, build_document
from documents.content import Column, DocumentContent, KeepTogether, Table
from documents.render.docx import render_docx
from documents.render.pdf import lay_out
from tests.support.document_samples import sample_context
from tests.support.page_layout import (
    headings_ending_a_page,
    layout_problems,
    pages_of,
    signature_alone_on_last_page,
    split_groups,
    underfull_pages,
)

LANGUAGES = ("en", "fr")
# A page holds about fifty lines of body text: shifts of 0 to 45 lines move every break
# through a whole page.
SHIFTS = range(0, 48, 3)


def shifted(content: DocumentContent, lines: int) -> DocumentContent:
    """``content`` with its body pushed down ``lines`` lines (extra address lines at the top)."""
    filler = tuple(f"Unit {number}" for number in range(lines))
    return dataclasses.replace(content, addressee=content.addressee + filler)


def tables_with_totals(content: DocumentContent) -> list[Table]:
    def walk(blocks):
        for block in blocks:
            if isinstance(block, KeepTogether):
                yield from walk(block.blocks)
            elif isinstance(block, Table) and block.footer is not None:
                yield block

    return list(walk(content.blocks))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_reads_as_a_finished_document_wherever_its_pages_break(kind, language):
    content = build_document(sample_context(kind, language))
    totals = [table.footer[0] for table in tables_with_totals(content)]
    for lines in SHIFTS:
        pages = pages_of(lay_out(shifted(content, lines)).document)
        problems = (
            split_groups(pages)
            + headings_ending_a_page(pages)
            + underfull_pages(pages)
            + signature_alone_on_last_page(pages)
        )
        assert problems == [], f"{kind} ({language}) pushed down {lines} lines: {problems}"
        text_lines = [line.text for page in pages for line in page.lines]
        for label in totals:
            assert text_lines.count(label) == totals.count(label), (kind, language, lines)


def test_a_long_table_repeats_its_column_labels_on_every_page_and_its_total_once():
    base = build_document(sample_context("payment_authorization"))
    table = Table(
        (Column("Instalment"), Column("Amount", numeric=True)),
        tuple((f"Row {n}", f"${n},000.00") for n in range(1, 121)),
        footer=("Grand total", "$7,260,000.00"),
    )
    pages = pages_of(lay_out(dataclasses.replace(base, blocks=(table,))).document)
    assert len(pages) >= 3
    body_pages = [
        page for page in pages if any(line.text.startswith("Row ") for line in page.lines)
    ]
    for page in body_pages:
        assert "Instalment" in [line.text for line in page.lines], page.number
    totals = [line.text for page in pages for line in page.lines if line.text == "Grand total"]
    assert totals == ["Grand total"]
    assert any(line.text == "Grand total" for line in pages[-1].lines)


# The checks themselves: each sees the defect it exists for, in a page laid out to have it.
_PAGE = "<style>@page { size: letter; margin: 20mm } body { margin: 0 }</style>"


def _laid_out(body: str):
    return HTML(string=f"<html><head>{_PAGE}</head><body>{body}</body></html>").render()


def test_the_heading_check_sees_a_heading_ending_a_page():
    document = _laid_out(
        '<div style="height: 228mm"></div>'
        '<h2 style="break-after: auto; margin: 0">Signatures</h2><p>The parties sign.</p>'
    )
    assert headings_ending_a_page(pages_of(document)) == [
        "page 1 ends with the heading 'Signatures'"
    ]


def test_the_group_check_sees_a_signature_cut_by_a_page_break():
    lines = "".join(f"<p>Line {n}</p>" for n in range(12))
    document = _laid_out(
        f'<div style="height: 200mm"></div><div class="keep-together">{lines}</div>'
    )
    assert split_groups(pages_of(document)) == ["group starting 'Line 0' runs over pages [1, 2]"]


def test_the_fill_check_sees_a_nearly_empty_page():
    document = _laid_out('<p>Alone</p><div style="break-after: page"></div><p>Next</p>')
    (problem,) = underfull_pages(pages_of(document))
    assert problem.startswith("page 1 of 2 is ") and problem.endswith("% full")


def test_the_last_page_check_sees_a_signature_alone():
    document = _laid_out(
        '<p>Body</p><div style="break-after: page"></div>'
        '<div class="keep-together signature-group"><p>Sincerely,</p><p>A. Signer</p></div>'
    )
    assert signature_alone_on_last_page(pages_of(document)) == [
        "page 2 holds nothing but a signature"
    ]


def test_a_finished_page_has_no_problems():
    document = _laid_out(
        "<h2>Heading</h2>"
        + "".join(f"<p>Paragraph {n}</p>" for n in range(20))
        + '<div class="keep-together signature-group"><p>Sincerely,</p></div>'
    )
    assert layout_problems(document) == []


# Word lays out a DOCX itself; the file carries the same rules as paragraph properties.
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_docx_keeps_each_signature_with_its_heading_and_never_splits_a_row(language):
    content = build_document(sample_context("executed_agreement", language))
    document = docx.Document(io.BytesIO(render_docx(content)))
    paragraphs = document.paragraphs
    heading = next(p for p in paragraphs if p.text == content_heading(content))
    start = paragraphs.index(heading)
    group = paragraphs[start : start + 12]  # heading, introduction, two parties' five lines
    assert all(p.paragraph_format.keep_with_next for p in group[:-1])
    assert all(p.paragraph_format.keep_together for p in group)
    assert not group[-1].paragraph_format.keep_with_next
    for table in document.tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None


def content_heading(content: DocumentContent) -> str:
    """The text of the heading that opens the agreement's signature group."""
    group = next(b for b in content.blocks if isinstance(b, KeepTogether))
    return group.blocks[0].text
