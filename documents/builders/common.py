"""Pieces every builder shares: formatting bound to a language, details, letter parts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from documents.content import (
    Block,
    DocumentContent,
    KeepTogether,
    KeyValues,
    Labels,
    Paragraph,
    Party,
)
from documents.context import ContactInfo, DocumentContext, InstalmentInfo, ReportInfo
from documents.errors import DocumentDataError
from documents.formatting import (
    fiscal_year_label,
    format_bps,
    format_count,
    format_date,
    format_datetime,
    format_money,
    format_period,
    local_date,
    nfc,
    running_title,
)
from documents.text import Catalogue, catalogue

T = TypeVar("T")


@dataclass(frozen=True)
class Kit:
    """A context with its catalogue and formatters bound to the document's language."""

    ctx: DocumentContext
    t: Catalogue

    @property
    def language(self) -> str:
        return self.ctx.language

    @property
    def fund_name(self) -> str:
        fund = self.ctx.fund
        return fund.name_fr if self.ctx.language == "fr" else fund.name_en

    @property
    def signer_title(self) -> str:
        fund = self.ctx.fund
        if self.ctx.language == "fr" and fund.signer_title_fr:
            return fund.signer_title_fr
        return fund.signer_title

    @property
    def organisation(self) -> str:
        return self.ctx.organisation.legal_name

    def named(self, family: str, key: str) -> str:
        """The label of ``family.key`` (a criterion, a measure) in the document's language; an
        unknown key shows as itself."""
        message = f"{family}.{key}"
        return self.t(message) if self.t.has(message) else key

    def money(self, cents: int) -> str:
        return format_money(cents, self.ctx.language)

    def date(self, value: date | datetime) -> str:
        return format_date(value, self.ctx.language)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, self.ctx.language)

    def period(self, start: date, end: date) -> str:
        return format_period(start, end, self.ctx.language)

    def fiscal_year(self, year: int) -> str:
        return fiscal_year_label(year, self.ctx.language)

    def bps(self, bps: int) -> str:
        return format_bps(bps, self.ctx.language)

    def count(self, value: int) -> str:
        return format_count(value, self.ctx.language)

    def yes_no(self, flag: bool) -> str:
        return self.t("common.yes" if flag else "common.no")

    @property
    def issued_on(self) -> date:
        return local_date(self.ctx.issued_at)


def kit(ctx: DocumentContext) -> Kit:
    """Bind ``ctx`` to its language's catalogue."""
    return Kit(ctx, catalogue(ctx.language))


def detail(ctx: DocumentContext, key: str, kind: type[T]) -> T:
    """``ctx.details[key]`` checked against ``kind``; ISO strings are accepted for dates."""
    if key not in ctx.details:
        raise DocumentDataError(f"{ctx.kind}: details[{key!r}] is required")
    return _coerce(ctx, key, ctx.details[key], kind)


def optional_detail(ctx: DocumentContext, key: str, kind: type[T]) -> T | None:
    """Like :func:`detail`, but a missing key or None gives None."""
    value = ctx.details.get(key)
    return None if value is None else _coerce(ctx, key, value, kind)


def _coerce(ctx: DocumentContext, key: str, value: Any, kind: type[Any]) -> Any:
    if kind is datetime and isinstance(value, str):
        value = datetime.fromisoformat(value)
    elif kind is date and isinstance(value, str):
        value = date.fromisoformat(value)
    elif kind is date and isinstance(value, datetime):
        value = local_date(value)
    if kind is int and isinstance(value, bool):
        raise DocumentDataError(f"{ctx.kind}: details[{key!r}] must be an int")
    if not isinstance(value, kind):
        raise DocumentDataError(
            f"{ctx.kind}: details[{key!r}] must be {kind.__name__}, got {type(value).__name__}"
        )
    return value


def require_approved(ctx: DocumentContext) -> int:
    """The grant's approved amount; documents after approval cannot exist without it."""
    if ctx.grant.approved_cents is None:
        raise DocumentDataError(f"{ctx.kind}: the grant has no approved amount")
    return ctx.grant.approved_cents


def instalment(ctx: DocumentContext, sequence: int) -> InstalmentInfo:
    """The instalment with ``sequence``; a clear error if the plan has none."""
    found = [item for item in ctx.instalments if item.sequence == sequence]
    if not found:
        raise DocumentDataError(f"{ctx.kind}: no instalment with sequence {sequence}")
    return found[0]


def report(ctx: DocumentContext, sequence: int) -> ReportInfo:
    """The report with ``sequence``; a clear error if the schedule has none."""
    found = [item for item in ctx.reports if item.sequence == sequence]
    if not found:
        raise DocumentDataError(f"{ctx.kind}: no report with sequence {sequence}")
    return found[0]


def signing_contact(ctx: DocumentContext) -> ContactInfo | None:
    """The organisation's contact with signing authority, else its first contact."""
    contacts = ctx.organisation.contacts
    signing = [contact for contact in contacts if contact.signing_authority]
    return (signing or list(contacts) or [None])[0]


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Free text split into paragraphs on blank lines; the text itself is kept as written."""
    parts = [part for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return tuple(Paragraph(part) for part in parts) or (Paragraph(text),)


def addressee(k: Kit) -> tuple[str, ...]:
    """Letter address lines: legal and operating names, address, attention line (the
    contact's title in it as French writes a title in running text: ``running_title``)."""
    org = k.ctx.organisation
    lines = [org.legal_name]
    if org.operating_name and org.operating_name != org.legal_name:
        lines.append(k.t("common.operating_as", name=org.operating_name))
    lines.extend(line for line in org.address.splitlines() if line.strip())
    contact = signing_contact(k.ctx)
    if contact is not None:
        title = running_title(contact.title, k.ctx.language)
        lines.append(k.t("common.attention", name=contact.name, title=title))
    return tuple(lines)


def salutation(k: Kit) -> Paragraph:
    """ "Dear …," to the signing contact, or a generic greeting when there is none."""
    contact = signing_contact(k.ctx)
    if contact is None:
        return Paragraph(k.t("common.dear_generic"))
    return Paragraph(k.t("common.dear", name=contact.name))


def subject(k: Kit, key: str, **values: object) -> Paragraph:
    """The letter's "Re:" line; the message may use {reference} and {project}."""
    grant = k.ctx.grant
    line = k.t(key, reference=grant.reference, project=grant.project_title, **values)
    return Paragraph(k.t("common.re", subject=line), emphasis=True)


def grant_rows(k: Kit) -> tuple[tuple[str, str], ...]:
    """Reference, organisation, project title and community as key-value rows."""
    grant = k.ctx.grant
    return (
        (k.t("common.reference"), grant.reference),
        (k.t("common.organisation"), k.organisation),
        (k.t("common.project_title"), grant.project_title),
        (k.t("common.community"), grant.community),
    )


def grant_summary(k: Kit, *extra: tuple[str, str]) -> KeyValues:
    """The grant rows followed by ``extra`` rows."""
    return KeyValues(grant_rows(k) + tuple(extra))


def closing(k: Kit) -> tuple[Block, ...]:
    """Contact line, complimentary close and the fund signer's name and title."""
    fund = k.ctx.fund
    signature = KeepTogether(
        (
            Paragraph(k.t("common.sincerely")),
            Paragraph(fund.signer_name, emphasis=True),
            Paragraph(k.signer_title),
            Paragraph(k.fund_name),
        ),
        signature=True,
    )
    # The contact line goes with the signature, so a page never holds the signature alone.
    return (
        KeepTogether(
            (Paragraph(k.t("common.contact_us", reference=k.ctx.grant.reference)), signature)
        ),
    )


def labels(k: Kit) -> Labels:
    """The words renderers place around the content, in the document's language."""
    return labels_from(k.t)


def labels_from(t) -> Labels:  # type: ignore[no-untyped-def]
    """Renderer labels from a text catalogue (``documents.text.catalogue(language)``)."""
    return Labels(
        page_of=t.messages["label.page_of"],
        signature=t("label.signature"),
        name=t("label.name"),
        title=t("label.title"),
        date=t("label.date"),
        signed_electronically=t("label.signed_electronically"),
        between=t("label.between"),
        and_=t("label.and"),
    )


def document(
    k: Kit,
    *,
    template_version: str,
    blocks: tuple[Block, ...],
    title: str | None = None,
    subtitle: str | None = None,
    marking: str | None = None,
    parties: tuple[Party, ...] = (),
    letter: bool = True,
) -> DocumentContent:
    """Assemble a kind's content; every string in it is NFC-normalised."""
    ctx = k.ctx
    content = DocumentContent(
        kind=ctx.kind,
        language=ctx.language,
        template_version=template_version,
        title=title or k.t(f"title.{ctx.kind}"),
        subtitle=subtitle,
        reference=ctx.grant.reference,
        fund_name=k.fund_name,
        organisation_name=k.organisation,
        issued_at=ctx.issued_at,
        issued_line=k.t("common.issued", date=k.date(ctx.issued_at)),
        labels=labels(k),
        marking=marking,
        addressee=addressee(k) if letter else (),
        parties=parties,
        blocks=blocks,
    )
    return normalise(content)


def normalise(value: T) -> T:
    """``value`` with every string inside it (dataclasses, tuples) in Unicode NFC."""
    if isinstance(value, str):
        return nfc(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(normalise(item) for item in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: normalise(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)  # type: ignore[return-value]
    return value
