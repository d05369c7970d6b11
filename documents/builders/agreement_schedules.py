"""Schedules A to F of the transfer payment agreement."""

from __future__ import annotations

from documents.builders.common import Kit, paragraphs, require_approved
from documents.content import (
    Block,
    Clause,
    ClauseList,
    Column,
    Heading,
    KeyValues,
    Paragraph,
    Table,
)
from documents.context import InstalmentInfo
from documents.errors import DocumentDataError
from documents.formatting import fiscal_year_bounds
from models.schedule import charged_fiscal_year, funded_years

GENERAL_TERMS = 14


def schedule_a(k: Kit) -> tuple[Block, ...]:
    """General terms: maximum funds, payment, records, audit, FIPPA, insurance and the rest."""
    fund = k.ctx.fund
    values = {
        "approved": k.money(require_approved(k.ctx)),
        "years": fund.records_retention_years,
        "insurance": k.money(fund.insurance_minimum_cents),
    }
    clauses = tuple(
        Clause(f"A{n}", k.t(f"agr.a{n}.text", **values), title=k.t(f"agr.a{n}.title"))
        for n in range(1, GENERAL_TERMS + 1)
    )
    return (Heading(1, k.t("agr.a.heading")), ClauseList(clauses))


def _contacts(k: Kit) -> Table:
    t, ctx = k.t, k.ctx
    columns = (
        Column(t("agr.b.party")),
        Column(f"{t('label.name')}\n{t('label.title')}"),
        Column(f"{t('agr.b.email')}\n{t('agr.b.phone')}"),
        Column(t("agr.b.signing")),
    )
    recipient = t("agr.recipient_label")
    rows = tuple(
        (
            recipient,
            f"{c.name}\n{c.title}",
            f"{c.email}\n{c.phone}",
            k.yes_no(c.signing_authority),
        )
        for c in ctx.organisation.contacts
    )
    fund = ctx.fund
    rows += (
        (
            t("agr.fund_label"),
            f"{fund.signer_name}\n{k.signer_title}",
            f"{fund.notice_email}\n{fund.notice_address}",
            k.yes_no(True),
        ),
    )
    return Table(columns, rows)


def schedule_b(k: Kit) -> tuple[Block, ...]:
    """Project-specific information, additional provisions (prevail over A), contacts."""
    t, ctx = k.t, k.ctx
    org, grant, fund = ctx.organisation, ctx.grant, ctx.fund
    if not (fund.notice_address.strip() and fund.notice_email.strip()):
        raise DocumentDataError(
            f"{ctx.kind}: the Fund has no address and email for notices, which the agreement "
            "sends to its contacts (grantflow fund notices)"
        )
    info = KeyValues(
        (
            (t("common.legal_name"), org.legal_name),
            (t("common.operating_name"), org.operating_name),
            (t("common.business_number"), org.business_number),
            (t("common.address"), org.address),
            (t("common.reference"), grant.reference),
            (t("common.project_title"), grant.project_title),
            (t("common.community"), grant.community),
            (t("common.start_date"), k.date(grant.start_date)),
            (t("common.end_date"), k.date(grant.end_date)),
            (t("agr.b.maximum"), k.money(require_approved(ctx))),
            (t("agr.b.insurance"), k.money(fund.insurance_minimum_cents)),
            (t("agr.b.holdback"), k.bps(fund.holdback_bps)),
            (t("agr.b.retention"), t("agr.b.retention_value", years=fund.records_retention_years)),
        )
    )
    if grant.conditions:
        provisions: tuple[Block, ...] = (
            Paragraph(t("agr.b.additional_intro")),
            ClauseList(tuple(Clause(f"B{n}", text) for n, text in enumerate(grant.conditions, 1))),
        )
    else:
        provisions = (Paragraph(t("agr.b.no_additional")),)
    return (
        Heading(1, t("agr.b.heading")),
        Heading(2, t("agr.b.info")),
        info,
        Heading(2, t("agr.b.additional")),
        *provisions,
        Heading(2, t("agr.b.contacts")),
        Paragraph(t("agr.b.contacts_intro")),
        _contacts(k),
    )


def schedule_c(k: Kit) -> tuple[Block, ...]:
    """The project: title, community, dates and the applicant's own description."""
    t, grant = k.t, k.ctx.grant
    return (
        Heading(1, t("agr.c.heading")),
        KeyValues(
            (
                (t("common.project_title"), grant.project_title),
                (t("common.community"), grant.community),
                (t("common.start_date"), k.date(grant.start_date)),
                (t("common.end_date"), k.date(grant.end_date)),
            )
        ),
        Heading(2, t("agr.c.description")),
        *paragraphs(grant.project_description),
    )


def schedule_d(k: Kit) -> tuple[Block, ...]:
    """The approved budget per Ontario fiscal year, with its total."""
    t = k.t
    lines = sorted(k.ctx.budget, key=lambda line: line.fiscal_year)
    rows = tuple(
        (
            k.fiscal_year(line.fiscal_year),
            k.period(*fiscal_year_bounds(line.fiscal_year)),
            k.money(line.approved_cents or 0),
        )
        for line in lines
    )
    total = sum(line.approved_cents or 0 for line in lines)
    columns = (
        Column(t("common.fiscal_year")),
        Column(t("common.period")),
        Column(t("agr.d.approved"), numeric=True),
    )
    return (
        Heading(1, t("agr.d.heading")),
        Paragraph(t("agr.d.intro")),
        Table(columns, rows, footer=(t("common.total"), "", k.money(total))),
    )


def _charged_years(k: Kit) -> list[int]:
    """The fiscal years with approved money in Schedule D: the years the plan charges."""
    years = funded_years({line.fiscal_year: line.approved_cents or 0 for line in k.ctx.budget})
    if not years:
        raise DocumentDataError(f"{k.ctx.kind}: the budget approves no fiscal year")
    return years


def _check_years_charged(k: Kit, charged: dict[int, int]) -> None:
    """No fiscal year is charged more than its approved amount in Schedule D."""
    approved = {line.fiscal_year: line.approved_cents or 0 for line in k.ctx.budget}
    over = {year: cents for year, cents in charged.items() if cents > approved.get(year, 0)}
    if over:
        raise DocumentDataError(
            f"{k.ctx.kind}: instalments charged to fiscal years {sorted(over)} exceed their "
            "approved budget"
        )


def _due(k: Kit, item: InstalmentInfo) -> str:
    """A date, or for the holdback what it waits for: the final report's acceptance."""
    if item.kind == "holdback":
        return k.t("agr.e.holdback_due", date=k.date(item.due_date))
    return k.date(item.due_date)


def _holdback_note(k: Kit, holdback: InstalmentInfo | None, years: list[int]) -> Paragraph:
    if holdback is None:
        return Paragraph(k.t("agr.e.no_holdback"))
    return Paragraph(
        k.t(
            "agr.e.holdback",
            pct=k.bps(k.ctx.fund.holdback_bps),
            amount=k.money(holdback.amount_cents),
            fiscal_year=k.fiscal_year(years[-1]),
            date=k.date(holdback.due_date),
        )
    )


def schedule_e(k: Kit) -> tuple[Block, ...]:
    """Every instalment with the fiscal year it is charged to, totalling the approved amount,
    and the initial payment and holdback rules."""
    t, ctx = k.t, k.ctx
    approved = require_approved(ctx)
    instalments = sorted(ctx.instalments, key=lambda item: item.sequence)
    total = sum(item.amount_cents for item in instalments)
    if not instalments or total != approved:
        raise DocumentDataError(
            f"{ctx.kind}: instalments total {total} cents, the approved amount is {approved}"
        )
    years = _charged_years(k)
    charged = [charged_fiscal_year(item.kind, item.due_date, years) for item in instalments]
    totals: dict[int, int] = {}
    for item, year in zip(instalments, charged, strict=True):
        totals[year] = totals.get(year, 0) + item.amount_cents
    _check_years_charged(k, totals)
    rows = tuple(
        (
            str(item.sequence),
            t(f"instalment.{item.kind}"),
            k.fiscal_year(year),
            _due(k, item),
            k.money(item.amount_cents),
        )
        for item, year in zip(instalments, charged, strict=True)
    )
    columns = (
        Column(t("common.number")),
        Column(t("agr.e.instalment")),
        Column(t("common.fiscal_year")),
        Column(t("common.due_date")),
        Column(t("common.amount"), numeric=True),
    )
    holdback = next((item for item in instalments if item.kind == "holdback"), None)
    return (
        Heading(1, t("agr.e.heading")),
        Paragraph(t("agr.e.intro", approved=k.money(approved))),
        Table(columns, rows, footer=(t("common.total"), "", "", "", k.money(total))),
        Paragraph(t("agr.e.initial", pct=k.bps(ctx.fund.initial_payment_bps))),
        _holdback_note(k, holdback, years),
    )


def schedule_f(k: Kit) -> tuple[Block, ...]:
    """Every report with its period and due date."""
    t = k.t
    reports = sorted(k.ctx.reports, key=lambda item: item.sequence)
    rows = tuple(
        (
            str(item.sequence),
            t(f"report.{item.kind}"),
            k.period(item.period_start, item.period_end),
            k.date(item.due_date),
        )
        for item in reports
    )
    columns = (
        Column(t("common.number")),
        Column(t("agr.f.report")),
        Column(t("common.period")),
        Column(t("common.due_date")),
    )
    return (
        Heading(1, t("agr.f.heading")),
        Paragraph(t("agr.f.intro")),
        Table(columns, rows),
        Paragraph(t("agr.f.content")),
    )
