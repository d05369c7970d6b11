"""``grantflow report``: the fund's outcome report across its grants, written to files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from service import environment

report_app = typer.Typer(help="Reports across a fund's grants.")
_errors = Console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)
EXIT_BAD_INPUT = 2
EXIT_CANNOT_WRITE = 3


@report_app.command("outcomes")
def report_outcomes(
    fund: Annotated[str, typer.Option("--fund", help="The fund's code, e.g. ILIF")],
    out: Annotated[Path, typer.Option("--out", help="The directory the files are written to")],
    fiscal_year: Annotated[
        int | None,
        typer.Option("--fiscal-year", help="Only this fiscal year, named by its April: 2026"),
    ] = None,
    language: Annotated[
        Literal["en", "fr"] | None,
        typer.Option("--language", help="Only this language (default: English and French)"),
    ] = None,
) -> None:
    """The fund's annual outcome report: PDF and DOCX (English and French) and a CSV, with
    small counts suppressed at the fund's threshold."""
    environment.configure()
    from documents.outcome_report import LANGUAGES, write_outcome_report
    from models.clock import utcnow
    from models.errors import NotFound
    from models.outcomes import BadFiscalYear, fund_outcomes
    from workflows.runtime import database

    if out.exists() and not out.is_dir():
        _errors.print(f"[red]cannot write the report:[/] {out} is not a directory")
        raise typer.Exit(EXIT_CANNOT_WRITE)
    try:
        with database().reading() as session:
            outcomes = fund_outcomes(session, fund, fiscal_year)
    except (NotFound, BadFiscalYear) as error:
        message = error.message if isinstance(error, NotFound) else str(error)
        _errors.print(f"[red]cannot make the outcome report:[/] {message}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    languages = LANGUAGES if language is None else (language,)
    try:
        written = write_outcome_report(outcomes, out, utcnow(), languages)
    except OSError as error:
        _errors.print(f"[red]cannot write the report to {out}:[/] {error.strerror or error}")
        raise typer.Exit(EXIT_CANNOT_WRITE) from None
    for path in written:
        _out.print(str(path))
    _errors.print(
        f"fund {outcomes.fund_code}: {len(outcomes.projects)} grants, "
        f"{len(outcomes.fiscal_years)} fiscal years, {outcomes.suppressed_count} counts suppressed"
    )
