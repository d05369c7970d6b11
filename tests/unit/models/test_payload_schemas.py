"""Each action's payload schema declares every field it accepts, so a form can be built from it
(and a client knows what to send): no object in a schema is open-ended, and the schema agrees
with the payload's own validation.

One kind of object is keyed by data, not by name: a map per Ontario fiscal year (an amended
budget, as at intake). It is closed all the same: its keys are declared (``propertyNames``, a
year's pattern) and so are its values."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from models import lifecycle
from models.applications import FISCAL_YEAR_KEYS
from models.payloads import REVIEW_CRITERIA, ApplicationAmendment, Scores
from models.provisioning import ApplicationInput


def objects_in(schema: dict[str, Any], where: str = "$") -> list[tuple[str, dict[str, Any]]]:
    """Every object node in ``schema`` (definitions included), with where it is."""
    found = []
    if schema.get("type") == "object":
        found.append((where, schema))
    for key, value in schema.items():
        if isinstance(value, dict):
            found += objects_in(value, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    found += objects_in(item, f"{where}.{key}[{index}]")
    return found


def fiscal_year_map(node: dict[str, Any]) -> bool:
    """A map whose keys are fiscal years and whose values are typed."""
    extra = node.get("additionalProperties")
    keyed_by_year = node.get("propertyNames") == FISCAL_YEAR_KEYS["propertyNames"]
    return keyed_by_year and isinstance(extra, dict) and "type" in extra


@pytest.mark.parametrize("action", lifecycle.ACTIONS, ids=lambda a: a.key)
def test_every_object_in_a_payload_schema_names_its_fields_and_no_others(action):
    for where, node in objects_in(action.payload.model_json_schema()):
        if fiscal_year_map(node):
            continue
        assert node.get("additionalProperties") is False, f"{action.key} {where} is open-ended"
        assert "properties" in node or node.get("maxProperties") == 0, f"{action.key} {where}"


FULL = dict.fromkeys(REVIEW_CRITERIA, 4)


@pytest.mark.parametrize(
    ("scores", "valid"),
    [
        (FULL, True),
        ({**FULL, REVIEW_CRITERIA[0]: 1, REVIEW_CRITERIA[1]: 5}, True),
        ({k: v for k, v in FULL.items() if k != REVIEW_CRITERIA[-1]}, False),
        ({**FULL, REVIEW_CRITERIA[0]: 0}, False),
        ({**FULL, REVIEW_CRITERIA[0]: 6}, False),
        ({**FULL, "charisma": 3}, False),
    ],
)
def test_the_scores_schema_accepts_exactly_what_scoring_accepts(scores, valid):
    body = {"scores": scores}
    schema_accepts = jsonschema.Draft202012Validator(Scores.model_json_schema()).is_valid(body)
    try:
        Scores.model_validate(body)
        model_accepts = True
    except ValidationError:
        model_accepts = False
    assert schema_accepts is model_accepts is valid


# The amendment of an application ----------------------------------------------------------


def amendment_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) of each error, '' for the payload as a whole; [] when it is valid."""
    try:
        ApplicationAmendment.model_validate(body)
    except ValidationError as error:
        return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]
    return []


def test_an_amendment_takes_exactly_the_intake_s_application_fields_but_the_fund():
    intake = set(ApplicationInput.model_fields) - {"fund_code"}
    assert set(ApplicationAmendment.model_fields) == intake


def test_each_amended_field_has_the_intake_s_own_schema():
    """The same types, limits and free-text kind: declared once, in models.applications."""
    intake = ApplicationInput.model_json_schema()["properties"]
    amendment = ApplicationAmendment.model_json_schema()["properties"]
    for name, schema in amendment.items():
        given = [alternative for alternative in schema["anyOf"] if alternative != {"type": "null"}]
        expected = {k: v for k, v in intake[name].items() if k != "title"}
        assert given == [expected], name


@pytest.mark.parametrize(
    "body",
    [
        {"project_title": "Safe Paths Home (revised)"},
        {"project_description": "Land-based healing, now with a second year of mentorship."},
        {"community": "Aspen Narrows (fictional)"},
        {"start_date": "2027-05-01"},
        {"end_date": "2028-02-28"},
        {"budget": {"2027": 12_500_000}},
        {"start_date": "2027-04-01", "end_date": "2029-03-31", "budget": {"2027": 1, "2028": 2}},
        {"project_title": "ᓂᑲᓇᐢ Youth Circle outreach"},
    ],
)
def test_an_amendment_of_any_one_field_or_more_is_valid(body):
    assert amendment_errors(body) == []
    assert ApplicationAmendment.model_validate(body).amended_fields() == list(body)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({}, "", "give at least one of project_title"),
        ({"project_title": None}, "", "give at least one of"),
        ({"project_title": "Safe\x00Paths"}, "project_title", "control character"),
        ({"project_title": "Safe\x1b[31m Paths"}, "project_title", "control character"),
        ({"project_description": "Line one\x0bline two, long enough"}, "project_description", ""),
        ({"community": "x"}, "community", "at least 2 characters"),
        ({"project_title": "A" * 301}, "project_title", "at most 300 characters"),
        ({"start_date": "2027-04-01", "end_date": "2027-04-01"}, "end_date", "after start_date"),
        (
            {"start_date": "2027-04-01", "end_date": "2028-03-31", "budget": {"2029": 5}},
            "budget",
            "budget years [2029] fall outside the project's fiscal years",
        ),
        ({"budget": {"2027": -1, "2028": 5}}, "budget", "must not be negative"),
        ({"budget": {"2027": 0}}, "budget", "more than $0.00"),
        ({"budget": {}}, "budget", "at least 1 item"),
        ({"budget": {"1999": 5}}, "budget.1999.[key]", "greater than or equal to 2000"),
        ({"budget": {"2027": 10**13 + 1}}, "budget.2027", "less than or equal to"),
        ({"fund_code": "ILIF"}, "fund_code", "Extra inputs are not permitted"),
        ({"requested_cents": 5}, "requested_cents", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_amendment_is_refused_naming_its_field(body, field, says):
    errors = amendment_errors(body)
    assert any(where == field and says in message for where, message in errors), errors


def test_the_audit_summary_of_an_amendment_names_fields_never_their_text():
    amendment = ApplicationAmendment.model_validate(
        {"project_title": "Safe Paths Home (revised)", "budget": {"2027": 5}}
    )
    assert amendment.audit_summary() == {"fields": ["project_title", "budget"]}
