"""Read generated documents back as text, the way a person's tools would."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import docx
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize(
        "NFC", "\n".join(page.extract_text() or "" for page in reader.pages)
    )


PDFTOTEXT = "pdftotext"  # poppler-utils, which the test command installs with pdfsig
XHTML = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4
# The page margins of documents/templates/document.css: running headers and footers sit in them.
TOP_MARGIN, BOTTOM_MARGIN = 20 * MM, 18 * MM


def pdf_body_text(data: bytes) -> str:
    """The text inside the page margins, page after page, without the running header and
    footer: a paragraph that continues over a page break reads back in one piece.

    Read by poppler's ``pdftotext`` in content-stream order (``-raw``, the order pypdf reads in;
    the words of every sample document of both languages read back the same), each word with its
    box (``-bbox``), a word kept when its middle lies between the margins. About five times as
    fast as pypdf's extraction, in which the input probe spent 40% of its time. Words are joined
    by spaces: callers compare without them.
    """
    words = subprocess.run(
        [PDFTOTEXT, "-q", "-raw", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout
    parts: list[str] = []
    for page in ElementTree.fromstring(words).iter(f"{XHTML}page"):
        bottom = float(page.get("height", "0")) - BOTTOM_MARGIN
        for word in page.iter(f"{XHTML}word"):
            middle = (float(word.get("yMin", "0")) + float(word.get("yMax", "0"))) / 2
            if TOP_MARGIN <= middle <= bottom:
                parts.append(word.text or "")
    return unicodedata.normalize("NFC", " ".join(parts))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return unicodedata.normalize("NFC", "\n".join(parts))


def squash(text: str) -> str:
    """Collapse every kind of space, so a line break or no-break space never hides a match."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def without_spaces(text: str) -> str:
    """``text`` with every space and line break removed: a word the PDF broke across lines (or
    a line the renderer wrapped) reads back as it was typed."""
    return "".join(text.split())


def overflowing_boxes(document: Any) -> list[str]:
    """The layout boxes of a laid-out WeasyPrint document that reach past their page's right
    edge (a word clipped at the page edge): each as 'page N: <tag> box ends at X of W px'."""
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box  # WeasyPrint's layout tree: no public API reaches the boxes
        right = page_box.margin_width()
        for box in _descendants(page_box):
            end = box.position_x + box.margin_width()
            if end > right + 0.5:  # half a CSS pixel of rounding
                tag = getattr(getattr(box, "element", None), "tag", "?")
                found.append(
                    f"page {number}: <{tag}> {type(box).__name__} ends at {end:.0f} px "
                    f"of {right:.0f}"
                )
    return found


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child)
