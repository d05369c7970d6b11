"""No document prints a missing-glyph box: what the embedded fonts draw is what input accepts
(``models.printable``, generated from them) and what rendering lets through."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest

from documents import KINDS, DocumentDataError, build_document, render_document
from documents.content import Paragraph
from documents.glyph_table import generated_module
from documents.glyphs import (
    INVISIBLE_MARKS,
    coverage_by_weight,
    font_faces,
    printable,
    printable_code_points,
    require_printable,
    unprintable_in,
)
from documents.text import audit_catalogue, catalogue
from models.fictional.cast import ORGANISATIONS
from models.printable import PRINTABLE_RANGES, is_printable
from tests.support.document_samples import SYLLABICS_ORGANISATION, organisation_info, sample_context

ROOT = Path(__file__).resolve().parents[3]
# Every assigned syllabic of the two BMP blocks (U+18F6-U+18FF are unassigned).
SYLLABICS = [
    c
    for c in (*range(0x1400, 0x1680), *range(0x18B0, 0x1900))
    if unicodedata.category(chr(c)) != "Cn"
]
EXTENDED_A = range(0x11AB0, 0x11AC0)


def test_the_generated_table_is_what_the_fonts_draw():
    committed = (ROOT / "models" / "printable.py").read_text()
    assert committed == generated_module(), (
        "run: python -m documents.glyph_table models/printable.py"
    )


def test_the_table_and_the_fonts_agree_on_every_code_point():
    points = printable_code_points()
    assert all(is_printable(c) for c in points)
    assert sum(high - low + 1 for low, high in PRINTABLE_RANGES) == len(points)
    assert not is_printable(0x1F642) and not is_printable(0x10FFFF) and not is_printable(0)


def test_the_faces_are_the_stylesheet_s_with_its_ranges():
    faces = {(face.path.name, face.weight): face.ranges for face in font_faces()}
    assert faces[("DejaVuSans.ttf", "normal")] is None
    assert faces[("DejaVuSans-Bold.ttf", "bold")] is None
    assert faces[("NotoSansCanadianAboriginal-Regular.ttf", "normal")] == (
        (0x1400, 0x167F),
        (0x18B0, 0x18FF),
    )
    assert set(coverage_by_weight()) == {"normal", "bold"}


@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_every_syllabic_of_the_two_bmp_blocks_is_drawn_in_each_weight(weight):
    assert [hex(c) for c in SYLLABICS if c not in coverage_by_weight()[weight]] == []


def test_the_syllabics_outside_the_bmp_are_not_drawn_so_they_are_refused():
    """Unified Canadian Aboriginal Syllabics Extended-A (U+11AB0-U+11ABF): the embedded Noto
    Sans Canadian Aboriginal has none of them, and DejaVu Sans neither."""
    assert not any(is_printable(c) for c in EXTENDED_A)


@pytest.mark.parametrize(
    "text",
    [
        "Élise Sauvageau, Pointe-des-Épinettes, Noé Lavallée, œuvre, Ça",
        "’ ‘ “ ” « » – — … • · \u00a0\u202f\u2009 $ % € №",
        "e\u0301 a\u0300 o\u0302 n\u0303 u\u0308 c\u0327",  # combining marks
        "ᐊᓂᔑᓈᐯᒧᐎᓐ ᓀᐦᐃᔭᐍᐏᐣ ᐃᓄᒃᑎᑐᑦ",
        "Kanien’kéha, Ελληνικά, Русский, עברית, العربية",
        "soft\u00adhyphen zero\u200bwidth joiner\u200d mark\u200e\u200f\u061c",
    ],
)
def test_what_the_fund_s_people_write_is_printable(text):
    assert [c for c in text if not printable(c)] == []


@pytest.mark.parametrize("character", ["🙂", "🪶", "日", "\U00011ab0", "\u1ab0", "\U000e0041"])
def test_emoji_ideographs_and_undrawn_marks_are_not(character):
    assert not printable(character)


def test_invisible_marks_are_printable_even_where_no_font_draws_them():
    assert 0x061C in INVISIBLE_MARKS and printable("\u061c")
    assert not printable("\U000e0041")  # a tag character: invisible text, refused


def test_every_catalogue_string_is_printable():
    texts = [*catalogue("en").messages.values(), *catalogue("fr").messages.values()]
    texts += audit_catalogue().messages.values()
    assert [t for t in texts if not all(map(printable, t))] == []


def samples():
    aurore = organisation_info(ORGANISATIONS[2], "fr")
    for kind in KINDS:
        for language in ("en", "fr"):
            yield sample_context(kind, language)
            yield sample_context(kind, language, organisation=SYLLABICS_ORGANISATION)
        yield sample_context(kind, "fr", organisation=aurore)


@pytest.mark.parametrize(
    "ctx",
    list(samples()),
    ids=lambda ctx: f"{ctx.kind}-{ctx.language}-{ctx.organisation.business_number[-7:-4]}",
)
def test_every_kind_as_built_prints_every_character(ctx):
    assert unprintable_in(build_document(ctx)) == []


def test_an_emoji_in_a_document_is_found_where_it_sits():
    content = build_document(sample_context("decision_letter"))
    content = dataclasses.replace(
        content, blocks=(*content.blocks, Paragraph("Thank you 🙂 and 🙂 again"))
    )
    found = unprintable_in(content)
    assert [(f.path, f.character) for f in found] == [
        (f"blocks[{len(content.blocks) - 1}].text", "🙂")
    ]


def test_rendering_refuses_it_naming_the_character_and_its_place_in_each_format():
    ctx = sample_context("decline_letter", details={"reason": "Stored before the rule 🙂"})
    content = build_document(ctx)
    for fmt in ("pdf", "docx"):
        with pytest.raises(DocumentDataError) as refused:
            render_document(content, fmt)
        message = str(refused.value)
        assert "decline_letter" in message
        assert "🙂 (U+1F642 SLIGHTLY SMILING FACE) in blocks[" in message


def test_a_syllabics_name_outside_the_fonts_is_refused_by_the_renderer_too():
    named = dataclasses.replace(SYLLABICS_ORGANISATION, legal_name="ᓂᑲᓇᐢ \U00011ab0 Circle")
    content = build_document(sample_context("acknowledgement_of_receipt", organisation=named))
    with pytest.raises(DocumentDataError, match="U\\+11AB0"):
        require_printable(content)
