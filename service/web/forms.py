"""Forms made from payload schemas, and the payloads read back from them.

Every action's payload is a pydantic model that declares each field it accepts
(``models.payloads``); the page builds its form from that model's JSON schema, so a field
added to a payload appears on the page without a template change. The kinds of input:

- a string: a text box, or a text area for ``x-text: multi-line``; an ``enum``: a select;
- an integer: a number box, or radio buttons when its range is short (scores 1 to 5);
- an integer named ``*_cents``: a money box, typed in dollars in the page's language;
- a list of strings: a text area, one item per line; a ``date``: a date box;
- an object (the rubric's criteria): a fieldset of its own fields;
- an object of amounts keyed by fiscal year (a budget): rows of a year and an amount.

Errors come back per field, in the page's language, from pydantic's error types.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from models.text_rules import UnprintableText
from service.web.i18n import Language, Words, parse_money

SHORT_RANGE = 10  # an integer range this short is offered as radio buttons
BUDGET_ROWS = 3  # the fund's grants run up to three fiscal years (DOMAIN.md)


@dataclass(frozen=True)
class FormField:
    name: str  # dotted path in the payload, also the input's name
    kind: str  # text, textarea, select, radio, number, money, lines, date, hidden
    required: bool
    label_key: str
    options: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    hint_key: str | None = None
    translated_options: bool = True  # False: the options are data (fund codes), shown as is
    option_labels: tuple[str, ...] = ()  # what to show for each untranslated option


@dataclass(frozen=True)
class FieldGroup:
    name: str
    label_key: str
    fields: tuple[FormField, ...]


@dataclass
class FormErrors:
    by_field: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)


def fields_of(model: type[BaseModel], hidden: tuple[str, ...] = ()) -> list[FormField | FieldGroup]:
    """The form for ``model``: one input per declared field, groups for nested objects."""
    schema = model.model_json_schema()
    return _fields(
        schema, schema.get("properties", {}), set(schema.get("required", [])), "", hidden
    )


def _fields(
    schema: dict, properties: dict, required: set[str], prefix: str, hidden: tuple[str, ...]
) -> list[FormField | FieldGroup]:
    found: list[FormField | FieldGroup] = []
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        spec = _resolved(schema, spec)
        if spec.get("type") == "object" and "properties" in spec:
            inner = _fields(
                schema, spec["properties"], set(spec.get("required", [])), f"{path}.", ()
            )
            found.append(FieldGroup(path, f"field.{path}", tuple(inner)))  # type: ignore[arg-type]
            continue
        found.append(_field(path, spec, name in required, path in hidden))
    return found


def _resolved(schema: dict, spec: dict) -> dict:
    if "$ref" in spec:
        return schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]]
    options = [s for s in spec.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        return {**spec, **options[0]}
    return spec


def _field(path: str, spec: dict, required: bool, hidden: bool) -> FormField:
    kind_of = spec.get("type")
    minimum = spec.get("minimum", spec.get("exclusiveMinimum"))
    maximum = spec.get("maximum")
    common = {"name": path, "required": required, "label_key": f"field.{path}"}
    amounts = spec.get("additionalProperties")
    if kind_of == "object" and isinstance(amounts, dict) and amounts.get("type") == "integer":
        return FormField(kind="budget", hint_key="hint.budget", **common)  # type: ignore[arg-type]
    if hidden:
        return FormField(kind="hidden", **common)  # type: ignore[arg-type]
    if "enum" in spec:
        return FormField(kind="select", options=tuple(spec["enum"]), **common)  # type: ignore[arg-type]
    if kind_of == "integer" and path.endswith("_cents"):
        return FormField(kind="money", **common)  # type: ignore[arg-type]
    if kind_of == "integer":
        short = minimum is not None and maximum is not None and maximum - minimum < SHORT_RANGE
        options = tuple(str(n) for n in range(minimum, maximum + 1)) if short else ()
        return FormField(
            kind="radio" if short else "number",
            options=options,
            minimum=minimum,
            maximum=maximum,
            **common,  # type: ignore[arg-type]
        )
    if kind_of == "array":
        return FormField(kind="lines", hint_key="hint.one_per_line", **common)  # type: ignore[arg-type]
    if spec.get("format") == "date":
        return FormField(kind="date", **common)  # type: ignore[arg-type]
    text_kind = "textarea" if spec.get("x-text") == "multi-line" else "text"
    return FormField(kind=text_kind, max_length=spec.get("maxLength"), **common)  # type: ignore[arg-type]


def flat(form: list[FormField | FieldGroup]) -> list[FormField]:
    out: list[FormField] = []
    for item in form:
        out.extend(item.fields if isinstance(item, FieldGroup) else (item,))
    return out


def payload_from(
    form: list[FormField | FieldGroup], posted: dict[str, str], language: Language
) -> tuple[dict[str, Any], FormErrors]:
    """The payload the posted form stands for, and what could not be read as typed."""
    payload: dict[str, Any] = {}
    errors = FormErrors()
    for spec in flat(form):
        if spec.kind == "budget":
            budget = _read_budget(spec.name, posted, language, errors)
            if budget:
                payload[spec.name] = budget
            continue
        raw = (posted.get(spec.name) or "").strip()
        if not raw:
            continue  # absent: the schema says whether that is allowed
        try:
            value = _read(spec, raw, language)
        except ValueError as error:
            errors.by_field[spec.name] = str(error)
            continue
        target = payload
        *parents, leaf = spec.name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return payload, errors


def budget_rows(name: str) -> list[tuple[str, str]]:
    """The (year, amount) input names of a budget field's rows."""
    return [(f"{name}.{row}.year", f"{name}.{row}.amount") for row in range(1, BUDGET_ROWS + 1)]


def _read_budget(
    name: str, posted: dict[str, str], language: Language, errors: FormErrors
) -> dict[str, int]:
    """Cents per fiscal year from the rows that were filled in (absent when none was)."""
    budget: dict[str, int] = {}
    for year_name, amount_name in budget_rows(name):
        year = (posted.get(year_name) or "").strip()
        amount = (posted.get(amount_name) or "").strip()
        if not year and not amount:
            continue
        if not (year.isdigit() and len(year) == 4):
            errors.by_field[year_name] = "error.fiscal_year"
            continue
        try:
            budget[year] = parse_money(amount, language)
        except ValueError as error:
            errors.by_field[amount_name] = str(error)
    return budget


def budget_values(name: str, budget: dict[int, int], t: Words) -> dict[str, str]:
    """A stored budget as its rows' values, to start an edit from."""
    values = {}
    for (year_name, amount_name), (year, cents) in zip(
        budget_rows(name), sorted(budget.items()), strict=False
    ):
        values[year_name], values[amount_name] = str(year), t.amount(cents)
    return values


def _read(spec: FormField, raw: str, language: Language) -> Any:
    if spec.kind == "money":
        return parse_money(raw, language)
    if spec.kind in ("number", "radio") or (spec.kind == "hidden" and raw.isdigit()):
        try:
            return int(raw)
        except ValueError:
            raise ValueError("error.whole_number") from None
    if spec.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if spec.kind == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError("error.date_format") from None
    if spec.kind == "text":
        return " ".join(raw.split()) if "\n" in raw else raw
    return raw


def validation_errors(model: type[BaseModel], payload: dict[str, Any], t: Words) -> FormErrors:
    """The payload's schema errors, per field, in the page's language."""
    errors = FormErrors()
    try:
        model.model_validate(payload)
    except ValidationError as error:
        for item in error.errors():
            path = ".".join(str(part) for part in item["loc"])
            key = f"validation.{item['type']}"
            context = {
                k: v for k, v in (item.get("ctx") or {}).items() if isinstance(v, int | float | str)
            }
            message = t(key, **context) if t.has(key) else t("validation.invalid")
            refused = (item.get("ctx") or {}).get("error")
            if isinstance(refused, UnprintableText):
                message = unprintable_message(refused, t)
            if path:
                errors.by_field.setdefault(path, message)
            else:
                errors.general.append(message)
    return errors


def unprintable_message(refused: UnprintableText, t: Words) -> str:
    """Which character no document can print, shown and by code point, in the page's language."""
    character = chr(refused.code_point)
    shown = f"\u25cc{character}" if unicodedata.combining(character) else character
    return t("validation.unprintable", character=shown, code_point=f"U+{refused.code_point:04X}")


def translated(errors: FormErrors, t: Words) -> FormErrors:
    """Errors whose messages are still catalogue keys, in the page's language."""
    return FormErrors(
        {
            name: t(message) if t.has(message) else message
            for name, message in errors.by_field.items()
        },
        [t(message) if t.has(message) else message for message in errors.general],
    )
