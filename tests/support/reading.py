"""Read generated documents back as text, the way a person's tools would."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import Any

import docx
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize(
        "NFC", "\n".join(page.extract_text() or "" for page in reader.pages)
    )


MM = 72 / 25.4
# The page margins of documents/templates/document.css: running headers and footers sit in them.
TOP_MARGIN, BOTTOM_MARGIN = 20 * MM, 18 * MM


def pdf_body_text(data: bytes) -> str:
    """The text inside the page margins, page after page, without the running header and
    footer: a paragraph that continues over a page break reads back in one piece."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(_body_of(page) for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def _body_of(page: Any) -> str:
    top = float(page.mediabox.top) - TOP_MARGIN
    parts: list[str] = []

    def keep(text: str, cm: list, tm: list, _font: object, _size: object) -> None:
        baseline = cm[5] + tm[5] * cm[3]
        if BOTTOM_MARGIN <= baseline <= top:
            parts.append(text)

    page.extract_text(visitor_text=keep)
    return "".join(parts)


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
