"""PDF rendering with WeasyPrint from documents/templates, fonts from documents/fonts.

Determinism: the PDF's dates come from the document's issue time, its /ID from the HTML it
renders, WeasyPrint names font subsets from a hash of the font description, and the subsets'
own timestamps are pinned (see font_timestamps); so the same content gives the same bytes in any
process with the same WeasyPrint, pydyf, fontTools/HarfBuzz and fonts.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import string
import threading
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from documents.content import Block, DocumentContent, KeepTogether, SignatureBlock, Table
from documents.render.chart_svg import chart_svg
from documents.render.font_timestamps import pin_font_timestamps
from documents.render.shorten import shortened

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# One PDF at a time per process: Pango and fontconfig keep process-wide state that WeasyPrint
# does not promise to guard across threads (workflows render from worker threads). Layout is
# Python-bound under the GIL anyway, so the lock costs little throughput.
_RENDER_LOCK = threading.Lock()
_SAFE_CSS = set(string.ascii_letters + string.digits + " ")
# The running header and footer repeat the fund name and the marking in a 7.5pt margin box: at
# most two lines of it. The letterhead on the first page carries the name whole.
RUNNING_TEXT_MAX = 120


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["running"] = lambda text: shortened(text, RUNNING_TEXT_MAX)
    environment.globals["column_widths"] = column_widths
    environment.globals["chart_svg"] = chart_svg
    return environment


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


# A data table is about this many characters of body text wide (letter, 20 mm margins, 9.5pt).
_TABLE_CHARACTERS = 85
_WORD_MAX, _LINE_MAX = 40, 80  # one long value must not starve the other columns
# A cell's padding and a bold total ("Total" in a narrow number column) take about this many
# characters more than the word itself: without them a short word was cut in two ("Tot-al").
_CELL_PADDING = 3


def column_widths(table: Table) -> list[str]:
    """Each column's share of a data table's width, as CSS percentages.

    Data tables are laid out with ``table-layout: fixed``: a long word wraps inside its cell,
    and WeasyPrint's automatic layout takes seconds to size a column around a long word. These
    shares follow the automatic layout's rule in characters: each column gets its longest word
    (an email address stays on one line), and what is left goes to the columns whose lines
    are longer than that."""
    rows = (
        tuple(c.label for c in table.columns),
        *table.rows,
        *((table.footer,) if table.footer else ()),
    )
    shares_of = [_column_need(cells) for cells in zip(*rows, strict=True)]
    spare = max(_TABLE_CHARACTERS - sum(word for word, _ in shares_of), 0)
    wanted = sum(line - word for word, line in shares_of) or 1
    shares = [word + spare * (line - word) / wanted for word, line in shares_of]
    total = sum(shares)
    return [f"{100 * share / total:.2f}%" for share in shares]


def _column_need(cells: tuple[str, ...]) -> tuple[int, int]:
    """(longest word, longest line) of a column in characters, within the bounds above."""
    lines = [line for cell in cells for line in cell.splitlines()]
    word = max((len(w) for line in lines for w in line.split()), default=1)
    line = max((len(line) for line in lines), default=1)
    word = min(word, _WORD_MAX) + _CELL_PADDING
    return word, max(word, min(line, _LINE_MAX) + _CELL_PADDING)


@dataclass(frozen=True)
class _GroupView:
    """A ``KeepTogether`` as the template draws it: its blocks already tagged."""

    blocks: list[tuple[str, object]]
    signature: bool


def _grouped(blocks: tuple[Block, ...]) -> list[tuple[str, object]]:
    """Blocks tagged with their type; consecutive signatures become one side-by-side group."""
    grouped: list[tuple[str, object]] = []
    for block in blocks:
        if isinstance(block, KeepTogether):
            grouped.append(("KeepTogether", _GroupView(_grouped(block.blocks), block.signature)))
        elif isinstance(block, SignatureBlock):
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


@dataclass(frozen=True)
class LaidOut:
    """A document laid out by WeasyPrint (pages and boxes), before it is written as PDF."""

    html: str
    document: Any  # weasyprint.Document: imported lazily, WeasyPrint is slow to import


def lay_out(content: DocumentContent) -> LaidOut:
    """``content`` laid out on pages; tests read the boxes to see that nothing overflows."""
    from weasyprint import HTML

    html = render_html(content)
    with _RENDER_LOCK:
        font_config, stylesheet = _stylesheet()
        document = HTML(string=html, base_url=str(TEMPLATES)).render(
            stylesheets=[stylesheet], font_config=font_config
        )
    return LaidOut(html, document)


@cache
def _stylesheet() -> tuple[Any, Any]:
    """The documents' stylesheet, parsed once per process with the font configuration its
    @font-face rules load the embedded fonts into (a fifth of a render's time when parsed
    each time). Called under the render lock."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    atexit.register(_remove_font_folder, font_config)
    return font_config, CSS(filename=str(TEMPLATES / "document.css"), font_config=font_config)


def _remove_font_folder(font_config: Any) -> None:
    """Remove the fonts' temporary folder while the interpreter still runs: WeasyPrint's own
    ``__del__`` would do it during shutdown, when ``shutil.rmtree`` is already gone (and print
    a traceback); with ``_folder`` cleared it does nothing."""
    folder, font_config._folder = font_config._folder, None
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def write_pdf(laid_out: LaidOut) -> bytes:
    """The PDF bytes of a laid-out document; its /ID comes from the HTML it was laid out from."""
    identifier = hashlib.sha256(laid_out.html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _RENDER_LOCK:
        return laid_out.document.write_pdf(pdf_identifier=identifier, finisher=pin_font_timestamps)


def render_pdf(content: DocumentContent) -> bytes:
    """``content`` as PDF bytes; the same content always gives the same bytes."""
    return write_pdf(lay_out(content))
