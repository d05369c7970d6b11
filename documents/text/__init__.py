"""The EN/FR message catalogues. Keys are stable; each language has exactly the same keys.

The audit documents' messages (English only, for auditors) are ``audit_catalogue()``."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from documents.context import Language
from documents.formatting import elided_before_value, french_typography
from documents.text import (
    en,
    en_agreement,
    en_amendment,
    en_audit,
    en_award,
    en_outcomes,
    en_staff,
    fr,
    fr_agreement,
    fr_amendment,
    fr_award,
    fr_outcomes,
    fr_staff,
)

_SOURCES = {
    "en": (en, en_staff, en_award, en_agreement, en_amendment, en_outcomes),
    "fr": (fr, fr_staff, fr_award, fr_agreement, fr_amendment, fr_outcomes),
}


class Catalogue:
    """Messages of one language; ``catalogue(key, **values)`` fills ``{placeholders}``.

    French elides by the value filled in: "sous le nom de {name}" with "Aurore boréale"
    gives "sous le nom d’Aurore boréale" (``documents.formatting.elided_before_value``)."""

    def __init__(self, language: Language, messages: Mapping[str, str]) -> None:
        self.language = language
        self.messages = MappingProxyType(dict(messages))

    def __call__(self, key: str, **values: object) -> str:
        template = self.messages[key]
        if self.language != "fr":
            return template.format(**values)
        return _fill_eliding(template, values)

    def has(self, key: str) -> bool:
        return key in self.messages


def _fill_eliding(template: str, values: Mapping[str, object]) -> str:
    """``template.format(**values)``, each eliding word before a placeholder elided by the
    value that fills it."""
    formatter = string.Formatter()
    parts: list[str] = []
    for literal, field, spec, conversion in formatter.parse(template):
        if field is None:
            parts.append(literal)
            continue
        value, _ = formatter.get_field(field, (), values)
        text = formatter.format_field(formatter.convert_field(value, conversion), spec or "")
        parts += (elided_before_value(literal, text), text)
    return "".join(parts)


def _merge(language: Language) -> dict[str, str]:
    merged: dict[str, str] = {}
    for module in _SOURCES[language]:
        duplicated = merged.keys() & module.MESSAGES.keys()
        if duplicated:
            raise RuntimeError(f"duplicate message keys: {sorted(duplicated)}")
        merged.update(module.MESSAGES)
    if language == "fr":
        merged = {key: french_typography(text) for key, text in merged.items()}
    return merged


@cache
def catalogue(language: Language) -> Catalogue:
    """The catalogue of ``language`` ("en" or "fr")."""
    if language not in _SOURCES:
        raise ValueError(f"unsupported language: {language!r}")
    return Catalogue(language, _merge(language))


@cache
def audit_catalogue() -> Catalogue:
    """The messages of the audit documents (the dossier's report): English, for auditors."""
    return Catalogue("en", en_audit.MESSAGES)
