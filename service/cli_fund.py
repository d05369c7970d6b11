"""``grantflow fund``: the Fund's settings that its documents print (signing authority,
address for notices). Each change is audited."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from service import environment

fund_app = typer.Typer(help="The Fund's signing authority and address for notices.")
_errors = Console(stderr=True, highlight=False)
FUND_CODE = typer.Option("--fund", help="The fund's code, e.g. ILIF")


@fund_app.command("signing-authority")
def fund_signing_authority(
    email: Annotated[str, typer.Option(help="The address the signing authority signs in with")],
    title: Annotated[str, typer.Option(help="Their title, as documents print it")],
    fund: Annotated[str, FUND_CODE] = "ILIF",
    title_fr: Annotated[str, typer.Option(help="Their title in French")] = "",
) -> None:
    """Who signs the Fund's letters and countersigns its agreements: an active user who may
    countersign. Their name comes from their account; only they can countersign."""
    environment.configure()
    from models.errors import ActionRejected
    from models.provisioning import set_fund_signing_authority
    from workflows.runtime import database

    try:
        row = set_fund_signing_authority(
            database(), fund, email=email, title=title, title_fr=title_fr
        )
    except ActionRejected as error:
        _errors.print(f"[red]cannot set the signing authority:[/] {error.message}")
        raise typer.Exit(2) from None
    _errors.print(f"fund {row.code}: {row.signer_name}, {row.signer_title}, signs for the Fund")


@fund_app.command("notices")
def fund_notices(
    address: Annotated[str, typer.Option(help="The postal address for notices (lines: \\n)")],
    email: Annotated[str, typer.Option(help="The email address for notices")],
    fund: Annotated[str, FUND_CODE] = "ILIF",
) -> None:
    """Where notices to the Fund go under its agreements (printed in Schedule B)."""
    environment.configure()
    from models.errors import ActionRejected
    from models.provisioning import set_fund_notices
    from workflows.runtime import database

    try:
        row = set_fund_notices(database(), fund, address=address.replace("\\n", "\n"), email=email)
    except ActionRejected as error:
        _errors.print(f"[red]cannot set the address for notices:[/] {error.message}")
        raise typer.Exit(2) from None
    _errors.print(f"fund {row.code}: notices go to {row.notice_email}")
