"""The free-text rule (models.text_rules) as pydantic types, declared once for every request.

Declare a field ``SingleLine`` or ``MultiLine`` and give it its maximum length with
``Field(max_length=...)``; the JSON schema then shows ``maxLength`` and a refused value is a
validation error on that field (422 naming it). The rule runs before pydantic strips the value,
so a control character at either end is refused, not silently removed, and the length is
counted on the stored (NFC) form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, EmailStr, Field

from models.text_rules import TextKind, acceptable_text


def _rule(kind: TextKind) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # Anything but a string is left to pydantic's own type error.
        return acceptable_text(value, kind) if isinstance(value, str) else value

    return check


SingleLine = Annotated[
    str,
    BeforeValidator(_rule(TextKind.SINGLE_LINE)),
    Field(json_schema_extra={"x-text": "single-line"}),
]
MultiLine = Annotated[
    str,
    BeforeValidator(_rule(TextKind.MULTI_LINE)),
    Field(json_schema_extra={"x-text": "multi-line"}),
]

# email-validator refuses control characters but not every bidirectional control: the rule runs
# first. 254 is the longest address SMTP carries (RFC 5321 path limit less the brackets).
Email = Annotated[
    EmailStr,
    BeforeValidator(_rule(TextKind.SINGLE_LINE)),
    Field(max_length=254, json_schema_extra={"x-text": "single-line"}),
]

# Fund codes appear in references (ILIF-2026-0007) and file names: capitals only.
FundCode = Annotated[str, Field(pattern=r"^[A-Z]{2,8}$", max_length=8, examples=["ILIF"])]

# Documented maximum lengths, in characters of the stored (NFC) text. Every renderer takes them
# whole: PDF paragraphs and cells wrap any word, DOCX core properties are shortened to 255.
NAME_MAX = 300  # organisation, project, community and fund names
PERSON_MAX = 200  # a person's name or title
REFERENCE_MAX = 200  # certificate numbers, insurers, resolution references
PHONE_MAX = 40
ADDRESS_MAX = 500
ITEM_MAX = 1_000  # one requested item or one condition of approval
ITEMS_MAX = 50  # how many of them one request carries
NOTE_MAX = 2_000
REASON_MAX = 4_000
RATIONALE_MAX = 8_000
LONG_TEXT_MAX = 20_000  # project description, sealed deliberation notes
