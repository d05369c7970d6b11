"""Grant agreement: the transfer payment agreement with Schedules A to F, ready to sign."""

from __future__ import annotations

from documents.builders import agreement_schedules as schedules
from documents.builders.common import Kit, document, kit, require_approved, signing_contact
from documents.content import (
    Block,
    Clause,
    ClauseList,
    DocumentContent,
    Heading,
    KeepTogether,
    KeyValues,
    Notice,
    Paragraph,
    Party,
    SignatureBlock,
)
from documents.context import DocumentContext
from documents.errors import DocumentDataError

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.3.0"

_PARTS = ("parts", "precedence", "entire", "effective")


def parties(k: Kit) -> tuple[Party, ...]:
    org = k.ctx.organisation
    recipient_lines = tuple(
        line
        for line in (
            org.operating_name if org.operating_name != org.legal_name else "",
            org.business_number,
            *org.address.splitlines(),
        )
        if line.strip()
    )
    return (
        Party(k.t("agr.fund_party"), k.fund_name),
        Party(k.t("agr.recipient_party"), org.legal_name, recipient_lines),
    )


def _signatures(k: Kit, executed: bool) -> tuple[Block, ...]:
    ctx, t = k.ctx, k.t
    grant, fund = ctx.grant, ctx.fund
    if executed:
        if not (grant.signed_at and grant.signer_name):
            raise DocumentDataError("executed_agreement: the recipient has not signed")
        if not (grant.countersigned_at and grant.countersigner_name):
            raise DocumentDataError("executed_agreement: the Fund has not countersigned")
        title = grant.signer_title
        if title is None:  # signed before the title was recorded: the contact's, if still theirs
            contact = signing_contact(ctx)
            title = contact.title if contact and contact.name == grant.signer_name else None
        countersigner_title = (
            grant.countersigner_title_fr if k.language == "fr" else grant.countersigner_title
        )
        if not countersigner_title:
            raise DocumentDataError(
                "executed_agreement: the title the Fund's signing authority countersigned "
                "under is not on record"
            )
        recipient = SignatureBlock(
            k.organisation, grant.signer_name, title, k.date(grant.signed_at)
        )
        funder = SignatureBlock(
            k.fund_name,
            grant.countersigner_name,
            countersigner_title,
            k.date(grant.countersigned_at),
        )
    else:
        contact = signing_contact(ctx)
        recipient = SignatureBlock(
            k.organisation, contact.name if contact else None, contact.title if contact else None
        )
        funder = SignatureBlock(k.fund_name, fund.signer_name, k.signer_title)
    return (
        KeepTogether(
            (
                Heading(2, t("agr.signatures")),
                Paragraph(t("agr.signatures_intro")),
                KeepTogether((recipient, funder), signature=True),
            )
        ),
        *((_signature_record(k, recipient.title),) if executed else ()),
    )


def _signature_record(k: Kit, title: str | None) -> KeepTogether:
    """The recipient's signature as data: who, in which role, when, and the SHA-256 of the
    offer they signed; then how the Fund's digital signature on this PDF is checked."""
    grant, t = k.ctx.grant, k.t
    assert grant.signed_at is not None and grant.signer_name
    rows = (
        (t("agr.signature_record.signer"), grant.signer_name),
        (t("agr.signature_record.title"), title or ""),
        (
            t("agr.signature_record.role"),
            t("agr.signature_record.role_value", organisation=k.organisation),
        ),
        (t("agr.signature_record.signed_at"), k.datetime(grant.signed_at)),
        (
            t("agr.signature_record.offer"),
            grant.signed_offer_sha256 or t("agr.signature_record.offer_unrecorded"),
        ),
    )
    return KeepTogether(
        (
            Heading(2, t("agr.signature_record")),
            KeyValues(rows),
            Paragraph(t("agr.signature_record.digital")),
        )
    )


def _executed_notice(k: Kit) -> Notice:
    grant = k.ctx.grant
    text = k.t(
        "agr.executed_notice",
        signer=grant.signer_name,
        signed_on=k.date(grant.signed_at),
        countersigner=grant.countersigner_name,
        countersigned_on=k.date(grant.countersigned_at),
    )
    return Notice(text, title=k.t("agr.executed_title"), tone="important")


def compose(ctx: DocumentContext, *, executed: bool, template_version: str) -> DocumentContent:
    """The agreement; ``executed`` fills the signature blocks from the grant's signatures."""
    k = kit(ctx)
    t = k.t
    approved = k.money(require_approved(ctx))
    signatures = _signatures(k, executed)
    recitals = ClauseList(
        (
            Clause("A.", t("agr.recital_a")),
            Clause("B.", t("agr.recital_b")),
            Clause("C.", t("agr.recital_c", approved=approved)),
        )
    )
    parts = ClauseList(
        tuple(
            Clause(f"{n}.", t(f"agr.{part}.text"), title=t(f"agr.{part}.title"))
            for n, part in enumerate(_PARTS, 1)
        )
    )
    blocks = (
        *((_executed_notice(k),) if executed else ()),
        Paragraph(t("agr.opening", fund=k.fund_name, organisation=k.organisation)),
        Heading(2, t("agr.background")),
        recitals,
        Paragraph(t("agr.agree")),
        Heading(2, t("agr.parts_heading")),
        parts,
        *signatures,
        *schedules.schedule_a(k),
        *schedules.schedule_b(k),
        *schedules.schedule_c(k),
        *schedules.schedule_d(k),
        *schedules.schedule_e(k),
        *schedules.schedule_f(k),
    )
    return document(
        k,
        template_version=template_version,
        blocks=blocks,
        subtitle=ctx.grant.project_title,
        parties=parties(k),
        letter=False,
    )


def build(ctx: DocumentContext) -> DocumentContent:
    """No details; reads fund, organisation, grant, budget, instalments and reports."""
    return compose(ctx, executed=False, template_version=TEMPLATE_VERSION)
