"""Real renderers, text read back: every kind in both languages and both formats."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from documents import KINDS, DocumentContent, build_document, render_document
from documents.context import DocumentContext
from documents.formatting import format_count, format_date, format_datetime, format_money
from documents.render.pdf import render_html
from documents.text import catalogue
from tests.support.document_samples import (
    FUND,
    SYLLABICS_COMMUNITY,
    SYLLABICS_NAME,
    SYLLABICS_ORGANISATION,
    sample_context,
)
from tests.support.reading import docx_text, pdf_text, squash

ROOT = Path(__file__).resolve().parents[3]
READERS: dict[str, Callable[[bytes], str]] = {"pdf": pdf_text, "docx": docx_text}
CASES = [(k, lang, fmt) for k in KINDS for lang in ("en", "fr") for fmt in ("pdf", "docx")]


@cache
def rendered(kind: str, language: str, fmt: str) -> bytes:
    return render_document(build_document(sample_context(kind, language)), fmt)  # type: ignore[arg-type]


def figures(ctx: DocumentContext) -> list[str]:
    """What a reader must find in the document of ``ctx``, formatted in its language."""
    lang, d, grant = ctx.language, ctx.details, ctx.grant

    def money(cents: int | None) -> str:
        assert cents is not None
        return format_money(cents, lang)

    def day(value) -> str:
        return format_date(value, lang)

    instalment = {i.sequence: i for i in ctx.instalments}
    report = {r.sequence: r for r in ctx.reports}
    match ctx.kind:
        case "acknowledgement_of_receipt":
            submitted = grant.submitted_at
            assert submitted is not None
            return [money(grant.requested_cents), format_datetime(submitted, lang)]
        case "deficiency_notice":
            return [*d["items"], day(d["cure_by"])]
        case "review_summary":
            assert ctx.review is not None
            return [money(ctx.review.recommended_cents), "4,67" if lang == "fr" else "4.67"]
        case "approval_memo":
            return [money(grant.approved_cents), money(grant.requested_cents), d["approver_name"]]
        case "decision_letter":
            return [money(grant.approved_cents), day(d["offer_expires_on"]), *grant.conditions]
        case "decline_letter":
            return [d["reason"]]
        case "grant_agreement":
            return [money(grant.approved_cents)]
        case "executed_agreement":
            return [
                money(grant.approved_cents),
                grant.signer_name or "",
                day(grant.signed_at),
                day(grant.countersigned_at),
            ]
        case "payment_authorization":
            return [
                money(instalment[2].amount_cents),
                money(instalment[1].amount_cents),
                d["initiated_by"],
                d["released_by"],
            ]
        case "remittance_advice":
            amounts = (instalment[2].amount_cents, d["paid_to_date_cents"], d["remaining_cents"])
            return [*map(money, amounts), day(d["released_on"])]
        case "report_receipt":
            return [
                money(report[2].expenditure_cents),
                format_count(1_288, lang),
                "non déclaré" if lang == "fr" else "not reported",
            ]
        case "report_reminder":
            return [day(report[2].due_date), "14"]
        case "overdue_notice":
            held = [instalment[n] for n in d["held_instalments"]]
            accepted = "soumis et accepté" if lang == "fr" else "submitted and accepted"
            return [
                day(report[d["report_sequence"]].due_date),
                *(day(item.due_date) for item in held),
                *(money(item.amount_cents) for item in held),
                catalogue(lang)(
                    "overdue.held_many", numbers="3 et 4" if lang == "fr" else "3 and 4"
                ),
                accepted,
            ]
        case "lapse_notice":
            return [
                money(grant.approved_cents),
                money(d["released_commitment_cents"]),
                day(d["offer_expires_on"]),
                day(grant.decided_at),
            ]
        case "reconciliation_letter":
            keys = (
                "paid_cents",
                "reported_expenditure_cents",
                "unspent_cents",
                "holdback_planned_cents",
                "holdback_withheld_cents",
                "repayment_due_cents",
            )
            return [*(money(d[key]) for key in keys), day(d["repayment_due_by"])]
        case "holdback_release_letter":
            keys = ("paid_cents", "holdback_released_cents", "paid_total_cents")
            return [*(money(d[key]) for key in keys), day(d["released_on"])]
        case "amending_agreement" | "executed_amendment":
            changes = {c["term"]: c for c in d["changes"]}
            amount, end = changes["approved_cents"], changes["end_date"]
            listed = [*d["paid_instalments"], *d["planned_instalments"]]
            said = [
                money(amount["before"]),
                money(amount["after"]),
                day(date.fromisoformat(end["before"])),
                day(date.fromisoformat(end["after"])),
                amount["reason"],
                end["reason"],
                *(money(i["amount_cents"]) for i in listed),
                *(day(date.fromisoformat(i["due_date"])) for i in listed),
                *(day(date.fromisoformat(r["due_date"])) for r in d["planned_reports"]),
            ]
            if ctx.kind == "executed_amendment":
                said += [d["signer_name"], day(d["signed_at"]), day(d["countersigned_at"])]
            return said
        case "closeout_certificate":
            statement = catalogue(ctx.language)("closeout.certifies", date=day(d["closed_on"]))
            return [money(d["paid_total_cents"]), day(d["closed_on"]), statement]
    raise AssertionError(f"no expectations for {ctx.kind}")


@pytest.mark.parametrize(("kind", "language", "fmt"), CASES)
def test_every_kind_renders_with_its_names_and_figures(kind, language, fmt):
    ctx = sample_context(kind, language)
    text = squash(READERS[fmt](rendered(kind, language, fmt)))
    assert squash(ctx.organisation.legal_name) in text
    assert ctx.grant.reference in text
    assert squash(ctx.fund.name_fr if language == "fr" else ctx.fund.name_en) in text
    assert squash(format_date(ctx.issued_at, language)) in text
    for figure in figures(ctx):
        assert squash(figure) in text, figure


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_agreement_states_every_amount_and_date(language, fmt):
    ctx = sample_context("grant_agreement", language)
    text = squash(READERS[fmt](rendered("grant_agreement", language, fmt)))
    assert squash(format_money(ctx.grant.approved_cents, language)) in text  # type: ignore[arg-type]
    for instalment in ctx.instalments:
        assert squash(format_money(instalment.amount_cents, language)) in text, instalment
        assert squash(format_date(instalment.due_date, language)) in text, instalment
    for report in ctx.reports:
        assert squash(format_date(report.due_date, language)) in text, report
    for contact in ctx.organisation.contacts:
        assert contact.email in text
    schedule = "Annexe" if language == "fr" else "Schedule"
    assert all(f"{schedule} {letter}" in text for letter in "ABCDEF")


def test_french_figures_keep_their_no_break_spaces_in_the_docx():
    text = docx_text(rendered("grant_agreement", "fr", "docx"))
    assert "450\u00a0123,45\u00a0$" in text
    assert "1er avril 2026" in text


def test_the_pdf_footer_counts_pages_in_the_document_language():
    assert "Page 1 of" in pdf_text(rendered("grant_agreement", "en", "pdf"))
    assert "Page 1 de" in pdf_text(rendered("grant_agreement", "fr", "pdf"))


def syllabics_content(language: str = "fr") -> DocumentContent:
    ctx = sample_context("acknowledgement_of_receipt", language)
    grant = dataclasses.replace(ctx.grant, community=SYLLABICS_COMMUNITY)
    return build_document(
        dataclasses.replace(ctx, organisation=SYLLABICS_ORGANISATION, grant=grant)
    )


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name -> whether its font file is embedded, over every page."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    return fonts


def test_a_syllabics_name_survives_into_the_pdf_text_with_embedded_fonts():
    pdf = render_document(syllabics_content(), "pdf")
    text = pdf_text(pdf)
    assert SYLLABICS_NAME in text
    assert SYLLABICS_COMMUNITY in text
    fonts = embedded_fonts(pdf)
    assert any("DejaVu-Sans" in name for name in fonts), fonts
    assert all("Grantflow" in name for name in fonts), "no system font may be used"
    assert all(fonts.values()), "every font must be embedded"


def test_syllabics_dejavu_lacks_still_render_from_the_embedded_syllabics_font():
    name = "\u1400ᐅᒋᒪᐤ\u1400 ᙷᙸ\u167f Lodge"
    ctx = sample_context("decline_letter", "fr")
    organisation = dataclasses.replace(ctx.organisation, legal_name=name)
    pdf = render_document(
        build_document(dataclasses.replace(ctx, organisation=organisation)), "pdf"
    )
    assert name in pdf_text(pdf)
    fonts = embedded_fonts(pdf)
    assert any("Grantflow-Syllabics" in font for font in fonts), fonts
    assert all(fonts.values())


def test_a_syllabics_name_survives_into_the_docx():
    data = render_document(syllabics_content(), "docx")
    assert SYLLABICS_NAME in docx_text(data)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:ascii="DejaVu Sans"' in styles


def test_markup_in_names_is_printed_not_interpreted():
    ctx = sample_context("decline_letter")
    organisation = dataclasses.replace(ctx.organisation, legal_name="<b>Bold</b> & Co </style>")
    content = build_document(dataclasses.replace(ctx, organisation=organisation))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co &lt;/style&gt;" in render_html(content)
    assert "<b>Bold</b> & Co </style>" in pdf_text(render_document(content, "pdf"))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_rendering_twice_gives_the_same_bytes(fmt):
    content = build_document(sample_context("executed_agreement", "fr"))
    first = hashlib.sha256(render_document(content, fmt)).hexdigest()
    second = hashlib.sha256(render_document(content, fmt)).hexdigest()
    assert first == second


SUBPROCESS = """
import hashlib, sys
sys.path.insert(0, {root!r})
from documents import build_document, render_document
from tests.support.document_samples import sample_context
content = build_document(sample_context("grant_agreement", "en"))
for fmt in ("pdf", "docx"):
    print(fmt, hashlib.sha256(render_document(content, fmt)).hexdigest())
"""


def test_another_process_renders_the_same_bytes():
    script = SUBPROCESS.format(root=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    theirs = dict(line.split() for line in result.stdout.splitlines())
    for fmt in ("pdf", "docx"):
        ours = hashlib.sha256(rendered("grant_agreement", "en", fmt)).hexdigest()
        assert theirs[fmt] == ours, fmt


def test_pdf_metadata_comes_from_the_document():
    content = build_document(sample_context("grant_agreement", "fr"))
    reader = PdfReader(io.BytesIO(rendered("grant_agreement", "fr", "pdf")))
    info = reader.metadata
    assert info.title == "Entente de paiement de transfert – ILIF-2026-0042"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260310161000Z"
    assert info.author == FUND.name_fr
    identifier = hashlib.sha256(render_html(content).encode()).hexdigest()[:32]
    assert reader.trailer["/ID"][0].original_bytes == identifier.encode()


def test_docx_package_has_fixed_properties_and_timestamps():
    data = rendered("grant_agreement", "en", "docx")
    package = zipfile.ZipFile(io.BytesIO(data))
    names = package.namelist()
    assert names[0] == "[Content_Types].xml"
    assert names[2:] == sorted(names[2:])
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in names
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created.isoformat() == "2026-03-10T16:10:00+00:00"
    assert properties.modified == properties.created
    assert properties.last_modified_by == "grantflow"
    assert properties.revision == 1
    assert properties.language == "en-CA"


def test_docx_tables_have_header_rows_and_headings_use_word_styles():
    document = docx.Document(io.BytesIO(rendered("grant_agreement", "en", "docx")))
    payment_plan = next(t for t in document.tables if t.rows[0].cells[0].text == "No.")
    header = payment_plan.rows[0]._tr
    assert (
        header.trPr is not None
        and header.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    )
    assert payment_plan.rows[-1].cells[0].text == "Total"
    heading_styles = {p.style.name for p in document.paragraphs if p.text.startswith("Schedule")}
    assert heading_styles == {"Heading 1"}
