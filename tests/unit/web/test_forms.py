"""Forms made from payload schemas, read back into payloads in each page language."""

from __future__ import annotations

import pytest

from models import payloads
from models.payloads import REVIEW_CRITERIA, SCORE_RANGE
from service.web.forms import FieldGroup, fields_of, flat, payload_from, validation_errors
from service.web.i18n import Words, parse_money


@pytest.mark.parametrize(
    ("typed", "language", "cents"),
    [
        ("12,500.00", "en", 1_250_000),
        ("$12,500", "en", 1_250_000),
        ("0.01", "en", 1),
        ("12 500,00", "fr", 1_250_000),
        ("12\u202f500,00 $", "fr", 1_250_000),
        ("12\u00a0500,5", "fr", 1_250_050),
    ],
)
def test_money_is_read_as_each_language_writes_it(typed, language, cents):
    assert parse_money(typed, language) == cents


@pytest.mark.parametrize(
    ("typed", "language", "problem"),
    [
        ("", "en", "error.money_required"),
        ("twelve", "en", "error.money_format"),
        ("12.345", "en", "error.money_cents"),
        ("12,50", "en", "error.money_format"),
        ("1.234,56", "fr", "error.money_format"),
    ],
)
def test_what_is_not_money_says_why(typed, language, problem):
    with pytest.raises(ValueError, match=problem):
        parse_money(typed, language)


def test_the_rubric_is_a_group_of_radio_buttons_one_per_criterion():
    form = fields_of(payloads.Scores)
    (group,) = form
    assert isinstance(group, FieldGroup) and group.name == "scores"
    low, high = SCORE_RANGE
    assert [f.name for f in group.fields] == [f"scores.{c}" for c in REVIEW_CRITERIA]
    assert {f.kind for f in group.fields} == {"radio"}
    assert {f.options for f in group.fields} == {tuple(str(n) for n in range(low, high + 1))}


def test_each_kind_of_field_gets_its_input():
    kinds = {f.name: f.kind for f in flat(fields_of(payloads.Approval))}
    assert kinds == {"approved_cents": "money", "risk_rating": "select", "conditions": "lines"}
    kinds = {f.name: f.kind for f in flat(fields_of(payloads.Recommendation))}
    assert kinds["rationale"] == "textarea" and kinds["consensus_rating"] == "radio"
    hidden = {f.name: f.kind for f in flat(fields_of(payloads.InstalmentHold, ("sequence",)))}
    assert hidden == {"sequence": "hidden", "reason": "textarea"}


def test_a_posted_form_becomes_the_payload():
    form = fields_of(payloads.Approval)
    posted = {"approved_cents": "150 000,00", "risk_rating": "low", "conditions": "A\n\n B \n"}
    payload, errors = payload_from(form, posted, "fr")
    assert not errors
    assert payload == {"approved_cents": 15_000_000, "risk_rating": "low", "conditions": ["A", "B"]}
    scores = {f"scores.{c}": "4" for c in REVIEW_CRITERIA}
    payload, errors = payload_from(fields_of(payloads.Scores), scores, "en")
    assert payload == {"scores": dict.fromkeys(REVIEW_CRITERIA, 4)} and not errors


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "🙂 (U+1F642) cannot be printed in the documents: remove or replace it."),
        (
            "fr",
            "🙂 (U+1F642) ne peut pas être imprimé dans les documents\u00a0: retirez-le ou "
            "remplacez-le.",
        ),
    ],
)
def test_a_character_no_document_can_print_is_named_beside_its_field(language, expected):
    posted = {"rationale": "Strong 🙂 work", "consensus_rating": 4, "recommended_cents": 500}
    errors = validation_errors(payloads.Recommendation, posted, Words(language))
    assert errors.by_field == {"rationale": expected}


def test_schema_errors_come_back_beside_their_fields_in_the_page_language():
    form = fields_of(payloads.Recommendation)
    payload, errors = payload_from(form, {"recommended_cents": "abc", "rationale": "ok"}, "fr")
    assert errors.by_field == {"recommended_cents": "error.money_format"}
    errors = validation_errors(payloads.Recommendation, {"rationale": "ok"}, Words("fr"))
    assert errors.by_field["rationale"] == "Entrez au moins 3 caractères."
    assert errors.by_field["consensus_rating"] == "Ce champ est obligatoire."
    errors = validation_errors(payloads.Recommendation, {"rationale": "ok"}, Words("en"))
    assert errors.by_field["rationale"] == "Enter at least 3 characters."
