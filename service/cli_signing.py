"""``grantflow documents fund-certificate`` and ``grantflow documents verify``: the Fund's
certificate for anyone to validate against, and what a signed PDF's signatures say."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from service import environment

_out = Console(highlight=False, soft_wrap=True)
_errors = Console(stderr=True, highlight=False, soft_wrap=True)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def fund_certificate(
    out: Annotated[Path, typer.Option("--out", help="Where to write the certificate (PEM)")],
) -> None:
    """Write the Fund's signing certificate (PEM): validate a signed agreement against it
    with any PAdES validator. Exit 1 when the Fund's key cannot be loaded."""
    environment.configure(quiet_console=True)
    from documents.signing import FundKeyError, fund_key

    try:
        key = fund_key()
    except FundKeyError as error:
        _errors.print(f"[red]no certificate written:[/] {error}")
        raise typer.Exit(1) from None
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_bytes(key.certificate_pem)
    temporary.replace(out)
    out.chmod(0o644)  # a certificate is public
    note = " (development key: not for production)" if key.development else ""
    _out.print(f"wrote the Fund's certificate to {out}; SHA-256 {key.fingerprint}{note}")


def verify(
    file: Annotated[Path, typer.Argument(help="The signed PDF")],
) -> None:
    """Say whether a signed PDF is intact, who signed it and when, whether the Fund's
    certificate vouches for it, and which stored document it is.

    Exit 0 when intact and signed by the Fund; 1 when altered, unsigned or not signed by the
    Fund; 2 when the file cannot be read as a PDF.
    """
    try:
        data = file.read_bytes()
    except OSError as error:
        _errors.print(f"[red]cannot read {file}:[/] {type(error).__name__}")
        raise typer.Exit(2) from None
    environment.configure(quiet_console=True)
    from documents.signing import FundKeyError, UnreadablePdf, fund_key, verify_pdf
    from service.signatures import stored_matches
    from service.users import operator
    from workflows.runtime import database

    try:
        verification = verify_pdf(data, fund_key().certificate)
    except UnreadablePdf as error:
        _errors.print(f"[red]{file}:[/] {error}")
        raise typer.Exit(2) from None
    except FundKeyError as error:
        _errors.print(f"[red]cannot verify:[/] {error}")
        raise typer.Exit(1) from None
    if not verification.signed:
        verdict = "NOT SIGNED"
    elif verification.trusted:
        verdict = "intact and signed by the Fund"
    elif verification.intact:
        verdict = "intact, but NOT signed by the Fund's key"
    else:
        verdict = "ALTERED or its signatures are broken"
    _out.print(f"{file}: {verdict}")
    _out.print(f"sha256 {verification.sha256}")
    for number, signature in enumerate(verification.signatures, 1):
        when = signature.signing_time.isoformat() if signature.signing_time else "not stated"
        _out.print(f"signature {number} ({signature.field}): {signature.signer}")
        _out.print(f"  signed at {when} (as the signer states it; no time-stamp)")
        _out.print(
            f"  intact {_yes(signature.intact)}; chains to the Fund's certificate "
            f"{_yes(signature.chains_to_fund)}; covers the whole file "
            f"{_yes(signature.covers_whole_file)}; later changes allowed "
            f"{_yes(signature.changes_after_allowed)}"
        )
        if signature.development_key:
            _out.print("  made with a DEVELOPMENT KEY: not for production")
        if not signature.chains_to_fund and signature.intact:
            _out.print("  present, not vouched for by the Fund (e.g. the organisation's own)")
    matches = stored_matches(database(), verification.sha256, operator())
    if matches:
        for match in matches:
            _out.print(
                f"stored by grantflow: document {match.document_id}, {match.grant_reference} "
                f"{match.kind} v{match.version} ({match.language})"
            )
    else:
        _out.print("not a document this installation stored")
    if not verification.trusted:
        raise typer.Exit(1)
