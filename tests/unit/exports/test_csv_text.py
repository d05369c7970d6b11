"""The CSV writer: RFC 4180 quoting, a byte-order mark, accents and syllabics kept, and no
cell a spreadsheet would run as a formula. Read back with the standard ``csv`` reader."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from documents.exports.csv_text import BOM, cell_text, csv_bytes, neutralised


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_rfc_4180_quoting_and_crlf_line_ends() -> None:
    data = csv_bytes(("a", "b"), [('say "hi", then', "two\nlines"), ("plain", 3)])
    text = data.decode("utf-8-sig")
    assert text == 'a,b\r\n"say ""hi"", then","two\nlines"\r\nplain,3\r\n'
    assert read_back(data) == [["a", "b"], ['say "hi", then', "two\nlines"], ["plain", "3"]]


def test_byte_order_mark_once_at_the_start() -> None:
    data = csv_bytes(("a",), [("x",), ("y",)])
    assert data.startswith(BOM.encode("utf-8"))
    assert data.count(BOM.encode("utf-8")) == 1


def test_french_accents_and_syllabics_survive() -> None:
    words = ("Guérison à l’aube — Étoile du Nord", "ᐊᓂᔑᓈᐯᒧᐎᓐ ᑭᐦᒋ ᐅᑭᒪᐎᐣ", "Œuvre naïve")
    data = csv_bytes(("text",), [(w,) for w in words])
    assert [row[0] for row in read_back(data)[1:]] == list(words)
    # Excel decodes UTF-8 only with the mark; without it these bytes would be mojibake.
    assert data[:3] == b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "=cmd|' /C calc'!A0",
    ],
)
def test_a_cell_that_would_start_a_formula_is_text(dangerous: str) -> None:
    data = csv_bytes(("a",), [(dangerous,)])
    cell = read_back(data)[1][0]
    assert cell == "'" + dangerous
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_header_that_would_start_a_formula_is_text_too() -> None:
    assert read_back(csv_bytes(("=bad",), []))[0] == ["'=bad"]


def test_numbers_stay_numbers_and_harmless_text_is_unchanged() -> None:
    assert cell_text(-100) == "-100"
    assert cell_text(0) == "0"
    assert neutralised("Safe Paths Home") == "Safe Paths Home"
    assert neutralised("a=b") == "a=b"  # only a leading character makes a formula


def test_dates_instants_booleans_and_nothing() -> None:
    assert cell_text(date(2027, 3, 31)) == "2027-03-31"
    assert cell_text(datetime(2027, 4, 1, 12, 30)) == "2027-04-01T12:30:00+00:00"
    assert cell_text(datetime(2027, 4, 1, 12, 30, tzinfo=UTC)) == "2027-04-01T12:30:00+00:00"
    assert cell_text(True) == "yes" and cell_text(False) == "no"
    assert cell_text(None) == ""


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        csv_bytes(("a", "b", "c"), [("x", "y")])
