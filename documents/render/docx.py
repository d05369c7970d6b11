"""DOCX rendering with python-docx, from the same DocumentContent as the PDF.

Determinism: core properties come from the document (dates = issue time), and the package is
rewritten with fixed entry timestamps and a stable entry order, so the same content gives the
same bytes in any process.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from documents.content import (
    BarChart,
    Block,
    ClauseList,
    DocumentContent,
    Heading,
    KeepTogether,
    KeyValues,
    Notice,
    Paragraph,
    SignatureBlock,
    Table,
)
from documents.render.shorten import shortened

FONT = "DejaVu Sans"
ACCENT = RGBColor(0x1F, 0x4E, 0x5F)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
_SHADES = {"info": "F1F6F8", "important": "FFF7E8", "confidential": "FBEFEF"}
# python-docx refuses a core property (title, subject, keywords...) longer than 255 characters;
# names may be longer (models.text_types), so those properties are shortened, never refused.
CORE_PROPERTY_MAX = 255


def _set_font(element_with_rpr, size: float | None = None, bold: bool | None = None) -> None:
    font = element_with_rpr.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = element_with_rpr.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def _setup_styles(doc, language: str) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, size=9.5)
    normal.paragraph_format.space_after = Pt(4)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), f"{language}-CA")
    normal.element.get_or_add_rPr().append(lang)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11.5), ("Heading 3", 10)):
        style = styles[name]
        _set_font(style, size=size, bold=True)
        style.font.color.rgb = ACCENT
        style.font.italic = False
    for name in ("Table Grid", "Header", "Footer"):
        _set_font(styles[name])


def _setup_page(doc, content: DocumentContent) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.left_margin = section.right_margin = Mm(20)
    header = section.header.paragraphs[0]
    header.text = f"{content.fund_name}\t\t{content.reference}"
    _set_font(header.runs[0], size=7.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if content.marking:
        _set_font(footer.add_run(f"{content.marking}    "), size=7.5, bold=True)
    _page_label(footer, content.labels.page_of)


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "15")
    properties.append(size)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_label(paragraph: DocxParagraph, template: str) -> None:
    before, _, rest = template.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    _set_font(paragraph.add_run(before), size=7.5)
    _field(paragraph, "PAGE")
    _set_font(paragraph.add_run(middle), size=7.5)
    _field(paragraph, "NUMPAGES")
    if after:
        _set_font(paragraph.add_run(after), size=7.5)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_text(cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold


def _repeat_header(table: DocxTable) -> None:
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row_properties.append(marker)


def _table(doc, block: Table) -> None:
    rows = list(block.rows) + ([block.footer] if block.footer is not None else [])
    if block.caption:
        doc.add_paragraph(block.caption).runs[0].bold = True
    table = doc.add_table(rows=1 + len(rows), cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
        _cell_text(cell, column.label, bold=True, right=column.numeric)
        _shade(cell, "E6EEF1")
    _repeat_header(table)
    footer_index = len(block.rows) if block.footer is not None else -1
    for index, values in enumerate(rows):
        cells = table.rows[index + 1].cells
        for cell, value, column in zip(cells, values, block.columns, strict=True):
            _cell_text(cell, value, bold=index == footer_index, right=column.numeric)
    for row in table.rows:
        _no_split(row._tr)
    doc.add_paragraph()


CHART_BLOCKS = 30  # the longest bar, in full blocks
CHART_COLOURS = ("2F6F7E", "C77C2E", "6B8F3A", "7A4F8F")


def chart_blocks(value: int, largest: int) -> int:
    """How many full blocks draw ``value`` on a scale whose longest bar is ``largest``; a
    non-zero value gets at least one."""
    if largest == 0 or value == 0:
        return 0
    return max(1, round(CHART_BLOCKS * value / largest))


def _bar_chart(doc, block: BarChart) -> None:
    """The chart as a table of bars: a row per bar and series, the bar drawn to scale in full
    blocks, its printed value beside it (a figure not published has no bar, only its marker)."""
    caption = doc.add_paragraph(block.title)
    caption.runs[0].bold = True
    caption.paragraph_format.keep_with_next = True
    series = len(block.series)
    table = doc.add_table(rows=len(block.bars) * series, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, bar in enumerate(block.bars):
        for offset, (value, shown) in enumerate(zip(bar.values, bar.shown, strict=True)):
            cells = table.rows[index * series + offset].cells
            label = bar.label if offset == 0 else ""
            name = block.series[offset] if series > 1 else ""
            _cell_text(cells[0], f"{label}\n{name}".strip() if name else label)
            paragraph = cells[1].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if value is not None:
                run = paragraph.add_run("\u2588" * chart_blocks(value, block.largest))
                run.font.color.rgb = RGBColor.from_string(
                    CHART_COLOURS[offset % len(CHART_COLOURS)]
                )
                run.font.size = Pt(7)
            _cell_text(cells[2], shown, right=True)
    for row in table.rows:
        _no_split(row._tr)
    summary = doc.add_paragraph(block.summary)
    summary.runs[0].italic = True


def _key_values(doc, block: KeyValues) -> None:
    table = doc.add_table(rows=len(block.rows), cols=2)
    table.style = doc.styles["Table Grid"]
    for row, (key, value) in zip(table.rows, block.rows, strict=True):
        _cell_text(row.cells[0], key, bold=True)
        _cell_text(row.cells[1], value)
        row.cells[0].width, row.cells[1].width = Mm(62), Mm(113)
        _no_split(row._tr)
    doc.add_paragraph()


def _notice(doc, block: Notice) -> None:
    table = doc.add_table(rows=1, cols=1)
    table.style = doc.styles["Table Grid"]
    cell = table.rows[0].cells[0]
    _shade(cell, _SHADES[block.tone])
    _no_split(table.rows[0]._tr)
    if block.title:
        _cell_text(cell, block.title, bold=True)
        cell.add_paragraph(block.text)
    else:
        _cell_text(cell, block.text)
    doc.add_paragraph()


def _clauses(doc, block: ClauseList) -> None:
    for clause in block.clauses:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(10)
        paragraph.paragraph_format.first_line_indent = Mm(-10)
        paragraph.add_run(f"{clause.number}\t").bold = True
        if clause.title:
            paragraph.add_run(f"{clause.title} ").bold = True
        paragraph.add_run(clause.text)


def _signature(doc, block: SignatureBlock, content: DocumentContent) -> None:
    labels = content.labels
    doc.add_paragraph().add_run(block.party).bold = True
    blank = "_" * 36
    first = labels.signed_electronically if block.signed_on else f"{labels.signature}: {blank}"
    doc.add_paragraph(first)
    for label, value in (
        (labels.name, block.name),
        (labels.title, block.title),
        (labels.date, block.signed_on),
    ):
        doc.add_paragraph(f"{label}: {value or blank}")


def _body_elements(doc) -> list:
    """The body's paragraphs and tables, in order (the section properties excluded)."""
    return [element for element in doc.element.body if element.tag != qn("w:sectPr")]


def _keep_together(doc, block: KeepTogether, content: DocumentContent) -> None:
    """Draw the group's blocks, then tie them to one page as Word can: every paragraph kept
    whole and with the next, the last one excepted, and no table row split."""
    start = len(_body_elements(doc))
    for inner in block.blocks:
        _block(doc, inner, content)
    added = _body_elements(doc)[start:]
    paragraphs = [p for element in added for p in element.iter(qn("w:p"))]
    for index, element in enumerate(paragraphs):
        fmt = DocxParagraph(element, None).paragraph_format
        fmt.keep_together = True
        fmt.keep_with_next = index < len(paragraphs) - 1
    for element in added:
        for row in element.iter(qn("w:tr")):
            _no_split(row)


def _no_split(row) -> None:
    properties = row.get_or_add_trPr()
    if properties.find(qn("w:cantSplit")) is None:
        properties.append(OxmlElement("w:cantSplit"))


def _block(doc, block: Block, content: DocumentContent) -> None:
    if isinstance(block, Heading):
        heading = doc.add_heading(block.text, level=min(block.level, 3))
        heading.paragraph_format.keep_with_next = True
    elif isinstance(block, Paragraph):
        paragraph = doc.add_paragraph()
        paragraph.add_run(block.text).bold = block.emphasis or None
    elif isinstance(block, ClauseList):
        _clauses(doc, block)
    elif isinstance(block, KeyValues):
        _key_values(doc, block)
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, SignatureBlock):
        _signature(doc, block, content)
    elif isinstance(block, Notice):
        _notice(doc, block)
    elif isinstance(block, KeepTogether):
        _keep_together(doc, block, content)
    elif isinstance(block, BarChart):
        _bar_chart(doc, block)
    else:
        raise TypeError(f"unknown block: {type(block).__name__}")


def _front_matter(doc, content: DocumentContent) -> None:
    fund = doc.add_paragraph()
    _set_font(fund.add_run(content.fund_name), size=12, bold=True)
    fund.runs[0].font.color.rgb = ACCENT
    doc.add_paragraph(content.reference)
    if content.marking:
        doc.add_paragraph().add_run(content.marking).bold = True
    doc.add_heading(content.title, level=0)
    if content.subtitle:
        doc.add_paragraph(content.subtitle)
    doc.add_paragraph(content.issued_line)
    if content.addressee:
        address = doc.add_paragraph()
        for index, line in enumerate(content.addressee):
            run = address.add_run(line)
            if index < len(content.addressee) - 1:
                run.add_break()
    for index, party in enumerate(content.parties):
        joiner = content.labels.between if index == 0 else content.labels.and_
        doc.add_paragraph().add_run(joiner.upper()).bold = True
        name = doc.add_paragraph()
        name.add_run(party.name).bold = True
        name.add_run(f" ({party.label})")
        for line in party.lines:
            doc.add_paragraph(line)


def _drop_thumbnail(doc) -> None:
    package = doc.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package.rels[key]


def fit_core_property(text: str, limit: int = CORE_PROPERTY_MAX) -> str:
    """``text`` whole when it fits a DOCX core property, else cut to fit with an ellipsis."""
    return shortened(text, limit)


def _core_properties(doc, content: DocumentContent) -> None:
    issued = content.issued_at
    issued = (issued if issued.tzinfo else issued.replace(tzinfo=UTC)).astimezone(UTC)
    issued = issued.replace(tzinfo=None, microsecond=0)
    props = doc.core_properties
    props.title = fit_core_property(f"{content.title} – {content.reference}")
    props.subject = fit_core_property(content.organisation_name)
    props.author = fit_core_property(content.fund_name)
    props.last_modified_by = "grantflow"
    props.keywords = fit_core_property(f"{content.kind}, {content.reference}")
    props.language = f"{content.language}-CA"
    props.identifier = fit_core_property(content.reference)
    props.version = fit_core_property(content.template_version)
    props.category = fit_core_property(content.kind)
    props.comments = ""
    props.revision = 1
    props.created = issued
    props.modified = issued
    props.last_printed = issued


ZIP_LEVEL = 6


def _normalise_package(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    names = [name for name in _FIRST_ENTRIES if name in entries]
    names += sorted(name for name in entries if name not in _FIRST_ENTRIES)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            # zlib's default level: level 9 took half a render's CPU for a few per cent
            # smaller files. Any fixed level keeps the bytes deterministic.
            target.writestr(info, entries[name], compresslevel=ZIP_LEVEL)
    return output.getvalue()


def render_docx(content: DocumentContent) -> bytes:
    """``content`` as DOCX bytes; the same content always gives the same bytes."""
    doc = Document()
    _setup_styles(doc, content.language)
    _setup_page(doc, content)
    _front_matter(doc, content)
    for block in content.blocks:
        _block(doc, block, content)
    _core_properties(doc, content)
    _drop_thumbnail(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_package(buffer.getvalue())
