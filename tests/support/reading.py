"""Read generated documents back as text, the way a person's tools would."""

from __future__ import annotations

import io
import unicodedata

import docx
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize(
        "NFC", "\n".join(page.extract_text() or "" for page in reader.pages)
    )


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
