"""PDF rendering with WeasyPrint from documents/templates, fonts from documents/fonts.

Determinism: the PDF's dates come from the document's issue time, its /ID from the HTML it
renders, WeasyPrint names font subsets from a hash of the font description, and the subsets'
own timestamps are pinned (see font_timestamps); so the same content gives the same bytes in any
process with the same WeasyPrint, pydyf, fontTools/HarfBuzz and fonts.
"""

from __future__ import annotations

import hashlib
import re
import string
import threading
from datetime import UTC
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from documents.content import Block, DocumentContent, SignatureBlock
from documents.render.font_timestamps import pin_font_timestamps

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# One PDF at a time per process: Pango and fontconfig keep process-wide state that WeasyPrint
# does not promise to guard across threads (workflows render from worker threads). Layout is
# Python-bound under the GIL anyway, so the lock costs little throughput.
_RENDER_LOCK = threading.Lock()
_SAFE_CSS = set(string.ascii_letters + string.digits + " ")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string; every character but letters, digits and spaces is
    hex-escaped, so nothing in it can close the string or the style element."""
    escaped = "".join(ch if ch in _SAFE_CSS else f"\\{ord(ch):06x}" for ch in text)
    return f'"{escaped}"'


def page_label_css(template: str) -> str:
    """``Page {page} of {pages}`` as a CSS ``content`` value with page counters."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def _grouped(blocks: tuple[Block, ...]) -> list[tuple[str, object]]:
    """Blocks tagged with their type; consecutive signatures become one side-by-side group."""
    grouped: list[tuple[str, object]] = []
    for block in blocks:
        if isinstance(block, SignatureBlock):
            if grouped and grouped[-1][0] == "Signatures":
                grouped[-1] = ("Signatures", (*grouped[-1][1], block))  # type: ignore[misc]
            else:
                grouped.append(("Signatures", (block,)))
        else:
            grouped.append((type(block).__name__, block))
    return grouped


def render_html(content: DocumentContent) -> str:
    """The HTML that WeasyPrint lays out (autoescaped)."""
    issued = content.issued_at
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    created = issued.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    template = _environment().get_template("document.html.j2")
    return template.render(
        c=content,
        blocks=_grouped(content.blocks),
        created=created,
        page_label=Markup(page_label_css(content.labels.page_of)),
    )


def render_pdf(content: DocumentContent) -> bytes:
    """``content`` as PDF bytes; the same content always gives the same bytes."""
    html = render_html(content)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _RENDER_LOCK:
        return _write(html, identifier)


def _write(html: str, identifier: bytes) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(TEMPLATES / "document.css"), font_config=font_config)
    document = HTML(string=html, base_url=str(TEMPLATES)).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    return document.write_pdf(pdf_identifier=identifier, finisher=pin_font_timestamps)
