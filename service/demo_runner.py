"""``grantflow demo``: fictional grants through the whole lifecycle, every action a flow run.

The demo runs on a simulated clock: each scripted step happens on the day the fund's calendar
gives it (``models.fictional.script``), and before each day it reaches, the daily sweep runs
on every day since on which a deadline falls (``models.deadlines.deadline_days``), each sweep
a flow run. So the grants live their years in a minute: reminders before reports are due, an
overdue report holding a payment until it is accepted, an unsigned offer lapsing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import func, select

from documents.storage import copy_to_file
from models import fictional
from models.clock import utcnow
from models.db import Database
from models.deadlines import deadline_days, fund_today
from models.errors import ActionRejected
from models.fictional.script import Variant, steps
from models.provisioning import create_application
from models.tables import (
    Fund,
    Grant,
    Instalment,
    Notification,
    Organisation,
    OutcomeReport,
    StoredDocument,
    User,
)
from service.authz import document_readers
from service.demo_pool import DemoFailed
from workflows.actions import run_action_inline
from workflows.document_copies import (
    LANGUAGE_NAMES,
    OtherLanguageCopy,
    render_other_language_copy,
)
from workflows.runtime import database, document_store
from workflows.sweep import run_sweep


@dataclass
class GrantRun:
    reference: str
    organisation: str
    variant: str
    final_state: str = ""
    flow_runs: set[str] = field(default_factory=set)
    documents: int = 0
    seconds: float = 0.0
    sweeps: int = 0


def variants(count: int) -> list[Variant]:
    """With one or two grants, one whose report is late and one whose agreement is amended;
    with three or more, one declined at screening, one at approval, one closed after an
    information request; from five, one whose report is late and one whose offer lapses; from
    six, one whose agreement is amended."""
    if count < 3:
        few: list[Variant] = ["late_report", "amended"]
        return few[:count]
    plan: list[Variant] = [
        "declined_at_screening",
        "declined_at_approval",
        "info_requested",
        "late_report",
        "offer_lapsed",
        "amended",
    ]
    return (plan + ["full"] * count)[:count]


# The paths from the longest to the shortest (flow runs and sweeps, measured 2026-12-02: amended
# 37 and 16, late report 31 and 13, information requested 26 and 9, offer lapsed 10 and 2,
# declined at approval 10, at screening 2; full is the late report's path without its lateness).
# Side by side, the longest start first, so that no process is left alone with one at the end.
LONGEST_FIRST: list[Variant] = [
    "amended",
    "late_report",
    "full",
    "info_requested",
    "offer_lapsed",
    "declined_at_approval",
    "declined_at_screening",
]


@dataclass
class Calendar:
    """The simulated clock: the last day swept, and how many sweeps ran."""

    last_swept: date
    sweeps: int = 0
    sweep_runs: set[str] = field(default_factory=set)


def _deadline_days(db: Database, grant_id: int, after: date, until: date) -> list[date]:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        fund = session.get(Fund, grant.fund_id)
        assert fund is not None
        reports = list(
            session.exec(select(OutcomeReport).where(OutcomeReport.grant_id == grant_id))
        )
        instalments = list(session.exec(select(Instalment).where(Instalment.grant_id == grant_id)))
    return deadline_days([grant], reports, instalments, fund, after, until)


async def sweep_until(db: Database, grant_id: int, day: date, calendar: Calendar) -> None:
    """Run the grant's own sweep (``workflows.sweep``, scoped to it) on each of its deadline
    days up to ``day``: grants driven side by side each keep their own simulated calendar."""
    for deadline in _deadline_days(db, grant_id, calendar.last_swept, day):
        await run_sweep(deadline, grant_id)
        calendar.sweeps += 1
    calendar.last_swept = max(calendar.last_swept, day)


@dataclass(frozen=True)
class PlannedGrant:
    """An application the demo made, and the path it is to take (picklable: a process of the
    demo's pool drives it)."""

    index: int
    grant_id: int
    reference: str
    organisation_id: int
    organisation: str
    variant: Variant


def plan_grants(db: Database, cast: fictional.Cast, count: int) -> list[PlannedGrant]:
    """Make the demo's applications, in order (their references follow it)."""
    planned: list[PlannedGrant] = []
    for index, variant in enumerate(variants(count)):
        organisation, application = fictional.application_for(index, cast)
        grant = create_application(db, organisation.id, application)  # type: ignore[arg-type]
        planned.append(
            PlannedGrant(
                index,
                grant.id,  # type: ignore[arg-type]
                grant.reference,
                organisation.id,  # type: ignore[arg-type]
                organisation.legal_name,
                variant,
            )
        )
    return planned


async def drive_grant(
    db: Database, cast: fictional.Cast, planned: PlannedGrant, report: Callable[[str], None]
) -> GrantRun:
    """Take one planned grant through its scripted steps, each on its simulated day, its
    calendar swept before each; ``report`` hears of each step as it starts."""
    run = GrantRun(planned.reference, planned.organisation, planned.variant)
    started = time.perf_counter()
    calendar = Calendar(last_swept=fund_today(utcnow()))
    for action, actor, payload, at in steps(db, cast, planned.grant_id, planned.variant):
        report(f"{planned.reference} · {action}")
        if at is not None:
            await sweep_until(db, planned.grant_id, fund_today(at) - timedelta(days=1), calendar)
        outcome = await run_action_inline(
            planned.grant_id,
            planned.reference,
            action,
            actor,
            payload,  # type: ignore[arg-type]
            now=at,
        )
        if outcome.flow_run_id:
            run.flow_runs.add(outcome.flow_run_id)
    # What is left to the calendar: an unsigned offer lapses after its deadline.
    horizon = calendar.last_swept + timedelta(days=OFFER_HORIZON_DAYS)
    await sweep_until(db, planned.grant_id, horizon, calendar)
    run.final_state = _state_of(db, planned.grant_id)
    run.sweeps = calendar.sweeps
    run.seconds = time.perf_counter() - started
    return run


def load_or_seed(db: Database) -> fictional.Cast:
    with db.reading() as session:
        fund = session.exec(select(Fund).where(Fund.code == fictional.FUND_CODE)).first()
        if fund is None:
            return fictional.seed(db)
        users = {u.name: u for u in session.exec(select(User))}
        names = [o["legal_name"] for o in fictional.ORGANISATIONS]
        orgs = {o.legal_name: o for o in session.exec(select(Organisation))}
        organisations = [orgs[name] for name in names]
        return fictional.Cast(
            fund=fund,
            screening_officer=users["Avery Northwood"],
            payments_officer=users["Jesse Clearwater"],
            reviewers=[
                users["Elder Marguerite Swiftwind"],
                users["Robin Greyfeather"],
                users["Kai Birchbark"],
            ],
            approver=users["Sasha Redcedar"],
            finance=users["Quinn Ironwood"],
            auditor=users["Taylor Brookside"],
            applicants={
                o.id: next(u for u in users.values() if u.organisation_id == o.id)
                for o in organisations
            },
            organisations=organisations,
        )


def export_documents(db: Database, grant_id: int, out: Path, reference: str) -> int:
    target = out / reference
    target.mkdir(parents=True, exist_ok=True)
    store = document_store()
    with db.reading() as session:
        rows = list(session.exec(select(StoredDocument).where(StoredDocument.grant_id == grant_id)))
    # A document withdrawn at close (its review content returned and deleted under the
    # organisation's data agreement) has no file any more.
    kept = [row for row in rows if row.withdrawn_at is None]
    for row in kept:
        copy_to_file(store, row.storage_key, target / row.filename)
    return len(kept)


async def run_demo(
    grant_count: int, out: Path, console: Console, processes: int = 1
) -> list[GrantRun]:
    """Plan ``grant_count`` grants, drive them (one after another in this process, or side by
    side in a pool of ``processes``; ``service.demo_pool``), then export their documents and
    write the fund's outcome report. DemoFailed if a grant cannot finish."""
    db = database()
    cast = load_or_seed(db)
    planned = plan_grants(db, cast, grant_count)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        overall = progress.add_task("grants", total=grant_count)

        def report(text: str) -> None:
            progress.update(overall, description=text)

        def finished(_run: GrantRun) -> None:
            progress.advance(overall)

        if processes > 1:
            from service.demo_pool import drive_in_processes

            runs = await drive_in_processes(planned, processes, report, finished)
        else:
            runs = []
            for grant in planned:
                runs.append(await drive_in_this_process(db, cast, grant, report))
                finished(runs[-1])
    show_letter_in_other_language(db, cast, planned, console)
    for grant, run in zip(planned, runs, strict=True):
        run.documents = export_documents(db, grant.grant_id, out, grant.reference)
    write_fund_outcome_report(db, out, console)
    return runs


async def drive_in_this_process(
    db: Database, cast: fictional.Cast, planned: PlannedGrant, report: Callable[[str], None]
) -> GrantRun:
    """``drive_grant``, its failure said as DemoFailed naming the grant."""
    try:
        return await drive_grant(db, cast, planned, report)
    except ActionRejected as error:
        raise DemoFailed(f"{planned.reference}: {error.title}: {error.message}") from error


def show_letter_in_other_language(
    db: Database, cast: fictional.Cast, planned: list[PlannedGrant], console: Console
) -> None:
    """The first grant with a decision letter gets it in the other official language."""
    for grant in planned:
        applicant = cast.applicants[grant.organisation_id]
        copy = letter_in_other_language(db, grant.grant_id, applicant)
        if copy is not None:
            console.print(
                f"{grant.reference}: its applicant asked for the decision letter in "
                f"{LANGUAGE_NAMES[copy.language]}, rendered from the letter's own content"
            )
            return


FUND_REPORT_FOLDER = "fund-outcome-report"


def write_fund_outcome_report(db: Database, out: Path, console: Console) -> list[Path]:
    """The fictional fund's outcome report (PDF, DOCX in both languages, CSV) under ``out``:
    the demo's counts include small ones, so it shows suppression at work."""
    from documents.outcome_report import write_outcome_report
    from models.outcomes import fund_outcomes

    with db.reading() as session:
        outcomes = fund_outcomes(session, fictional.FUND_CODE)
    written = write_outcome_report(outcomes, out / FUND_REPORT_FOLDER, utcnow())
    console.print(
        f"fund outcome report: {len(written)} files in {out / FUND_REPORT_FOLDER}, "
        f"{outcomes.suppressed_count} small or revealing counts suppressed"
    )
    return written


def letter_in_other_language(
    db: Database, grant_id: int, applicant: User
) -> OtherLanguageCopy | None:
    """The grant's decision letter in the other official language, asked for by the
    organisation's applicant as from the grant page (the demo shows one); None without one."""
    with db.reading() as session:
        letter = session.exec(
            select(StoredDocument)
            .where(StoredDocument.grant_id == grant_id, StoredDocument.kind == "decision_letter")
            .order_by(StoredDocument.id)  # type: ignore[arg-type]
        ).first()
    if letter is None:
        return None
    return render_other_language_copy(letter.id, applicant, document_readers)  # type: ignore[arg-type]


def _state_of(db: Database, grant_id: int) -> str:
    with db.reading() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return grant.state


# Days after its last step that a grant's calendar is swept (an offer open for the fund's
# offer period lapses within it).
OFFER_HORIZON_DAYS = 45


def message_counts(db: Database) -> dict[str, dict[str, int]]:
    """Messages written by kind, and how many of each were sent, are waiting or failed."""
    counts: dict[str, dict[str, int]] = {}
    with db.reading() as session:
        for kind, status, number in session.exec(
            select(Notification.kind, Notification.status, func.count()).group_by(
                Notification.kind, Notification.status
            )
        ):
            counts.setdefault(kind, {})[status] = number
    return counts


def messages_table(db: Database) -> Table:
    table = Table(title="messages")
    for column in ("kind", "sent", "waiting", "failed", "in a digest"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, by_status in sorted(message_counts(db).items()):
        table.add_row(
            kind,
            str(by_status.get("sent", 0)),
            str(by_status.get("pending", 0) + by_status.get("sending", 0)),
            str(by_status.get("failed", 0)),
            str(by_status.get("digest", 0) + by_status.get("digested", 0)),
        )
    return table


def summary_table(runs: list[GrantRun]) -> Table:
    table = Table(title="grantflow demo")
    # A reference cut to "ILIF-202…" is useless: it never wraps, the long names fold instead.
    table.add_column("grant", no_wrap=True)
    for column in ("organisation", "path", "final state", "documents", "flow runs", "sweeps"):
        table.add_column(column, overflow="fold")
    table.add_column("time", justify="right")
    for run in runs:
        table.add_row(
            run.reference,
            run.organisation,
            run.variant.replace("_", " "),
            run.final_state,
            str(run.documents),
            str(len(run.flow_runs)),
            str(run.sweeps),
            f"{run.seconds:.1f} s",
        )
    return table
