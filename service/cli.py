"""The ``grantflow`` command line."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from service import environment
from service.cli_export import export_app, org_app
from service.cli_fund import fund_app
from service.cli_report import report_app
from service.cli_signing import fund_certificate, verify
from service.cli_store import checkpoints_app, migrate_store

if TYPE_CHECKING:
    import uvicorn

    from service.prefect_server import PendingServer

app = typer.Typer(help="grantflow: grant lifecycle workflows for an Indigenous-led fund.")
users_app = typer.Typer(help="Manage users and their API tokens.")
app.add_typer(users_app, name="users")
audit_app = typer.Typer(help="Verify and checkpoint the audit trail.")
app.add_typer(audit_app, name="audit")
db_app = typer.Typer(help="grantflow's database schema (Alembic migrations).")
app.add_typer(db_app, name="db")
documents_app = typer.Typer(help="The documents the workflow steps produce.")
app.add_typer(documents_app, name="documents")
documents_app.command("fund-certificate")(fund_certificate)
documents_app.command("verify")(verify)
app.add_typer(fund_app, name="fund")
app.add_typer(export_app, name="export")
app.add_typer(org_app, name="org")
app.add_typer(report_app, name="report")
audit_app.add_typer(checkpoints_app, name="checkpoints")
documents_app.command("migrate-store")(migrate_store)
# Piped or redirected output has no terminal width to respect: a line or table cut at rich's
# default 80 columns breaks whoever reads it (`grantflow audit checkpoint > file`).
UNBOUNDED_WIDTH = 10_000


def make_console(stderr: bool = False) -> Console:
    """A console as wide as the terminal, or unbounded (nothing cut) when not writing to one."""
    stream = sys.stderr if stderr else sys.stdout
    if stream is not None and stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=UNBOUNDED_WIDTH, soft_wrap=True)


console = make_console()
errors = make_console(stderr=True)

# Said when Prefect cannot be started in time (a busy machine), with what to do about it.
PREFECT_START_HINT = (
    "the machine may be busy: retry, allow longer with GRANTFLOW_PREFECT_STARTUP_SECONDS "
    "(default 180), or start `grantflow serve` first (or set PREFECT_API_URL) so this command "
    "uses a running Prefect server"
)


def _failure(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    if "Timed out while attempting to connect to ephemeral Prefect API server" in str(error):
        text = f"Prefect's embedded server did not start in time; {PREFECT_START_HINT}"
    return text


def _demo_failure(error: Exception) -> str:
    from models.errors import ActionRejected
    from service.demo_pool import DemoFailed
    from service.prefect_server import PrefectServerError

    if isinstance(error, DemoFailed):
        return str(error)
    if isinstance(error, PrefectServerError):
        return (
            f"the demo's own Prefect server did not start: {error}; or start `grantflow serve` "
            "first (or set PREFECT_API_URL) so the demo uses a running Prefect server"
        )
    if isinstance(error, ActionRejected):
        return f"{error.title}: {error.message}"
    return _failure(error)


@app.command()
def demo(
    grants: Annotated[int, typer.Option(min=1, max=500, help="How many fictional grants")] = 6,
    out: Annotated[Path, typer.Option(help="Where to write the documents")] = Path("demo-output"),
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Processes driving grants side by side (default: one per core)"
        ),
    ] = None,
) -> None:
    """Take fictional grants through the whole lifecycle on this installation."""
    server = environment.configure(quiet_console=True)
    from service.demo_pool import start_forkserver, usable_cores

    processes = min(grants, processes or usable_cores())
    own_server = None
    try:
        if server is None:
            # A Prefect server in a process of its own, which every process of the demo shares
            # (in this one it would compete with the renders for the interpreter): started
            # now, ready while the demo's modules import, stopped at the end.
            from service.prefect_server import begin_server

            own_server = begin_server()
            server = os.environ["PREFECT_API_URL"] = own_server.server.api_url
            own_server.launch()
        if processes > 1:
            start_forkserver()  # it imports the demo meanwhile, once for the whole pool
        side_by_side = f", {processes} processes side by side" if processes > 1 else ""
        console.print(f"Data in [bold]{environment.data_dir()}[/]; Prefect: {server}{side_by_side}")
        started = time.perf_counter()
        from service.demo_runner import run_demo, summary_table

        if own_server is not None:
            own_server.finish()
        runs = asyncio.run(run_demo(grants, out.resolve(), console, processes))
    except Exception as error:  # noqa: BLE001 - the command must end with a clear message
        errors.print(f"[red]demo failed:[/] {escape(_demo_failure(error))}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if own_server is not None:
            if (
                "prefect" in sys.modules
            ):  # this process ran flows (one at a time, or the last steps)
                _flush_prefect_workers()
            own_server.server.stop()
    console.print(summary_table(runs))
    from service.demo_runner import messages_table
    from workflows.mail import transport_from_environment
    from workflows.runtime import database

    console.print(messages_table(database()))
    mail = transport_from_environment(environment.data_dir())
    console.print(f"messages written through: {mail.description}")
    from models.checkpoints import checkpoint

    head = checkpoint(database())
    console.print(f"audit checkpoint: size={head.size} root={head.root}")
    total_docs = sum(r.documents for r in runs)
    total_runs = sum(len(r.flow_runs) for r in runs)
    console.print(
        f"{len(runs)} grants, {total_runs} flow runs, {total_docs} documents in "
        f"{out.resolve()}, {time.perf_counter() - started:.1f} s"
    )


class _Stopped(Exception):
    """A stop signal arrived before the web server took over signal handling."""


def _stop_now(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
    prefect_host: Annotated[
        str,
        typer.Option(
            help="Address the local Prefect server listens on (loopback unless workers on "
            "other machines use it; it always requires the installation's credential)"
        ),
    ] = "127.0.0.1",
    prefect_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Port of the local Prefect server (default: a free one)"
        ),
    ] = None,
) -> None:
    """Serve the API, with the installation's Prefect server in the embedded default."""
    environment.configure()
    # Prefect is not imported before its server's URL is set (workflows.execution says why).
    from workflows.execution import ExecutionModeError, execution_mode

    try:
        mode = execution_mode()
    except ExecutionModeError as error:
        errors.print(f"[red]serve failed:[/] {error}")
        raise typer.Exit(2) from None

    # Until uvicorn installs its own handlers, SIGINT and SIGTERM unwind this function so the
    # `finally` below stops the Prefect server even when the signal comes during start-up.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_now)
    server = None
    failures: list[BaseException] = []
    try:
        from service.startup import check_settings

        check_settings()
        _migrate()  # before Prefect's server starts competing for the machine
        pending = _begin_prefect_server(prefect_host, prefect_port)
        server = pending.server if pending is not None else None
        console.print(f"Prefect API: {os.environ['PREFECT_API_URL']}; execution: {mode}")
        _serve_at_once(host, port, pending, failures)
    except _Stopped:
        errors.print("serve stopped during start-up")
    finally:
        # A second Ctrl-C must not interrupt the clean-up and leave the Prefect server behind.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        if "prefect" in sys.modules and not failures:
            _flush_prefect_workers()
        if server is not None:
            server.stop()
    if failures:
        errors.print(f"[red]serve failed:[/] {failures[0]}", highlight=False)
        raise typer.Exit(1)


def _migrate() -> None:
    """Bring the database to the newest schema: /healthz answers once it is."""
    from workflows.runtime import database

    database()


def _serve_at_once(
    host: str, port: int, pending: PendingServer | None, failures: list[BaseException]
) -> None:
    """Answer /healthz while the app is built and Prefect starts (``service.startup``);
    returns when serve is stopped, or when either could not start (``failures`` says why)."""
    from service.background import serve_background
    from service.startup import FrontDoor, start_prefect

    def build() -> object:
        from service.api import create_app

        # Audit checkpoints: the scheduled grantflow-checkpoint flow (workflows.checkpoints).
        app = create_app()
        # Building the app imports Prefect, whose logging set-up takes over uvicorn's loggers
        # (its "uvicorn" logger at Prefect's server level): uvicorn's own set-up again, as when
        # the app was built before uvicorn's configuration, so serve still says it shut down.
        web.config.configure_logging()
        # A serve whose document store is not where the installation keeps its documents
        # stops here and says why, as a worker does, rather than answer 500 on every document.
        from workflows.runtime import document_store

        document_store()
        return app

    def fail(error: BaseException) -> None:
        failures.append(error)
        web.should_exit = True

    def listening() -> bool:
        return web.started

    front_door = FrontDoor(build, serve_background, fail, after=listening)
    web = _web_server(front_door, host, port)
    if pending is not None:
        start_prefect(pending, fail, after=listening)
    web.run()


def _begin_prefect_server(host: str, port: int | None) -> PendingServer | None:
    """The installation's Prefect server, launched here (not yet answering) unless
    PREFECT_API_URL names one; PREFECT_API_URL is set to it before anything imports Prefect."""
    import atexit

    from service.prefect_server import PrefectServerError, begin_server

    if os.environ.get("PREFECT_API_URL"):
        return None
    console.print("Starting the installation's Prefect server...")
    try:
        pending = begin_server(port, host=host)
    except PrefectServerError as error:
        errors.print(f"[red]serve failed:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    server = pending.server
    # The last resort if serve leaves by a path the `finally` does not cover.
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.api_url
    if pending.to_launch and host not in ("127.0.0.1", "::1", "localhost"):
        errors.print(
            f"the Prefect server listens on {host}; clients need PREFECT_API_URL and "
            "PREFECT_API_AUTH_STRING (the credential is in "
            f"{environment.data_dir() / environment.INSTALLATION_FILE})"
        )
    return pending


def _web_server(app: object, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server that runs until SIGINT or SIGTERM, then returns (never re-raising the
    signal), or until its ``should_exit`` is set.

    uvicorn re-raises the signal it caught once it has shut down, which kills the process
    before serve can stop its Prefect server; this server only records it and returns.
    """
    import contextlib
    import threading

    import uvicorn
    from uvicorn.server import HANDLED_SIGNALS

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[no-untyped-def]
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            originals = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
            try:
                yield
            finally:
                for sig, handler in originals.items():
                    signal.signal(sig, handler)

    return Server(uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="on"))  # type: ignore[arg-type]


def _flush_prefect_workers(timeout: float = 10) -> None:
    """Send the flow runs' last logs and events while the Prefect server still answers.

    Otherwise Prefect drains them at interpreter exit, after ``serve`` stopped the server, and
    retries against it (over a minute here) instead of exiting.
    """
    from workflows.prefect_adapter import flush_prefect_queues

    flush_prefect_queues(timeout)


@app.command()
def worker(
    until_idle: Annotated[
        bool, typer.Option(help="Stop once no run is waiting (otherwise run until stopped)")
    ] = False,
) -> None:
    """Carry out the flow runs the service submits in `deployment` execution mode.

    Start as many as needed, on any machine that reaches the same Prefect API and the same
    grantflow database. A run whose worker dies is taken up by another once its lease lapses
    (GRANTFLOW_WORKER_LEASE_SECONDS, default 30), and finishes without repeating a payment.
    """
    server = environment.configure()
    if not server and not os.environ.get("PREFECT_API_URL"):
        errors.print(
            "[red]worker needs a shared Prefect server:[/] start `grantflow serve` for this "
            "installation, or set PREFECT_API_URL"
        )
        raise typer.Exit(2)
    from workflows.worker import Worker, WorkerSettings

    try:
        settings = WorkerSettings.from_environment()
    except ValueError as error:
        errors.print(f"[red]worker settings:[/] {error}")
        raise typer.Exit(2) from None
    _refuse_a_store_out_of_reach()

    async def work() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        return await Worker(settings, log=errors.print).run(stop, until_idle=until_idle)

    taken = asyncio.run(work())
    _flush_prefect_workers()
    errors.print(f"worker stopped after {taken} runs")


def _refuse_a_store_out_of_reach() -> None:
    """Exit 2 before doing any work when this process's document store is not where the
    installation keeps its documents (``documents.storage.check_store_matches``)."""
    from documents.storage import StoreMismatch
    from workflows.runtime import document_store

    try:
        document_store()
    except StoreMismatch as error:
        errors.print(f"[red]document store:[/] {error}")
        raise typer.Exit(2) from None


@documents_app.command("retry")
def documents_retry() -> None:
    """Produce the documents committed steps still owe (their rendering failed before).

    `serve` and workers do this by themselves every few seconds; exit 1 if any stay owed.
    """
    environment.configure(quiet_console=True)
    from workflows.owed_documents import owed_count, settle_owed_documents

    settled = asyncio.run(settle_owed_documents())
    if settled is None:
        console.print("no documents are owed")
        return
    still = owed_count()
    console.print(f"tried the owed documents of {settled['steps_tried']} steps; {still} still owed")
    if still:
        errors.print("[red]some documents are still owed;[/] see the grants' documents_pending")
        raise typer.Exit(1)


@documents_app.command("copy")
def documents_copy(
    document: Annotated[int, typer.Option(min=1, help="The stored document's id")],
    language: Annotated[
        str | None,
        typer.Option(
            metavar="fr|en", help="The language of the copy (default: the other one); checked"
        ),
    ] = None,
) -> None:
    """Make (or find) a document's copy in the other official language, PDF and DOCX, from
    the content the original was rendered from; print the copy's documents.

    Acts as the installation's operator, like the other commands, and is audited
    (`document_copy_requested`). Exit 2 for an unknown document, a language that is not the
    other one, or a document issued before copies could be made.
    """
    environment.configure(quiet_console=True)
    from models.errors import ActionRejected
    from service.authz import document_readers
    from service.users import operator
    from workflows.document_copies import render_other_language_copy

    try:
        copy = render_other_language_copy(document, operator(), document_readers, language=language)
    except ActionRejected as error:
        errors.print(f"[red]no copy made:[/] {error.message}", highlight=False)
        raise typer.Exit(2) from None
    said = "made" if copy.made_now else "existed already"
    console.print(f"document {document} in {copy.language}: {said}", highlight=False)
    for made in copy.documents:  # one line each, tab-separated, for scripts to read
        print(f"{made.id}\t{made.format}\t{made.sha256}\t{made.filename}")


def _sweep_day(value: str | None) -> date | None:
    """``--as-of`` as a date, or a clear refusal (exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.print(
            f"[red]--as-of must be a calendar date written YYYY-MM-DD[/] (e.g. 2027-01-15), "
            f"not {value!r}",
            highlight=False,
        )
        raise typer.Exit(2) from None


@app.command()
def sweep(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="The day to sweep (default: the fund's today, in America/Toronto)",
        ),
    ] = None,
) -> None:
    """Run the daily deadline sweep now, in this process, as one Prefect flow run.

    `serve` (inline mode) or the workers (deployment mode) run it every day on its schedule;
    sweeping a day twice changes nothing.
    """
    day = _sweep_day(as_of)
    environment.configure(quiet_console=True)
    from rich.table import Table

    from workflows.sweep import run_sweep

    try:
        run = asyncio.run(run_sweep(day))
    except Exception as error:  # noqa: BLE001 - the command must end with a clear message
        errors.print(f"[red]sweep failed:[/] {_failure(error)}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    table = Table(title=f"sweep {run.id} of {run.as_of.isoformat()}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, count in run.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(
        f"caught up from {run.caught_up_from}; flow run {run.flow_run_id}", highlight=False
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the installation's database to the newest schema (every process also does this
    when it opens the database)."""
    environment.configure()
    from models.db import Database
    from models.migrations import SchemaError, current_revision, head_revision, upgrade

    db = Database()
    try:
        upgrade(db.engine)
    except SchemaError as error:
        errors.print(f"[red]cannot upgrade:[/] {error}")
        raise typer.Exit(1) from None
    with db.engine.connect() as connection:
        current = current_revision(connection)
    console.print(f"schema at revision {current} (newest {head_revision()})")
    db.dispose()


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the change is")],
) -> None:
    """Write the next migration from the models' changes (review it before committing)."""
    from models.migrations import new_revision

    path = new_revision(message)
    console.print(f"wrote {path}; review it, then run the migration tests")


@users_app.command("create")
def users_create(
    role: Annotated[list[str], typer.Option(help="Role (repeat for several)")],
    name: Annotated[str, typer.Option(help="The person's name")],
    org: Annotated[str | None, typer.Option(help="Organisation id or name (applicants)")] = None,
    elder: Annotated[bool, typer.Option(help="Reviewer is an Elder")] = False,
    survivor_advisor: Annotated[bool, typer.Option(help="Reviewer is a survivor advisor")] = False,
    email: Annotated[
        str | None, typer.Option(help="Address they sign in to the pages with (unique)")
    ] = None,
) -> None:
    """Create a user and print their API token (shown once); give them a password for the pages
    with `grantflow users set-password --email E`."""
    environment.configure()
    from models.errors import ActionRejected
    from service.users import create_user_with_token
    from workflows.runtime import database

    try:
        user, token = create_user_with_token(
            database(),
            name=name,
            roles=role,
            organisation=org,
            is_elder=elder,
            is_survivor_advisor=survivor_advisor,
            email=email,
        )
    except ActionRejected as error:
        errors.print(f"[red]cannot create user:[/] {error.message}")
        raise typer.Exit(2) from None
    errors.print(f"created user {user.id} ({', '.join(user.roles)}); the token is shown once:")
    print(token)


@users_app.command("set-password")
def users_set_password(
    email: Annotated[str, typer.Option(help="The address the user signs in with")],
) -> None:
    """Set the password the user signs in to the pages with, read from standard input (one
    line; at least 12 characters). It is never printed or stored, only its argon2id hash."""
    environment.configure()
    from models.errors import ActionRejected
    from service.users import set_password
    from workflows.runtime import database

    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    password = password[:-1] if password.endswith("\r") else password
    try:
        user = set_password(database(), email, password)
    except ActionRejected as error:
        errors.print(f"[red]cannot set the password:[/] {error.message}")
        raise typer.Exit(2) from None
    errors.print(f"password set for user {user.id}")


@users_app.command("notify-by")
def users_notify_by(
    email: Annotated[str, typer.Option(help="The address the user signs in with")],
    how: Annotated[
        str, typer.Argument(metavar="each|digest", help="A message per item, or one a day")
    ],
) -> None:
    """How a staff member hears of work waiting for them: a message for each item, or one
    daily digest (sent by the daily sweep)."""
    environment.configure()
    from models.errors import ActionRejected
    from service.users import set_notify_by
    from workflows.runtime import database

    try:
        user = set_notify_by(database(), email, how)
    except ActionRejected as error:
        errors.print(f"[red]cannot change how the user is told:[/] {error.message}")
        raise typer.Exit(2) from None
    errors.print(f"user {user.id} is told of waiting work: {user.notify_by}")


@users_app.command("revoke")
def users_revoke(user_id: Annotated[int, typer.Argument(help="The user's id")]) -> None:
    """Revoke a user's token at once."""
    environment.configure()
    from models.errors import ActionRejected
    from service.users import revoke_user
    from workflows.runtime import database

    try:
        revoke_user(database(), user_id)
    except ActionRejected as error:
        errors.print(f"[red]cannot revoke:[/] {error.message}")
        raise typer.Exit(2) from None
    errors.print(f"user {user_id} revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Rebuild the audit tree, check every checkpoint and every stored document's hash."""
    environment.configure()
    from documents.audit.verification import verify
    from workflows.runtime import database, document_store

    result = verify(database(), files=document_store())
    if not result.intact:
        errors.print(f"[red]audit verification failed:[/] {result.failure}")
        raise typer.Exit(1)
    console.print(
        f"audit trail intact: {result.events_checked} events, {result.documents_checked} "
        f"documents, {result.checkpoints_checked} checkpoints checked; root {result.root}"
    )


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Record the audit tree's size and root (a checkpoint row, unless the log has not grown
    since the last one), and print them; export them with `audit checkpoints export`."""
    environment.configure()
    from models.checkpoints import CheckpointRaced, CheckpointRefused, LogBusy, checkpoint
    from workflows.runtime import database

    try:
        head = checkpoint(database())
    except CheckpointRefused as error:
        errors.print(f"[red]checkpoint refused:[/] {error}")
        raise typer.Exit(1) from None
    except (LogBusy, CheckpointRaced) as error:
        errors.print(f"[red]no checkpoint now:[/] {error}")
        raise typer.Exit(1) from None
    console.print(f"checkpoint size={head.size} root={head.root} at={head.made_at}")


@audit_app.command("prove")
def audit_prove(event_id: Annotated[int, typer.Argument(help="The audit event's id")]) -> None:
    """Print an RFC 6962 inclusion proof of one event in the current tree (JSON)."""
    import json

    environment.configure()
    from models.checkpoints import inclusion
    from models.errors import ActionRejected
    from workflows.runtime import database

    try:
        print(json.dumps(inclusion(database(), event_id), indent=2))
    except ActionRejected as error:
        errors.print(f"[red]{error.message}[/]")
        raise typer.Exit(2) from None


@audit_app.command("export")
def audit_export(
    grant: Annotated[str, typer.Option(help="The grant's id (or its reference)")],
    out: Annotated[Path, typer.Option(help="The dossier ZIP to write")],
    checkpoint_first: Annotated[
        bool,
        typer.Option(
            "--checkpoint/--no-checkpoint",
            help="Checkpoint the log first, so every event is proven against a saved checkpoint",
        ),
    ] = True,
) -> None:
    """Write a grant's audit dossier (ZIP): its events with inclusion proofs, its documents,
    a PDF report and a standalone verifier. Exit 1 if the audit log fails verification."""
    environment.configure()
    from documents.audit.dossier import build_dossier, find_grant
    from models.errors import ActionRejected
    from workflows.runtime import database, document_store

    db = database()
    try:
        found = find_grant(db, grant)
    except ActionRejected as error:
        errors.print(f"[red]cannot export:[/] {error.message}")
        raise typer.Exit(2) from None
    if out.is_dir():
        errors.print(f"[red]cannot export:[/] {out} is a directory; give the ZIP file to write")
        raise typer.Exit(2)
    summary = build_dossier(
        db,
        found.id,  # type: ignore[arg-type]
        out.resolve(),
        files=document_store(),
        make_checkpoint=checkpoint_first,
    )
    record_operator_read(
        db, out, kind="dossier", organisation_id=found.organisation_id, grant_id=found.id
    )
    for line in summary.lines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if not summary.intact:
        errors.print("[red]the audit log failed verification;[/] the dossier records the failure")
        raise typer.Exit(1)


def record_operator_read(db, written: Path, **read) -> None:  # type: ignore[no-untyped-def]
    """Record in the access log that the operator took ``written`` away; if that fails, the
    file is removed and the command fails (exit 1): no export leaves unrecorded."""
    from models.access_log import record_read
    from service.users import operator

    reader = operator()
    try:
        record_read(db, reader=reader, role=reader.roles[0], channel="cli", **read)
    except Exception as error:
        written.unlink(missing_ok=True)
        errors.print(
            f"[red]not exported:[/] the access log could not record it ({_failure(error)})"
        )
        raise typer.Exit(1) from None


def main() -> None:
    # Before anything is written: every file and directory this process creates is
    # owner-only, whatever the umask it inherited (environment.configure does so too).
    os.umask(0o077)
    app()


if __name__ == "__main__":
    main()
