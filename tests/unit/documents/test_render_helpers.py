from __future__ import annotations

import io
import struct
from pathlib import Path

from fontTools.ttLib import TTFont

from documents.render.font_timestamps import pin_modified
from documents.render.pdf import css_string, page_label_css

FONTS = Path(__file__).resolve().parents[3] / "documents" / "fonts"


def test_css_strings_cannot_break_out_of_the_style_element():
    escaped = css_string('Page "1" </style><script>')
    assert escaped.startswith('"') and escaped.endswith('"')
    assert not any(ch in escaped[1:-1] for ch in '"<>/')


def test_page_label_becomes_counters_in_either_language():
    assert page_label_css("Page {page} of {pages}") == (
        f'"Page " counter(page) {css_string(" of ")} counter(pages)'
    )
    assert "counter(pages)" in page_label_css("Page {page} de {pages}")


def test_pinned_font_keeps_valid_checksums_and_its_creation_time():
    original = (FONTS / "DejaVuSans-Bold.ttf").read_bytes()
    font = TTFont(io.BytesIO(original))
    font["head"].modified = font["head"].created + 12345
    stamped = io.BytesIO()
    font.save(stamped, reorderTables=False)
    pinned = pin_modified(stamped.getvalue())
    reread = TTFont(io.BytesIO(pinned), checkChecksums=2)
    assert reread["head"].modified == reread["head"].created
    padded = pinned + b"\0" * (-len(pinned) % 4)
    assert sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
    assert pin_modified(pinned) == pinned


def test_anything_but_a_font_passes_through_unchanged():
    assert pin_modified(b"not a font") == b"not a font"
