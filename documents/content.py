"""The structured content of one document: what the PDF and DOCX renderers both draw.

Every string here is final, localised text; renderers add layout, never words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from documents.context import Language


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Clause:
    number: str
    text: str
    title: str | None = None


@dataclass(frozen=True)
class ClauseList:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class KeyValues:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """Rows under column labels. The labels repeat at the top of every page the table runs
    onto; ``footer`` (a total) is drawn once, after the last row, never at a page break."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...] | None = None
    caption: str | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        rows = self.rows + ((self.footer,) if self.footer is not None else ())
        if any(len(row) != width for row in rows):
            raise ValueError(f"every table row must have {width} cells")


@dataclass(frozen=True)
class SignatureBlock:
    """One party's signature. ``signed_on`` None means blank lines to sign on."""

    party: str
    name: str | None
    title: str | None
    signed_on: str | None = None


@dataclass(frozen=True)
class Notice:
    text: str
    title: str | None = None
    tone: Literal["info", "important", "confidential"] = "info"


@dataclass(frozen=True)
class KeepTogether:
    """Blocks that belong together and so stay on one page: a signature with its heading,
    its introduction or its complimentary close. ``signature`` marks the signing part itself
    (the close and the signer's name and title, or the signature blocks): a document's last
    page must hold more than that."""

    blocks: tuple[Block, ...]
    signature: bool = False


@dataclass(frozen=True)
class Bar:
    """One labelled group of bars, a value per series. ``None`` draws no bar: the value is not
    published (a suppressed count), and ``shown`` prints the marker in its place."""

    label: str
    values: tuple[int | None, ...]
    shown: tuple[str, ...]


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart of non-negative figures, drawn to scale from ``bars``; the PDF
    draws it as SVG, the DOCX as a table of bars. ``summary`` says in words what it shows."""

    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    summary: str

    def __post_init__(self) -> None:
        for bar in self.bars:
            if len(bar.values) != len(self.series) or len(bar.shown) != len(self.series):
                raise ValueError(f"bar {bar.label!r} needs one value per series")
            if any(value is not None and value < 0 for value in bar.values):
                raise ValueError(f"bar {bar.label!r} has a negative value")

    @property
    def largest(self) -> int:
        return max((v for bar in self.bars for v in bar.values if v is not None), default=0)


Block = (
    Heading
    | Paragraph
    | ClauseList
    | KeyValues
    | Table
    | SignatureBlock
    | Notice
    | KeepTogether
    | BarChart
)


@dataclass(frozen=True)
class Party:
    label: str
    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    """Words the renderers place around the content (page footer, signature lines)."""

    page_of: str  # with {page} and {pages} placeholders
    signature: str
    name: str
    title: str
    date: str
    signed_electronically: str
    between: str
    and_: str


@dataclass(frozen=True)
class DocumentContent:
    kind: str
    language: Language
    template_version: str
    title: str
    reference: str
    fund_name: str
    organisation_name: str
    issued_at: datetime  # UTC; fixes the files' metadata dates
    issued_line: str
    labels: Labels
    subtitle: str | None = None
    marking: str | None = None
    addressee: tuple[str, ...] = ()
    parties: tuple[Party, ...] = ()
    blocks: tuple[Block, ...] = ()
