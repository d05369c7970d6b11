"""Grants whose whole lifecycle can happen now, at the real clock: their projects lie in the
past.

Why past-dated: the demo script (``models.fictional.script``) takes a grant through years of
reports, instalments and close-out by passing a simulated ``now`` to the engine, in-process.
Over HTTP the server's clock is the real one, and users never set the time, so a grant
starting next April could be driven only up to its first payment: its reports, later
instalments and close-out fall due in later years. A fictional project of one or two fiscal
years that ended with the fiscal year two to four years before this one (so at least a year
ago) has every period over, every report past its due date and every instalment (the
holdback too) payable today. That is not how a fund normally meets a grant (approved after
its project ended), but every rule the steps pass is the same one a live grant meets, at the
real ``now``; and the demo's script and its simulated clock stay as they are.

What that asks of the rules, and the order it gives (``whole_lifecycle``):

- the fund must have allocations for those past fiscal years: ``seed(db, past_years=...)``
  creates them through ``models.provisioning.create_fund``;
- the offer's lapse counts from approval (today), so signing in time is as usual;
- every report is overdue, and ``no_overdue_report`` pauses payments while one is: so after
  the agreement is signed and insured, each report is submitted and accepted first (each
  period is over: ``report_period_ended`` holds), then the instalments are paid;
- a sweep that runs meanwhile records each open report overdue once and holds the unpaid
  regular instalments; accepting the last of them resumes those (``KNOCK_ONS``), and an
  instalment still held when its turn comes is resumed by an officer first;
- then ``begin_closeout`` (all reports accepted, regular instalments released), the holdback
  (``holdback_after_final_report``, ``holdback_after_closeout_begins``; each report says the
  approved amount was spent, so it is payable in full), and ``close``.

The steps up to the insurance certificate are the script's own, and the reports' payloads
and the payments are built by its helpers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlmodel import select

from models.clock import fiscal_year_of, utcnow
from models.db import Database
from models.fictional import Cast, application_for
from models.fictional.script import (
    Step,
    actor,
    fictional_outcomes,
    payable_instalments,
    payment_steps,
    report_spending,
    reports_of,
    steps,
)
from models.fictional.seeding import fictional_application
from models.tables import Grant, Instalment, Organisation

# The script's steps are taken up to and including this one (the agreement is in force and
# the payment conditions met); the rest is ``whole_lifecycle``'s.
AGREEMENT_READY = "record_insurance"
# A project ends with the fiscal year two to four years before this one (so at least a year
# ago, whatever today is, and its holdback, due 90 days after the end, is payable), spread
# over three years so that no year's allocation is overspent by many grants (the fictional
# fund's 4 M$ a year hold 44 of them).
ENDS_YEARS_AGO = (2, 3, 4)
# Allocations the fund needs before this fiscal year: the earliest project year (a two-year
# project ending four years ago starts five years ago).
PAST_YEARS = max(ENDS_YEARS_AGO) + 1
# Actions the daily sweep may take on these grants while they are driven: every report is
# overdue (no reminder is due any more, no offer lapses).
SWEEP_ACTIONS = frozenset({"record_overdue_report"})


def past_application_for(index: int, cast: Cast) -> tuple[Organisation, dict[str, Any]]:
    """The ``index``-th past application (``past_application``) and its organisation."""
    organisation, _ = application_for(index, cast)
    return organisation, past_application(index)


def past_allocation_cents(count: int) -> int:
    """The most the first ``count`` past applications ask of any one fiscal year: what the
    fund's yearly allocation must hold for all of them to be approved."""
    per_year: Counter[int] = Counter()
    for index in range(count):
        per_year.update(past_application(index)["budget"])
    return max(per_year.values(), default=0)


def past_application(index: int) -> dict[str, Any]:
    """The ``index``-th fictional application (``fictional_application``'s title, community
    and amounts per year), its project moved into the past: one or two fiscal years ending
    ``ENDS_YEARS_AGO`` before this one."""
    application = fictional_application(index)
    amounts = [cents for _, cents in sorted(application["budget"].items())]
    last_year = fiscal_year_of(utcnow().date()) - ENDS_YEARS_AGO[index % len(ENDS_YEARS_AGO)]
    first_year = last_year - len(amounts) + 1
    return {
        **application,
        "start_date": date(first_year, 4, 1),
        "end_date": date(last_year + 1, 3, 31),
        "budget": {first_year + k: cents for k, cents in enumerate(amounts)},
    }


def whole_lifecycle(db: Database, cast: Cast, grant_id: int) -> Iterator[Step]:
    """A past-dated grant's steps from submission to close-out, at the real ``now`` (the
    order is the module's docstring's). Read lazily: each step is decided from the rows as
    the previous one left them."""
    for step in steps(db, cast, grant_id):
        yield step
        if step.action == AGREEMENT_READY:
            break
    grant = _grant(db, grant_id)
    applicant = actor(cast.applicants[grant.organisation_id])
    officer = actor(cast.screening_officer)
    to_come = [r for r in reports_of(db, grant_id) if r.state in ("due", "returned")]
    spent = report_spending(db, grant_id, to_come)
    for report in to_come:
        number = {"sequence": report.sequence}
        outcomes = fictional_outcomes(grant_id, report.sequence)
        submission = {**number, "expenditure_cents": spent[report.sequence], **outcomes}
        yield Step("submit_report", applicant, submission)
        yield Step("accept_report", officer, number)
    yield from _regular_payments(db, cast, grant_id)
    yield Step("begin_closeout", officer, {})
    for holdback in payable_instalments(db, grant_id, holdback=True):
        yield from payment_steps(cast, holdback, None)
    yield Step("close", actor(cast.approver), {})


def _regular_payments(db: Database, cast: Cast, grant_id: int) -> Iterator[Step]:
    """Each regular instalment not yet paid, in order; one still held (a sweep's hold that
    no acceptance resumed) is resumed first."""
    for sequence in [i.sequence for i in _instalments(db, grant_id) if i.kind != "holdback"]:
        instalment = next(i for i in _instalments(db, grant_id) if i.sequence == sequence)
        if instalment.state == "held":
            yield Step("resume_payment", actor(cast.payments_officer), {"sequence": sequence})
            instalment = next(i for i in _instalments(db, grant_id) if i.sequence == sequence)
        if instalment.state == "scheduled":
            yield from payment_steps(cast, instalment, None)


def _grant(db: Database, grant_id: int) -> Grant:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return grant


def _instalments(db: Database, grant_id: int) -> list[Instalment]:
    with db.reading() as session:
        return list(
            session.exec(
                select(Instalment)
                .where(Instalment.grant_id == grant_id)
                .order_by(Instalment.sequence)  # type: ignore[arg-type]
            )
        )
