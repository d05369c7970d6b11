"""Renderers: the same DocumentContent as PDF (WeasyPrint) or DOCX (python-docx)."""

from __future__ import annotations

from typing import Literal

from documents.content import DocumentContent
from documents.glyphs import require_printable

Format = Literal["pdf", "docx"]
FORMATS: tuple[Format, ...] = ("pdf", "docx")


def render_document(content: DocumentContent, fmt: Format) -> bytes:
    """``content`` as deterministic ``pdf`` or ``docx`` bytes. A character no embedded font
    draws raises ``DocumentDataError`` naming it and where it sits, rather than print a box."""
    require_printable(content)
    if fmt == "pdf":
        from documents.render.pdf import render_pdf

        return render_pdf(content)
    if fmt == "docx":
        from documents.render.docx import render_docx

        return render_docx(content)
    raise ValueError(f"unsupported format: {fmt!r}")
