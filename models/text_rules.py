"""Which free text grantflow accepts: what every renderer (WeasyPrint, python-docx's XML, the
database drivers) can carry, without letting one field disturb the text around it.

Pure rules, no framework: ``acceptable_text`` returns the stored form of a value (NFC, line
ends normalised) or raises ``UnacceptableText`` saying which character is wrong and where.

Refused everywhere:
- C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F), except that multi-line fields
  take line feed and tab. XML 1.0 cannot hold most of them, so python-docx fails on them after
  the action has committed.
- Unicode non-characters (U+FDD0-U+FDEF and the last two code points of every plane, U+FFFE
  and U+FFFF among them): they are not XML characters either.
- Lone surrogates (U+D800-U+DFFF): JSON can spell them, UTF-8 cannot store them.
- Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): an
  unterminated U+202E reverses the text that follows it in the document, not just the field.
  The marks U+200E, U+200F and U+061C change no neighbour and stay.
- In single-line fields, the line and paragraph separators U+2028 and U+2029.
- A character no font the documents embed can draw (``models.printable``, generated from the
  fonts by ``documents.glyphs``): an emoji, a CJK ideograph, the syllabics of U+11AB0-U+11ABF
  (Unified Canadian Aboriginal Syllabics Extended-A, which the embedded Noto Sans Canadian
  Aboriginal lacks). Printed, it would be a missing-glyph box. Checked on the stored (NFC)
  form; the error shows the character, its code point and name.

Changed, never stripped: multi-line fields store CR LF, lone CR, U+2028 and U+2029 as LF; every
field is normalised to NFC. Syllabics (U+1400-U+167F, U+18B0-U+18FF), accents, combining marks,
typographic punctuation and every other letter the fonts draw pass untouched.
"""

from __future__ import annotations

import unicodedata
from enum import Enum

from models.printable import is_printable

BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
LINE_SEPARATORS = frozenset((0x2028, 0x2029))
MULTI_LINE_WHITESPACE = frozenset((0x09, 0x0A))


class TextKind(Enum):
    SINGLE_LINE = "single line"
    MULTI_LINE = "multi-line"


def code_point_named(character: str) -> str:
    """``U+0000 NULL``, or the code point alone when Unicode names no character there."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "") if len(character) == 1 else ""
    return f"{code} {name}" if name else code


class UnacceptableText(ValueError):
    """A value holds a character the documents cannot carry."""

    def __init__(self, reason: str, character: str, position: int, message: str = "") -> None:
        named = code_point_named(character)
        super().__init__(message or f"{reason} ({named}) at character {position + 1}; remove it")
        self.reason = reason
        self.code_point = ord(character)
        self.position = position


class UnprintableText(UnacceptableText):
    """A value holds a character no font the documents embed can draw. Unlike a control
    character it is visible, so the message shows it (a combining mark on a dotted circle)."""

    def __init__(self, character: str, position: int) -> None:
        shown = f"\u25cc{character}" if unicodedata.combining(character) else character
        reason = "cannot be printed in documents: no font they embed draws it"
        message = (
            f"{shown} ({code_point_named(character)}) {reason} (character {position + 1}); "
            "remove or replace it"
        )
        super().__init__(reason, character, position, message)


def is_noncharacter(code_point: int) -> bool:
    """U+FDD0-U+FDEF, and U+xFFFE / U+xFFFF in every plane."""
    return 0xFDD0 <= code_point <= 0xFDEF or (code_point & 0xFFFE) == 0xFFFE


def is_control(code_point: int) -> bool:
    return code_point <= 0x1F or 0x7F <= code_point <= 0x9F


def is_surrogate(code_point: int) -> bool:
    return 0xD800 <= code_point <= 0xDFFF


def refusal(character: str, kind: TextKind) -> str | None:
    """Why ``character`` may not appear in a field of ``kind``, or None when it may."""
    code_point = ord(character)
    if is_control(code_point):
        if kind is TextKind.MULTI_LINE and code_point in MULTI_LINE_WHITESPACE:
            return None
        if code_point in (0x0A, 0x0D):
            return "a line break is not allowed in a single-line field"
        return "a control character is not allowed"
    if is_surrogate(code_point):
        return "a lone surrogate is not a character"
    if is_noncharacter(code_point):
        return "a Unicode non-character is not allowed"
    if code_point in BIDI_CONTROLS:
        return "a bidirectional override, embedding or isolate is not allowed"
    if code_point in LINE_SEPARATORS and kind is TextKind.SINGLE_LINE:
        return "a line break is not allowed in a single-line field"
    return None


def normalise_line_ends(text: str) -> str:
    """CR LF, lone CR and the Unicode line and paragraph separators all become LF."""
    for line_end in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(line_end, "\n")
    return text


def acceptable_text(text: str, kind: TextKind) -> str:
    """``text`` as grantflow stores it, or ``UnacceptableText`` naming the first character
    that no document can carry (``UnprintableText`` when it is one no embedded font draws,
    found in the stored NFC form). Lengths are the caller's concern (they differ per field)."""
    if kind is TextKind.MULTI_LINE:
        text = normalise_line_ends(text)
    for position, character in enumerate(text):
        reason = refusal(character, kind)
        if reason is not None:
            raise UnacceptableText(reason, character, position)
    stored = unicodedata.normalize("NFC", text)
    for position, character in enumerate(stored):
        if character not in "\n\t" and not is_printable(ord(character)):
            raise UnprintableText(character, position)
    return stored
