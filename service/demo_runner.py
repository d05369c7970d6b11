"""``grantflow demo``: fictional grants through the whole lifecycle, every action a flow run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import select

from documents.storage import copy_to_file
from models import fictional
from models.db import Database
from models.fictional.script import Variant, steps
from models.provisioning import create_application
from models.tables import Fund, Organisation, StoredDocument, User
from workflows.actions import run_action_inline
from workflows.runtime import database, document_store


@dataclass
class GrantRun:
    reference: str
    organisation: str
    variant: str
    final_state: str = ""
    flow_runs: set[str] = field(default_factory=set)
    documents: int = 0
    seconds: float = 0.0


def variants(count: int) -> list[Variant]:
    """At least one grant declined at screening and one at approval when there are three."""
    if count < 3:
        return ["full"] * count
    plan: list[Variant] = ["declined_at_screening", "declined_at_approval", "info_requested"]
    return (plan + ["full"] * count)[:count]


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
    for row in rows:
        copy_to_file(store, row.storage_key, target / row.filename)
    return len(rows)


async def run_demo(grant_count: int, out: Path, console: Console) -> list[GrantRun]:
    db = database()
    cast = load_or_seed(db)
    runs: list[GrantRun] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        overall = progress.add_task("grants", total=grant_count)
        for index, variant in enumerate(variants(grant_count)):
            organisation, application = fictional.application_for(index, cast)
            grant = create_application(db, organisation.id, application)  # type: ignore[arg-type]
            run = GrantRun(grant.reference, organisation.legal_name, variant)
            started = time.perf_counter()
            for action, actor, payload, at in steps(db, cast, grant.id, variant):  # type: ignore[arg-type]
                progress.update(overall, description=f"{grant.reference} · {action}")
                outcome = await run_action_inline(
                    grant.id,
                    grant.reference,
                    action,
                    actor,
                    payload,  # type: ignore[arg-type]
                    now=at,
                )
                run.final_state = outcome.grant_state
                if outcome.flow_run_id:
                    run.flow_runs.add(outcome.flow_run_id)
            run.seconds = time.perf_counter() - started
            run.documents = export_documents(db, grant.id, out, grant.reference)  # type: ignore[arg-type]
            runs.append(run)
            progress.advance(overall)
    return runs


def summary_table(runs: list[GrantRun]) -> Table:
    table = Table(title="grantflow demo")
    # A reference cut to "ILIF-202…" is useless: it never wraps, the long names fold instead.
    table.add_column("grant", no_wrap=True)
    for column in ("organisation", "path", "final state", "documents", "flow runs"):
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
            f"{run.seconds:.1f} s",
        )
    return table
