"""CSV as spreadsheets read it: RFC 4180, UTF-8 with a byte-order mark, no formulas.

- **RFC 4180**: CRLF line ends; a cell holding a comma, a double quote or a line break is
  quoted, and its double quotes doubled.
- **A byte-order mark**: Excel reads a CSV without one in the computer's legacy code page,
  which turns French accents and syllabics (ᐊᓂᔑᓈᐯ) into mojibake; with it, Excel, LibreOffice
  and Numbers read UTF-8. Python reads it back with ``encoding="utf-8-sig"``.
- **No formulas** (CSV injection, OWASP): a text cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is what a spreadsheet would run as a formula, so it is
  written with a leading apostrophe, which spreadsheets show as text. Numbers are written
  as numbers (a negative amount stays ``-100``): only text is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from models.clock import as_utc

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

Cell = str | int | float | bool | date | datetime | None


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it."""
    return NEUTRALISER + text if text.startswith(FORMULA_STARTS) else text


def cell_text(value: Cell) -> str:
    """One cell: nothing for None, ISO 8601 for dates and UTC instants, yes/no for booleans,
    numbers as digits, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return neutralised(str(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterable[str]:
    """The CSV's text a line at a time, the byte-order mark first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralised(name) for name in header])
    yield BOM + buffer.getvalue()
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row has {len(row)} cells for {len(header)} columns")
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell_text(value) for value in row])
        yield buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole CSV, encoded as UTF-8 (with its byte-order mark)."""
    return "".join(csv_lines(header, rows)).encode("utf-8")
