"""Which characters the documents can print: those a font they embed draws.

The fonts come from ``templates/document.css``: each ``@font-face`` names a file in ``fonts/``,
a weight and, for some faces, a ``unicode-range``. A weight prints the characters in the cmap of
one of its faces, within that face's range; the documents use normal and bold text, so a
character prints when both weights draw it. Zero-width marks that shaping never draws as a glyph
(``INVISIBLE_MARKS``: the soft hyphen, joiners, direction marks, variation selectors) print as
nothing, so they count as printable too.

Anything else (an emoji, a CJK ideograph, the syllabics of U+11AB0-U+11ABF, which the embedded
Noto Sans Canadian Aboriginal lacks) would come out as a missing-glyph box, or in whatever font
the machine happens to have. Input refuses it (``models.text_rules``, from ``models.printable``,
which ``python -m documents.glyph_table models/printable.py`` generates from here); rendering
refuses content that still holds one (``require_printable``), naming where it sits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from documents.content import DocumentContent
from documents.content_text import content_strings
from documents.errors import DocumentDataError

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "templates" / "document.css"
# Zero-width format characters HarfBuzz never draws (default-ignorable code points with a use in
# ordinary text). Tag characters and the rest of that class stay refused: invisible text.
INVISIBLE_MARKS = frozenset((0x00AD, 0x034F, 0x061C, 0x2060, *range(0x200B, 0x2010)))
INVISIBLE_MARKS |= frozenset(range(0xFE00, 0xFE10))
# Whitespace the layout handles itself, in multi-line fields.
LAYOUT_WHITESPACE = frozenset("\n\t")

_FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.S)
_SRC = re.compile(r"src:\s*url\(\"?([^\")]+)\"?\)")
_WEIGHT = re.compile(r"font-weight:\s*(\w+)")
_RANGE = re.compile(r"unicode-range:\s*([^;]+);")
_SPAN = re.compile(r"U\+([0-9A-Fa-f]+)(?:-([0-9A-Fa-f]+))?")


@dataclass(frozen=True)
class FontFace:
    path: Path
    weight: str
    ranges: tuple[tuple[int, int], ...] | None  # None: every code point

    def covers(self, code_point: int) -> bool:
        return self.ranges is None or any(low <= code_point <= high for low, high in self.ranges)


def font_faces(stylesheet: Path = STYLESHEET) -> tuple[FontFace, ...]:
    """Every ``@font-face`` of ``stylesheet``: its file, weight and unicode-range."""
    faces = []
    for body in _FONT_FACE.findall(stylesheet.read_text()):
        source = _SRC.search(body)
        if source is None:
            continue
        weight = _WEIGHT.search(body)
        span = _RANGE.search(body)
        ranges = (
            tuple((int(low, 16), int(high or low, 16)) for low, high in _SPAN.findall(span[1]))
            if span
            else None
        )
        path = (stylesheet.parent / source[1]).resolve()
        faces.append(FontFace(path, weight[1] if weight else "normal", ranges))
    return tuple(faces)


def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def coverage_by_weight() -> dict[str, frozenset[int]]:
    """The code points each weight's faces draw, within each face's unicode-range."""
    drawn: dict[str, set[int]] = {}
    for face in font_faces():
        drawn.setdefault(face.weight, set()).update(c for c in _cmap(face.path) if face.covers(c))
    return {weight: frozenset(points) for weight, points in drawn.items()}


@cache
def printable_code_points() -> frozenset[int]:
    """What every weight draws, and the invisible marks."""
    weights = list(coverage_by_weight().values())
    return frozenset.intersection(*weights) | INVISIBLE_MARKS


def as_ranges(code_points: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """``code_points`` as sorted, merged inclusive ranges."""
    ranges: list[list[int]] = []
    for point in sorted(code_points):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return tuple((low, high) for low, high in ranges)


def printable(character: str) -> bool:
    return character in LAYOUT_WHITESPACE or ord(character) in printable_code_points()


def shown(character: str) -> str:
    """``character`` as an error shows it: a combining mark on a dotted circle."""
    return f"\u25cc{character}" if unicodedata.combining(character) else character


def describe(character: str) -> str:
    """``🙂 (U+1F642 SLIGHTLY SMILING FACE)``."""
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{shown(character)} ({code} {name})" if name else f"{shown(character)} ({code})"


@dataclass(frozen=True)
class Unprintable:
    path: str  # where in the content, e.g. "blocks[3].rows[0][1]"
    character: str

    def __str__(self) -> str:
        return f"{describe(self.character)} in {self.path}"


def unprintable_in(content: DocumentContent) -> list[Unprintable]:
    """Each character of ``content`` no embedded font can draw, with where it sits (each
    character once per string)."""
    found = []
    for path, text in content_strings(content):
        seen: set[str] = set()
        for character in text:
            if character not in seen and not printable(character):
                seen.add(character)
                found.append(Unprintable(path, character))
    return found


def require_printable(content: DocumentContent) -> None:
    """Raise ``DocumentDataError`` naming every character of ``content`` that would print as
    a missing-glyph box (input refuses them; this catches data stored before it did)."""
    found = unprintable_in(content)
    if found:
        listed = "; ".join(map(str, found[:10]))
        more = f" (and {len(found) - 10} more)" if len(found) > 10 else ""
        raise DocumentDataError(
            f"{content.kind}: no embedded font can print {listed}{more}; correct the stored text"
        )
