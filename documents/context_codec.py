"""A document's frozen content as canonical JSON, and back, exactly.

A document is rendered from a ``DocumentContext``; storing that context beside the document
lets the same content be rendered again later (in the other official language) without
reading the grant's rows as they are by then. JSON alone would blur what a builder can tell
apart (a date from its ISO string, a tuple from a list, a mapping with integer keys), so
every such value is tagged with a one-key object: ``{"$date": "2027-04-01"}``,
``{"$datetime": "2027-04-01T14:00:00+00:00"}``, ``{"$tuple": [...]}``,
``{"$map": [[key, value], ...]}`` (a mapping whose keys are not all plain strings) and
``{"$ContactInfo": {...}}`` (a context dataclass, by name). Decoding an encoding gives a
context equal to the one encoded.

Canonical: keys sorted, UTF-8, no spaces, no NaN or infinity, so the same context always
encodes to the same text.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from documents.context import (
    BudgetLineInfo,
    ContactInfo,
    CriterionScore,
    DocumentContext,
    FundInfo,
    GrantInfo,
    InstalmentInfo,
    OrganisationInfo,
    ReportInfo,
    ReviewInfo,
)

# Bump when an encoding stops decoding the way it did; decode_context refuses other versions.
CODEC_VERSION = 1

_RECORDS: dict[str, type] = {
    record.__name__: record
    for record in (
        DocumentContext,
        FundInfo,
        OrganisationInfo,
        ContactInfo,
        GrantInfo,
        BudgetLineInfo,
        InstalmentInfo,
        ReportInfo,
        CriterionScore,
        ReviewInfo,
    )
}
_TAG = "$"


class ContextCodecError(ValueError):
    """The text is not a frozen context this codec wrote (or can read)."""


def _encoded(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _RECORDS.get(name) is not type(value):
            raise ContextCodecError(f"{name} is not a part of a document context")
        fields = {f.name: _encoded(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TAG + name: fields}
    if isinstance(value, tuple):
        return {"$tuple": [_encoded(item) for item in value]}
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    if isinstance(value, Mapping):
        plain = all(isinstance(k, str) and not k.startswith(_TAG) for k in value)
        if plain:
            return {k: _encoded(v) for k, v in value.items()}
        return {"$map": [[_encoded(k), _encoded(v)] for k, v in value.items()]}
    raise ContextCodecError(f"a document context holds no {type(value).__name__}")


def _decoded(value: Any) -> Any:
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if not isinstance(value, dict):
        return value
    tagged = next(iter(value), "") if len(value) == 1 else ""
    if not tagged.startswith(_TAG):
        return {k: _decoded(v) for k, v in value.items()}
    inner = value[tagged]
    if tagged == "$datetime":
        return datetime.fromisoformat(inner)
    if tagged == "$date":
        return date.fromisoformat(inner)
    if tagged == "$tuple":
        return tuple(_decoded(item) for item in inner)
    if tagged == "$map":
        return {_decoded(k): _decoded(v) for k, v in inner}
    record = _RECORDS.get(tagged.removeprefix(_TAG))
    if record is None:
        raise ContextCodecError(f"unknown tag {tagged!r} in a frozen context")
    return record(**{k: _decoded(v) for k, v in inner.items()})


def encode_context(context: DocumentContext) -> str:
    """The context as canonical JSON text (see the module's docstring for the tags)."""
    document = {"codec": CODEC_VERSION, "context": _encoded(context)}
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def decode_context(text: str) -> DocumentContext:
    """The context ``encode_context`` wrote; ``ContextCodecError`` for anything else."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ContextCodecError(f"a frozen context is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("codec") != CODEC_VERSION:
        raise ContextCodecError(f"a frozen context of codec {CODEC_VERSION} was expected")
    try:
        context = _decoded(document.get("context"))
    except (TypeError, ValueError) as error:
        raise ContextCodecError(f"a frozen context does not decode: {error}") from None
    if not isinstance(context, DocumentContext):
        raise ContextCodecError("a frozen context holds no DocumentContext")
    return context
