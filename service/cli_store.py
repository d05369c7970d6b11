"""Commands for what an installation shares between machines: ``grantflow documents
migrate-store`` (local files into the database store) and ``grantflow audit checkpoints``
(the checkpoints kept in the database, exported to and imported from their file form)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from service import environment

checkpoints_app = typer.Typer(help="The audit log's checkpoints, kept in the database.")
_errors = Console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def migrate_store(
    to: Annotated[
        Literal["database"], typer.Option("--to", help="The store to copy into: database")
    ],
) -> None:
    """Copy the local document store's files (and return packages) into grantflow's
    database, each verified against its SHA-256 and read back; safe to run again. Then set
    GRANTFLOW_DOCUMENT_STORE=database."""
    environment.configure()
    from documents.storage import LocalDocumentStore, StorageIntegrityError
    from documents.store_migration import migrate_to_database
    from models.db import document_dir
    from workflows.runtime import database

    if to != "database":  # typer checks the choice; kept for a direct call
        raise typer.Exit(EXIT_BAD_INPUT)
    source = LocalDocumentStore(document_dir())
    try:
        outcome = migrate_to_database(database(), source)
    except (StorageIntegrityError, ValueError) as error:
        _errors.print(f"[red]migration stopped:[/] {error}")
        raise typer.Exit(EXIT_FAILED) from None
    _out.print(
        f"documents copied: {outcome.copied}, already there: {outcome.already_there}, "
        f"return packages: {outcome.return_packages}, missing locally: {len(outcome.missing)}"
    )
    if outcome.missing:
        for key in outcome.missing:
            _errors.print(f"missing locally: {key}")
        raise typer.Exit(EXIT_FAILED)


@checkpoints_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="The checkpoints file to write (JSONL)")],
    leaves: Annotated[
        Path | None,
        typer.Option("--leaves", help="Also write the recorded leaf hashes (leaves.log form)"),
    ] = None,
) -> None:
    """Write the database's checkpoints in the checkpoints.jsonl form (one tree head a line),
    for a copy kept away from the database."""
    environment.configure()
    from models.checkpoints import default_store, export_checkpoints
    from workflows.runtime import database

    for path in (out, leaves):
        if path is not None and (path.is_dir() or not path.parent.is_dir()):
            _errors.print(f"[red]cannot export:[/] {path} is not a file in an existing directory")
            raise typer.Exit(EXIT_BAD_INPUT)
    count = export_checkpoints(default_store(database()), out, leaves)
    _out.print(f"{count} checkpoints written to {out}")


@checkpoints_app.command("import")
def import_(
    directory: Annotated[
        Path, typer.Argument(help="The folder holding checkpoints.jsonl and leaves.log")
    ],
) -> None:
    """Record the checkpoints an installation kept in files (before they were kept in the
    database) as rows, each checked against the log; nothing when the database has some."""
    environment.configure()
    from models.checkpoints import AuditStore, CheckpointRefused, import_checkpoints
    from workflows.runtime import database

    files = AuditStore(directory)
    if not files.checkpoints_path.is_file():
        _errors.print(f"[red]cannot import:[/] no checkpoints.jsonl in {directory}")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        count = import_checkpoints(database(), files)
    except CheckpointRefused as error:
        _errors.print(f"[red]import refused:[/] {error}")
        raise typer.Exit(EXIT_FAILED) from None
    _out.print(f"{count} checkpoints imported")
