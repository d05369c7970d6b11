"""Writes ``models/printable.py``, the table of printable code points that input checks
(``models.text_rules``), from what the embedded fonts draw (``documents.glyphs``):

    python -m documents.glyph_table models/printable.py

A module of its own, which nothing imports, so that running it imports it once.
"""

from __future__ import annotations

import sys
from pathlib import Path

from documents.glyphs import as_ranges, coverage_by_weight, printable_code_points

GENERATED = '''"""The code points documents can print, generated from the embedded fonts by
``python -m documents.glyph_table models/printable.py`` (documents/glyphs.py says how); do not
edit. tests/unit/documents/test_glyphs.py fails when this differs from what the fonts give.

{count} code points: {by_weight}.
"""

from __future__ import annotations

from bisect import bisect_right

PRINTABLE_RANGES: tuple[tuple[int, int], ...] = (
{rows}
)
_STARTS = tuple(low for low, _ in PRINTABLE_RANGES)


def is_printable(code_point: int) -> bool:
    """Whether a font the documents embed draws ``code_point`` (or it is an invisible mark)."""
    index = bisect_right(_STARTS, code_point) - 1
    return index >= 0 and code_point <= PRINTABLE_RANGES[index][1]
'''


def generated_module() -> str:
    """The source of ``models/printable.py``."""
    ranges = as_ranges(printable_code_points())
    rows = "\n".join(f"    (0x{low:04X}, 0x{high:04X})," for low, high in ranges)
    by_weight = ", ".join(
        f"{len(points)} drawn in {weight}"
        for weight, points in sorted(coverage_by_weight().items())
    )
    return GENERATED.format(count=len(printable_code_points()), by_weight=by_weight, rows=rows)


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "models/printable.py")
    target.write_text(generated_module())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
