"""Each action's payload schema declares every field it accepts, so a form can be built from it
(and a client knows what to send): no object in a schema is open-ended, and the schema agrees
with the payload's own validation."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from models import lifecycle
from models.payloads import REVIEW_CRITERIA, Scores


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


@pytest.mark.parametrize("action", lifecycle.ACTIONS, ids=lambda a: a.key)
def test_every_object_in_a_payload_schema_names_its_fields_and_no_others(action):
    for where, node in objects_in(action.payload.model_json_schema()):
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
