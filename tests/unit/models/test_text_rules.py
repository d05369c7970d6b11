"""The free-text rule: what documents cannot carry is refused, letters of every script pass."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.text_rules import (
    TextKind,
    UnacceptableText,
    UnprintableText,
    acceptable_text,
    is_noncharacter,
)
from models.text_types import MultiLine, SingleLine

SINGLE, MULTI = TextKind.SINGLE_LINE, TextKind.MULTI_LINE
# Every assigned syllabic of the two BMP blocks (the embedded fonts draw them all).
SYLLABICS = "".join(
    chr(c)
    for c in (*range(0x1400, 0x1680), *range(0x18B0, 0x1900))
    if unicodedata.category(chr(c)) != "Cn"
)


def refused(text: str, kind: TextKind) -> UnacceptableText:
    with pytest.raises(UnacceptableText) as caught:
        acceptable_text(text, kind)
    return caught.value


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
@pytest.mark.parametrize(
    "code_point",
    [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F],
)
def test_control_characters_are_refused_in_every_field(kind, code_point):
    error = refused(f"Safe {chr(code_point)}Paths", kind)
    assert error.code_point == code_point
    assert error.position == 5
    assert f"U+{code_point:04X}" in str(error)


@pytest.mark.parametrize("character", ["\n", "\t", "\r", "\u2028", "\u2029"])
def test_a_single_line_field_takes_no_line_break_or_tab(character):
    assert refused(f"Safe{character}Paths", SINGLE).position == 4


def test_a_multi_line_field_keeps_line_feeds_and_tabs():
    text = "First line\n\tindented second line\n\nA new paragraph"
    assert acceptable_text(text, MULTI) == text


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\u2028", "\u2029"])
def test_a_multi_line_field_stores_every_line_end_as_a_line_feed(line_end):
    assert acceptable_text(f"one{line_end}two{line_end}", MULTI) == "one\ntwo\n"


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
@pytest.mark.parametrize(
    "code_point",
    [0xFFFE, 0xFFFF, 0xFDD0, 0xFDEF, 0x1FFFE, 0x1FFFF, 0x10FFFE, 0x10FFFF, 0xEFFFE],
)
def test_non_characters_are_refused(kind, code_point):
    assert refused(f"a{chr(code_point)}", kind).code_point == code_point


def test_exactly_66_code_points_are_non_characters():
    assert sum(is_noncharacter(c) for c in range(0x110000)) == 66


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
@pytest.mark.parametrize("code_point", [0xD800, 0xDBFF, 0xDC00, 0xDFFF])
def test_lone_surrogates_are_refused(kind, code_point):
    assert refused(f"title {chr(code_point)}", kind).code_point == code_point


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
@pytest.mark.parametrize(
    "code_point", [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)
def test_bidirectional_overrides_embeddings_and_isolates_are_refused(kind, code_point):
    error = refused(f"invoice{chr(code_point)}fdp.exe", kind)
    assert "bidirectional" in str(error)


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_bidirectional_marks_stay(mark):
    text = f"Ojibwe{mark} - עברית"
    assert acceptable_text(text, SINGLE) == text


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
def test_every_syllabic_passes_untouched(kind):
    assert acceptable_text(SYLLABICS, kind) == SYLLABICS
    assert acceptable_text("ᐁ ᐃ ᐅ ᐊ \u1400 ᙷ", kind) == "ᐁ ᐃ ᐅ ᐊ \u1400 ᙷ"


@pytest.mark.parametrize("code_point", [0x11AB0, 0x11ABF])
def test_syllabics_no_embedded_font_draws_are_refused_naming_them(code_point):
    """U+11AB0-U+11ABF (Extended-A): the embedded Noto Sans Canadian Aboriginal lacks them, so
    a document would print boxes; the applicant is told which character, to write it otherwise."""
    error = refused(f"ᐁᐃ {chr(code_point)}", SINGLE)
    assert isinstance(error, UnprintableText)
    assert (error.code_point, error.position) == (code_point, 3)
    assert f"{chr(code_point)} (U+{code_point:04X} CANADIAN SYLLABICS" in str(error)


def test_text_is_stored_as_nfc():
    decomposed = "Re\u0301serve de Kitigan Zibi"
    assert unicodedata.is_normalized("NFD", decomposed)
    assert acceptable_text(decomposed, SINGLE) == "Réserve de Kitigan Zibi"


def test_letters_of_scripts_the_fonts_draw_and_typographic_punctuation_pass():
    text = "Anishinaabemowin, Kanien’kéha, Ελληνικά, Русский, עברית, العربية – « ok » …"
    assert acceptable_text(text, SINGLE) == text


@pytest.mark.parametrize("kind", [SINGLE, MULTI])
@pytest.mark.parametrize(
    ("text", "character"),
    [("Safe Paths 🙂", "🙂"), ("Feather 🪶 Lodge", "🪶"), ("日本語", "日"), ("x\u1ab0", "\u1ab0")],
)
def test_what_no_embedded_font_draws_is_refused_showing_the_character(kind, text, character):
    error = refused(text, kind)
    assert isinstance(error, UnprintableText)
    assert error.code_point == ord(character)
    assert f"(U+{ord(character):04X} " in str(error)
    assert "cannot be printed in documents" in str(error)


def test_the_emoji_message_reads_plainly():
    message = str(refused("Safe 🙂", SINGLE))
    assert message.startswith("🙂 (U+1F642 SLIGHTLY SMILING FACE) cannot be printed in documents")
    assert message.endswith("(character 6); remove or replace it")


def test_printability_is_judged_on_the_stored_nfc_form():
    # "e" + U+0301 is stored as "é": judged, and counted, as one character.
    assert acceptable_text("Re\u0301serve", SINGLE) == "Réserve"
    assert refused("e\u0301\U0001f642", SINGLE).position == 1


class _Sample(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    title: SingleLine = Field(min_length=3, max_length=12)
    notes: MultiLine = Field(default="", max_length=20)


def test_the_pydantic_types_refuse_by_field_name():
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate({"title": "Safe\x00", "notes": "fine"})
    (error,) = caught.value.errors()
    assert error["loc"] == ("title",)
    assert "U+0000" in error["msg"]


def test_a_control_character_at_either_end_is_refused_not_stripped():
    with pytest.raises(ValidationError):
        _Sample.model_validate({"title": "\x0bSafe Paths\x1c"})


def test_the_length_is_counted_on_the_stored_form_and_shown_in_the_schema():
    decomposed = "e\u0301" * 12  # 24 characters typed, 12 stored
    assert _Sample.model_validate({"title": decomposed}).title == "é" * 12
    properties = _Sample.model_json_schema()["properties"]
    assert properties["title"]["maxLength"] == 12
    assert properties["title"]["x-text"] == "single-line"
    assert properties["notes"]["x-text"] == "multi-line"
