from __future__ import annotations

import re
import string

from documents.formatting import NBSP, NNBSP
from documents.registry import KINDS
from documents.text import catalogue

EN = catalogue("en").messages
FR = catalogue("fr").messages


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_exactly_the_same_messages():
    assert set(EN) == set(FR)


def test_each_translation_fills_the_same_placeholders():
    mismatched = [key for key in EN if placeholders(EN[key]) != placeholders(FR[key])]
    assert mismatched == []


def test_no_message_is_empty_or_a_placeholder():
    for messages in (EN, FR):
        for key, text in messages.items():
            assert text.strip(), key
            assert not re.search(r"TODO|TBD|XXX|\[fr\]|\[en\]", text), key


def test_french_sentences_are_translated_not_copied():
    same = [key for key in EN if len(EN[key].split()) > 2 and EN[key] == FR[key]]
    assert same == []


def test_french_punctuation_has_no_break_spaces():
    for key, text in FR.items():
        assert not re.search(r" [:;!?»%]", text), key
        assert "« " not in text, key
        assert all(text[i + 1] == NBSP for i, ch in enumerate(text) if ch == "«"), key
        assert all(text[i - 1] == NBSP for i, ch in enumerate(text) if ch == "»"), key
        for match in re.finditer(r"(.)[;!?]", text):
            assert match.group(1) == NNBSP, (key, text)


def test_french_colons_always_have_a_space_before_them():
    for key, text in FR.items():
        for match in re.finditer(r"(.):", text):
            assert match.group(1) == NBSP, (key, text)


def test_typographic_apostrophes_and_quotes():
    for messages in (EN, FR):
        for key, text in messages.items():
            assert "'" not in text and '"' not in text, key


def test_every_kind_has_a_title_in_both_languages():
    for key, kind in KINDS.items():
        assert kind.title_en == EN[f"title.{key}"]
        assert kind.title_fr == FR[f"title.{key}"]
        assert kind.title_en != kind.title_fr
