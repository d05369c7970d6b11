"""The pages' two catalogues say the same things, and name everything the declarations hold."""

from __future__ import annotations

import re

import pytest

from documents import KINDS
from models import lifecycle
from models.payloads import REVIEW_CRITERIA
from models.provisioning import ApplicationInput
from service.web.forms import FieldGroup, fields_of, flat
from service.web.texts import CATALOGUES

EN, FR = CATALOGUES["en"], CATALOGUES["fr"]
PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}")


def test_both_languages_have_the_same_keys():
    assert set(EN) == set(FR), sorted(set(EN) ^ set(FR))


def test_each_entry_takes_the_same_placeholders_in_both_languages():
    differing = {
        key: (EN[key], FR[key])
        for key in EN
        if set(PLACEHOLDER.findall(EN[key])) != set(PLACEHOLDER.findall(FR[key]))
    }
    assert not differing


def test_no_french_entry_is_left_in_english():
    same = {key for key in EN if EN[key] == FR[key] and len(EN[key]) > 8}
    # Words that are spelled the same in both languages.
    alike = {"app.name", "unit.seconds", "fiscal_year", "field.conditions", "grant.documents"}
    assert same <= alike, sorted(same - alike)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_state_action_rule_and_document_kind_has_words(language):
    words = CATALOGUES[language]
    wanted = [f"stage.{stage}" for stage in lifecycle.STAGES]
    for prefix, states in (
        ("state", lifecycle.GRANT_STATES),
        ("instalment_state", lifecycle.INSTALMENT_STATES),
        ("report_state", lifecycle.REPORT_STATES),
    ):
        wanted += [f"{prefix}.{whose}.{s.key}" for s in states for whose in ("staff", "own")]
    wanted += [f"action.{a.key}" for a in lifecycle.ACTIONS]
    wanted += [f"rule.{guard}" for guard in lifecycle.all_guard_names()]
    wanted += [f"document.{kind}" for kind in KINDS]
    assert [key for key in wanted if key not in words] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_payload_field_and_option_has_a_label(language):
    words = CATALOGUES[language]
    missing = []
    models = [a.payload for a in lifecycle.ACTIONS] + [ApplicationInput]
    for model in models:
        form = fields_of(model)
        for group in form:
            if isinstance(group, FieldGroup) and group.label_key not in words:
                missing.append(group.label_key)
        for field in flat(form):
            if field.label_key not in words:
                missing.append(field.label_key)
            if field.kind == "select" and field.translated_options:
                missing += [
                    f"option.{field.name}.{option}"
                    for option in field.options
                    if f"option.{field.name}.{option}" not in words
                ]
    assert sorted(set(missing)) == []


def test_the_rubric_criteria_are_each_named():
    for criterion in REVIEW_CRITERIA:
        assert f"field.scores.{criterion}" in EN and f"field.scores.{criterion}" in FR


def test_french_puts_a_no_break_space_before_colons():
    prose = {key: PLACEHOLDER.sub("x", text) for key, text in FR.items()}
    loose = {key: text for key, text in prose.items() if re.search(r"\w :|\w:(?!//)", text)}
    assert not loose
