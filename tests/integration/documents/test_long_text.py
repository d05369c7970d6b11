"""Whatever the door accepts, the renderers carry whole: a 5,000-character word wraps in every
PDF block (never past the page edge), and DOCX core properties past 255 characters are shortened
rather than refused. Real WeasyPrint and python-docx output, read back."""

from __future__ import annotations

import dataclasses
import io

import docx
import pytest

from documents import build_document
from documents.content import (
    Clause,
    ClauseList,
    Column,
    DocumentContent,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    Party,
    SignatureBlock,
    Table,
)
from documents.render.docx import CORE_PROPERTY_MAX, fit_core_property, render_docx
from documents.render.pdf import lay_out, write_pdf
from models.text_types import NAME_MAX
from tests.support.document_samples import ORGANISATION, sample_context
from tests.support.reading import docx_text, overflowing_boxes, pdf_body_text, without_spaces

# Syllabics and Latin, no space anywhere: nothing for a line breaker to break at.
WORD = ("ᐊᓂᔑᓈᐯᒧᐎᓐAnishinaabemowin" * 250)[:5_000]

# The header row repeats on every page the row runs over; it is taken out before the word is
# looked for, and the row's other cells are empty, so the word's parts read back in a row.
COLUMNS = ("Party", "Name", "Email", "Amount")

# One document per place a word can sit, each holding the word once.
PLACES: dict[str, dict] = {
    "title": {"title": WORD},
    "subtitle": {"subtitle": WORD},
    "marking": {"marking": WORD},
    "page header (fund name)": {"fund_name": WORD},
    "address": {"addressee": ("Board Chair", WORD, "Aspen Narrows ON")},
    "party": {"parties": (Party("Recipient", WORD, (WORD[:300],)),)},
    "heading": {"blocks": (Heading(1, WORD),)},
    "paragraph": {"blocks": (Paragraph(WORD),)},
    "clause": {"blocks": (ClauseList((Clause("B1", WORD, title="Condition"),)),)},
    "key-value table": {"blocks": (KeyValues((("Project title", WORD), ("Community", "x"))),)},
    "table cell": {
        "blocks": (
            Table(
                tuple(Column(label) for label in COLUMNS),
                (("", WORD, "", ""),),
            ),
        )
    },
    "signature": {"blocks": (SignatureBlock("The Fund", WORD, "Director", "March 1, 2026"),)},
    "notice": {"blocks": (Notice(WORD, title="Important", tone="important"),)},
}


def content_with(**fields) -> DocumentContent:
    base = build_document(sample_context("acknowledgement_of_receipt"))
    return dataclasses.replace(base, **{"blocks": (), "addressee": (), "parties": (), **fields})


@pytest.mark.parametrize("place", PLACES)
def test_a_5000_character_word_wraps_inside_the_page_and_reads_back_whole(place):
    content = content_with(**PLACES[place])
    laid_out = lay_out(content)
    assert overflowing_boxes(laid_out.document) == []
    text = without_spaces(pdf_body_text(write_pdf(laid_out)))
    if place == "table cell":
        text = text.replace("".join(COLUMNS), "")
    assert without_spaces(WORD) in text
    assert without_spaces(WORD) in without_spaces(docx_text(render_docx(content)))


def test_a_docx_core_property_past_255_characters_is_shortened_with_an_ellipsis():
    name = ("ᐅᒋᒪᐤ Women's Circle of the Northern Shore " * 10)[:NAME_MAX]
    content = content_with(organisation_name=name, fund_name=name, title=name)
    properties = docx.Document(io.BytesIO(render_docx(content))).core_properties
    for value in (properties.subject, properties.author, properties.title):
        assert len(value) == CORE_PROPERTY_MAX
        assert value.endswith("…")
    assert properties.subject == name[: CORE_PROPERTY_MAX - 1].rstrip() + "…"


def test_a_core_property_that_fits_is_kept_whole():
    assert fit_core_property("Northern Lights Healing Lodge Inc.") == (
        "Northern Lights Healing Lodge Inc."
    )
    assert fit_core_property("x" * CORE_PROPERTY_MAX) == "x" * CORE_PROPERTY_MAX


def test_an_organisation_name_at_its_maximum_length_renders_in_both_formats():
    name = ("ᒥᓯᐁᐧᐃᓐ Healing Lodge " * 20)[: NAME_MAX - 1] + "."
    organisation = dataclasses.replace(ORGANISATION, legal_name=name)
    content = build_document(sample_context("grant_agreement", organisation=organisation))
    laid_out = lay_out(content)
    assert overflowing_boxes(laid_out.document) == []
    assert without_spaces(name) in without_spaces(pdf_body_text(write_pdf(laid_out)))
    assert without_spaces(name) in without_spaces(docx_text(render_docx(content)))
