"""What a laid-out document looks like page by page, read from WeasyPrint's boxes: how full
each page is, which headings end a page, which keep-together groups a page break cuts, and
whether a last page holds anything but a signature.

The running header and footer live in the page's margin boxes and are never counted as
content. A page's fill is the share of its content area, from the top, down to the bottom of
its last line of text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from weasyprint.formatting_structure import boxes

HEADINGS = {"h1", "h2", "h3", "h4"}
GROUP = "keep-together"
SIGNATURE = "signature-group"
# "No page but the last under a fifth full" (issue 13).
MIN_FILL = 0.2


@dataclass
class Line:
    """One line of text on a page, with the elements it sits in (innermost last)."""

    top: float
    bottom: float
    tags: tuple[str, ...]
    groups: tuple[int, ...]  # ids of the keep-together elements it is inside
    in_signature: bool
    text: str


@dataclass
class Page:
    number: int
    fill: float
    lines: list[Line] = field(default_factory=list)

    @property
    def last_line(self) -> Line | None:
        return max(self.lines, key=lambda line: line.bottom, default=None)


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def _walk(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, ancestors
    for child in getattr(box, "children", None) or ():
        yield from _walk(child, (*ancestors, box))


def _line_text(line: Any) -> str:
    return "".join(box.text for box, _ in _walk(line) if isinstance(box, boxes.TextBox)).strip()


def pages_of(document: Any) -> list[Page]:
    """The pages of a ``weasyprint.Document`` with their lines of body text."""
    pages = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        top, height = page_box.content_box_y(), page_box.height
        lines = []
        for box, ancestors in _walk(page_box):
            if isinstance(box, boxes.MarginBox) or any(
                isinstance(a, boxes.MarginBox) for a in ancestors
            ):
                continue
            if not isinstance(box, boxes.LineBox):
                continue
            elements = [a for a in ancestors if getattr(a, "element", None) is not None]
            tags = tuple(a.element_tag for a in elements)
            groups = tuple(id(a.element) for a in elements if GROUP in _classes(a.element))
            signature = any(SIGNATURE in _classes(a.element) for a in elements)
            lines.append(
                Line(
                    box.position_y,
                    box.position_y + box.height,
                    tags,
                    groups,
                    signature,
                    _line_text(box),
                )
            )
        bottom = max((line.bottom for line in lines), default=top)
        pages.append(Page(number, (bottom - top) / height, lines))
    return pages


def split_groups(pages: list[Page]) -> list[str]:
    """Keep-together groups (a signature and what belongs with it) cut by a page break."""
    seen: dict[int, set[int]] = {}
    first_text: dict[int, str] = {}
    for page in pages:
        for line in page.lines:
            for group in line.groups:
                seen.setdefault(group, set()).add(page.number)
                first_text.setdefault(group, line.text)
    return [
        f"group starting {first_text[group]!r} runs over pages {sorted(numbers)}"
        for group, numbers in seen.items()
        if len(numbers) > 1
    ]


def headings_ending_a_page(pages: list[Page]) -> list[str]:
    """Headings that are the last text on a page that is not the document's last."""
    problems = []
    for page in pages[:-1]:
        last = page.last_line
        if last is not None and HEADINGS & set(last.tags):
            problems.append(f"page {page.number} ends with the heading {last.text!r}")
    return problems


def underfull_pages(pages: list[Page]) -> list[str]:
    """Pages but the last filled to less than ``MIN_FILL`` of their height."""
    return [
        f"page {page.number} of {len(pages)} is {page.fill:.0%} full"
        for page in pages[:-1]
        if page.fill < MIN_FILL
    ]


def signature_alone_on_last_page(pages: list[Page]) -> list[str]:
    """A document of several pages whose last page holds only a signature."""
    if len(pages) < 2:
        return []
    last = pages[-1]
    if last.lines and all(line.in_signature for line in last.lines):
        return [f"page {last.number} holds nothing but a signature"]
    return []


def layout_problems(document: Any) -> list[str]:
    """Every rule above, as sentences; empty when the document reads as finished."""
    pages = pages_of(document)
    return (
        split_groups(pages)
        + headings_ending_a_page(pages)
        + underfull_pages(pages)
        + signature_alone_on_last_page(pages)
    )
