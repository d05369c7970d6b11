"""The frozen content of a document: a DocumentContext through canonical JSON and back."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from documents import KINDS, build_document
from documents.context_codec import ContextCodecError, decode_context, encode_context
from tests.support.document_samples import SYLLABICS_ORGANISATION, sample_context

ALL = [(kind, language) for kind in KINDS for language in ("en", "fr")]


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_sample_context_comes_back_equal(kind, language):
    context = sample_context(kind, language)
    decoded = decode_context(encode_context(context))
    assert decoded == context
    assert build_document(decoded) == build_document(context)


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_the_encoding_is_canonical(kind, language):
    text = encode_context(sample_context(kind, language))
    assert encode_context(decode_context(text)) == text
    assert text == json.dumps(
        json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def test_dates_datetimes_and_tuples_keep_their_types():
    moment = datetime(2027, 4, 1, 14, 30, 5, 120, tzinfo=UTC)
    details = {
        "cure_by": date(2027, 4, 11),
        "received_at": moment,
        "toronto_noon": datetime(2027, 4, 1, 12, tzinfo=timezone(timedelta(hours=-4))),
        "held_instalments": [3, 4],
        "pair": (1, "two"),
        "as_text": "2027-04-11",
        "by_year": {2026: 100, 2027: None},
        "$literal": {"$date": "not a tag"},
        "nothing": None,
        "share": 0.1 + 0.2,
    }
    decoded = decode_context(encode_context(sample_context("deficiency_notice", details=details)))
    for key, value in details.items():
        assert decoded.details[key] == value
        assert type(decoded.details[key]) is type(value), key
    assert type(decoded.grant.conditions) is tuple
    assert type(decoded.organisation.contacts[0]).__name__ == "ContactInfo"


def test_names_in_syllabics_and_accents_stay_as_typed():
    context = sample_context("decision_letter", "fr", organisation=SYLLABICS_ORGANISATION)
    text = encode_context(context)
    assert SYLLABICS_ORGANISATION.legal_name in text  # UTF-8, not \u escapes
    assert decode_context(text).organisation == SYLLABICS_ORGANISATION


def test_the_language_is_the_one_field_a_copy_changes():
    english = sample_context("decision_letter", "en")
    french = dataclasses.replace(decode_context(encode_context(english)), language="fr")
    assert french.language == "fr"
    assert dataclasses.replace(french, language="en") == english


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"codec": 99, "context": {}}',
        '{"codec": 1, "context": {"$Secret": {}}}',
        '{"codec": 1, "context": {"kind": "decision_letter"}}',
        '{"codec": 1, "context": {"$FundInfo": {"code": "X"}}}',
    ],
)
def test_what_the_codec_did_not_write_is_refused(text):
    with pytest.raises(ContextCodecError):
        decode_context(text)


def test_a_value_no_context_holds_is_refused():
    with pytest.raises(ContextCodecError, match="set"):
        encode_context(sample_context("decision_letter", details={"odd": {1, 2}}))
