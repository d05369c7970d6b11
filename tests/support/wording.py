"""What the wording checks read and how they look at it (tests/unit/test_document_wording.py).

Generated text is what grantflow writes: catalogue strings with their placeholders left out, and
built documents with the values people typed (names, descriptions, reasons) masked, since free
text is printed as typed. Each check returns what it found, so a test can show that it fails.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path

from documents.context import DocumentContext
from documents.formatting import ELIDING_WORDS, elides_before

ROOT = Path(__file__).resolve().parents[2]
# What stands for a placeholder in a catalogue string: no letter, no apostrophe.
HOLE = "{}"


def literal_text(template: str) -> str:
    """``template`` with each ``{placeholder}`` (and its format spec) replaced by ``HOLE``."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if field is not None:
            parts.append(HOLE)
    return "".join(parts)


def module_strings(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every string a module writes out: its string constants and the
    literal parts of its f-strings (an expression counts as ``HOLE``), docstrings excluded."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else HOLE for part in node.values
            )
            yield where, text
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and id(node) not in inside_fstrings
        ):
            yield where, node.value


def typed_values(ctx: DocumentContext) -> list[str]:
    """Everything people typed that a document of ``ctx`` may print, with each line and
    paragraph of multi-line values, longest first."""
    fund, organisation, grant = ctx.fund, ctx.organisation, ctx.grant
    values: list[str] = [
        fund.name_en,
        fund.name_fr,
        fund.signer_name,
        fund.signer_title,
        fund.signer_title_fr,
        organisation.legal_name,
        organisation.operating_name,
        organisation.business_number,
        organisation.address,
        grant.project_title,
        grant.project_description,
        grant.community,
        grant.signer_name or "",
        grant.countersigner_name or "",
        *grant.conditions,
        ctx.review.rationale if ctx.review else "",
    ]
    for contact in organisation.contacts:
        values += [contact.name, contact.title, contact.email, contact.phone]
    for value in ctx.details.values():
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list | tuple):
            values += [item for item in value if isinstance(item, str)]
    pieces = set()
    for value in values:
        pieces.add(value)
        pieces.update(value.split("\n\n"))
        pieces.update(value.splitlines())
    return sorted((p for p in pieces if len(p.strip()) >= 3), key=len, reverse=True)


def first_word(value: str) -> str:
    """The letters ``value`` starts with: what an eliding word before it must agree with."""
    match = re.match(r"[^\W\d_]+", value)
    return match.group(0) if match else HOLE


def masked(text: str, typed: list[str], *, keep_first_word: bool) -> str:
    """``text`` with every typed value in it replaced by its first word (to check what comes
    before it) or by ``HOLE`` (to check only what grantflow wrote)."""
    for value in typed:
        if value in text:
            text = text.replace(value, first_word(value) if keep_first_word else HOLE)
    return text


def strings_of(value: object) -> Iterator[str]:
    """Every string inside dataclasses and tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from strings_of(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings_of(getattr(value, field.name))


# ---------------------------------------------------------------------------- the checks


def straight_apostrophes(text: str) -> list[str]:
    """Each U+0027 in ``text``, with what surrounds it (the typographic one is U+2019)."""
    return [text[max(0, m.start() - 15) : m.end() + 15] for m in re.finditer("'", text)]


_ELIDABLE = re.compile(
    r"(?<![\w’'\-])(" + "|".join(ELIDING_WORDS) + r")[ \u00a0]+(?=\S)", re.IGNORECASE
)
_ELIDED = re.compile(r"(?<![\w\-])(qu|jusqu|lorsqu|puisqu|[dljnsm])’", re.IGNORECASE)


def missing_elisions(text: str) -> list[str]:
    """Each eliding word written in full before a vowel sound: "de Aurore", "la annexe"."""
    return [
        text[m.start() : m.end() + 20]
        for m in _ELIDABLE.finditer(text)
        if elides_before(text[m.end() : m.end() + 40])
    ]


def wrong_elisions(text: str) -> list[str]:
    """Each elided word before a consonant sound: "d’Northern", "l’hauteur"."""
    return [
        text[m.start() : m.end() + 20]
        for m in _ELIDED.finditer(text)
        if not elides_before(text[m.end() : m.end() + 40])
    ]


# One spelling per word: the rejected spellings, each with the one this project writes.
ENGLISH_VARIANTS: Mapping[str, str] = {
    r"\borganizations?\b": "organisation",
    r"\bauthoris(e|ed|es|ing|ation|ations)\b": "authorization, authorize",
    r"\bcloseout\b": "close-out",
    r"\be-mails?\b": "email",
    r"\binstallments?\b": "instalment",
    r"\bprogrammes?\b": "program",
    r"\bcenter(ed|s)?\b": "centre, centred",
    r"\bcanceled\b": "cancelled",
    r"\backnowledgments?\b": "acknowledgement",
    r"\bwillful\b": "wilful",
    r"\bpercent\b": "per cent",
    r"\bjudgment\b": "judgement",
    r"\bfulfill\b": "fulfil",
}
FRENCH_VARIANTS: Mapping[str, str] = {
    r"\be-?mails?\b": "courriel",
    r"\borganisations?\b": "organisme (the applicant organisation)",
    r"\bcoordinat(eur|rice|eurs|rices)\b": "coordonnateur, coordonnatrice",
    r"\bain[ée]e?s?\b": "Aîné",
    r"\bévèn": "événement",
    r"\bclef\b": "clé",
}


def spelling_variants(text: str, variants: Mapping[str, str]) -> list[str]:
    """Each rejected spelling in ``text``, with the spelling to write instead."""
    return [
        f"{m.group(0)!r} (write {chosen})"
        for pattern, chosen in variants.items()
        for m in re.finditer(pattern, text, re.IGNORECASE)
    ]
