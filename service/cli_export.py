"""``grantflow export`` (the officers' CSV lists) and ``grantflow org export`` (an
organisation's own records as a ZIP with a manifest and a verifier). Both act as the
installation's operator and write their file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from service import environment

export_app = typer.Typer(help="The grant, payment and report lists as CSV.")
org_app = typer.Typer(help="An organisation's own records.")
_errors = Console(stderr=True, highlight=False, soft_wrap=True)  # a path is never cut
_out = Console(highlight=False, soft_wrap=True)

OUT_CSV = typer.Option("--out", help="The CSV file to write")
STATE = typer.Option(help="Only grants in this state (its key, e.g. active)")
STAGE = typer.Option(help="Only grants at this stage (e.g. disbursement)")
FUND = typer.Option(help="Only grants of this fund (its code, e.g. ILIF)")
ORGANISATION = typer.Option(
    "--organisation", min=1, help="Only grants of this organisation (its id)"
)
FISCAL_YEAR = typer.Option(
    "--fiscal-year", min=2000, max=2100, help="Only grants budgeted in this Ontario fiscal year"
)


def _refuse(message: str) -> None:
    _errors.print(f"[red]cannot export:[/] {message}")
    raise typer.Exit(2)


def _checked_target(out: Path) -> Path:
    if out.is_dir():
        _refuse(f"{out} is a directory; give the file to write")
    return out.resolve()


def write_atomically(out: Path, data: bytes) -> None:
    """``data`` at ``out``, or nothing there: written beside it, then renamed over it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".csv")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _export_list(
    name: str,
    out: Path,
    state: str | None,
    stage: str | None,
    fund: str | None,
    organisation: int | None,
    fiscal_year: int | None,
) -> None:
    target = _checked_target(out)
    from models.lifecycle import STAGES, state_keys
    from service.exports.lists import GrantFilters, read_list
    from service.users import operator

    if state is not None and state not in state_keys("grant"):
        _refuse(f"no grant state '{state}'; one of: {', '.join(state_keys('grant'))}")
    if stage is not None and stage not in STAGES:
        _refuse(f"no stage '{stage}'; one of: {', '.join(STAGES)}")
    environment.configure(quiet_console=True)
    from workflows.runtime import database

    if fund is not None and not _fund_exists(fund):
        _refuse(f"no fund with code '{fund}'")
    filters = GrantFilters(state, stage, fund, organisation, fiscal_year)
    db = database()
    exported = read_list(db, operator(), name, filters)  # type: ignore[arg-type]
    write_atomically(target, exported.to_bytes())
    from service.cli import record_operator_read

    record_operator_read(db, target, kind="csv_export", organisation_id=filters.organisation_id)
    _out.print(f"{len(exported.rows)} {name} written to {target}")


def _fund_exists(code: str) -> bool:
    from sqlmodel import select

    from models.tables import Fund
    from workflows.runtime import database

    with database().reading() as session:
        return session.exec(select(Fund.id).where(Fund.code == code)).first() is not None


def _list_command(name: str) -> None:
    def command(
        out: Annotated[Path, OUT_CSV],
        state: Annotated[str | None, STATE] = None,
        stage: Annotated[str | None, STAGE] = None,
        fund: Annotated[str | None, FUND] = None,
        organisation: Annotated[int | None, ORGANISATION] = None,
        fiscal_year: Annotated[int | None, FISCAL_YEAR] = None,
    ) -> None:
        _export_list(name, out, state, stage, fund, organisation, fiscal_year)

    command.__doc__ = (
        f"Write the {name} list as CSV (UTF-8 with a byte-order mark; the grant list's "
        "filters). Exit 2 for a bad filter or target."
    )
    export_app.command(name)(command)


for _name in ("grants", "payments", "reports"):
    _list_command(_name)


@org_app.command("export")
def org_export(
    org: Annotated[str, typer.Option("--org", help="The organisation's id (or exact name)")],
    out: Annotated[Path, typer.Option("--out", help="The ZIP file to write")],
) -> None:
    """Write everything grantflow holds for an organisation as a ZIP: JSON and CSV records,
    the documents addressed to it, a SHA-256 manifest and verify.py. Exit 2 for an unknown
    organisation or a bad target, 1 if a stored document fails its integrity check."""
    target = _checked_target(out)
    environment.configure(quiet_console=True)
    from documents.storage import StorageIntegrityError
    from models.data_return import ReturnPackageAltered
    from models.errors import ActionRejected
    from service.exports.organisation import write_organisation_export
    from service.users import resolve_organisation
    from workflows.runtime import database, document_store

    db = database()
    try:
        organisation_id = resolve_organisation(db, org)
        summary = write_organisation_export(db, organisation_id, target, document_store())
    except ActionRejected as error:
        _refuse(error.message)
        return
    except (StorageIntegrityError, FileNotFoundError, ReturnPackageAltered) as error:
        _errors.print(
            f"[red]export failed, nothing written:[/] a stored document is missing or no longer "
            f"matches its SHA-256 ({error}); run 'grantflow audit verify' and restore it"
        )
        raise typer.Exit(1) from None
    from service.cli import record_operator_read

    record_operator_read(db, target, kind="organisation_export", organisation_id=organisation_id)
    _out.print(
        f"organisation {organisation_id}: {summary.grants} grants, {summary.documents} "
        f"documents, {summary.files} files written to {target}"
    )
