"""Session set-up shared by every tier.

The environment is fixed before anything imports Prefect: tests never touch the developer's
``~/.prefect`` or ``./var``. Prefect itself starts once per session (``prefect_test_harness``),
and only for the tests that ask for it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SESSION_DIR = Path(tempfile.mkdtemp(prefix="grantflow-tests-"))
os.environ["GRANTFLOW_DATA_DIR"] = str(SESSION_DIR / "var")
os.environ["PREFECT_HOME"] = str(SESSION_DIR / "prefect-home")
os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "WARNING"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
# The Prefect servers of the tests run as those grantflow starts (service.environment).
os.environ["PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED"] = "false"
os.environ["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("GRANTFLOW_DATABASE_URL", None)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def pytest_configure(config: pytest.Config) -> None:
    from tests.support.databases import backend

    backend()  # a GRANTFLOW_TEST_DATABASE it does not know stops the run here, saying so


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files holding a slow test first, each file's tests kept together, everything else in
    collection order. ``scripts/test.sh`` hands whole files to its workers in this order
    (``--dist loadfile --no-loadscope-reorder``): the long files start first and the many
    short ones fill the end of a pass. xdist's own order (files with the most tests first)
    leaves the one-test long files (the scale-out, the input probe, schemathesis: 3-4 minutes
    each on a slow machine) to the last minutes, where one of them started alone would keep
    its worker busy while the other has nothing left; in the run measured on 2026-12-03 they
    happened to end together (19 s apart)."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_report_header(config: pytest.Config) -> str:
    from tests.support.databases import describe

    return describe()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.support.databases import close_kept

    close_kept()


# What ``service.environment.configure`` sets in the process environment.
CONFIGURED_BY_COMMANDS = (
    "PREFECT_API_AUTH_STRING",
    "PREFECT_SERVER_API_AUTH_STRING",
    "PREFECT_API_URL",
    "GRANTFLOW_DATA_DIR",
    "PREFECT_HOME",
)


@pytest.fixture(autouse=True)
def commands_run_in_process_leave_no_trace(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A command run in-process (typer's CliRunner) calls ``environment.configure``, which sets
    the process umask and Prefect's credential variables for good; undone after each test so a
    Prefect server a later test starts does not demand a credential its client never got.

    Restored by hand: ``monkeypatch.delenv`` of a variable that is not set records nothing, so
    a value the command set during the test would outlive it (and a Prefect server started
    later in the process would require that credential, answering 401 to every subprocess).
    """
    saved = {name: os.environ.get(name) for name in CONFIGURED_BY_COMMANDS}
    for name in ("PREFECT_API_AUTH_STRING", "PREFECT_SERVER_API_AUTH_STRING"):
        os.environ.pop(name, None)
    umask = os.umask(0o022)
    os.umask(umask)
    yield
    os.umask(umask)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_running: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _running[:] = [item]
    try:
        return (yield)
    finally:
        _running.clear()


@pytest.fixture(scope="session", autouse=True)
def integration_databases_follow_the_switch() -> Iterator[None]:
    """In the PostgreSQL pass, an integration test that makes a SQLite grantflow database fails
    (unless it is marked ``both_databases``): it would pass without exercising PostgreSQL."""
    from tests.support.databases import on_postgresql

    if not on_postgresql():
        yield
        return
    from models.db import Database, default_database_url

    original = Database.__init__

    def checked(self: Database, url: str | None = None, *args: Any, **kwargs: Any) -> None:
        chosen = url or default_database_url()
        test = _running[0] if _running else None
        if (
            chosen.startswith("sqlite")
            and test is not None
            and test.nodeid.startswith("tests/integration/")
            and test.get_closest_marker("both_databases") is None
        ):
            raise AssertionError(
                f"{test.nodeid} made a SQLite database ({chosen}) in the PostgreSQL pass: make "
                "it with tests.support.databases (database_url, new_database or the "
                "installation fixture), or mark the test both_databases"
            )
        original(self, url, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Database, "__init__", checked)
        yield


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh grantflow installation (database, document store) for one test: a SQLite file,
    or a PostgreSQL schema under GRANTFLOW_TEST_DATABASE=postgresql (tests.support.databases)."""
    from tests.support.databases import database_url, use_installation
    from workflows.runtime import database, reset_caches

    with database_url(tmp_path) as url:
        yield use_installation(monkeypatch, tmp_path, url)
        database().dispose()
        reset_caches()


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server on a free 127.0.0.1 port for one test (no login, no TLS), stopped
    at teardown: a ``tests.support.smtp_server.LoopbackSmtpServer`` (``url``, ``messages``,
    ``received``, ``fail_next_data``, ``stop``/``start`` on the same port)."""
    from tests.support.smtp_server import LoopbackSmtpServer

    server = LoopbackSmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class ClosedGrant:
    """An installation (files in ``root``, database at ``url``) with one English grant taken
    from application to ``closed`` by real flow runs (``outcomes``), then refused an
    ``approve`` (a failed flow run and a denied audit event)."""

    root: Path
    url: str
    cast: Any
    grant: Any
    outcomes: list[Any]


@pytest.fixture(scope="session")
def closed_grant(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness
) -> Iterator[ClosedGrant]:
    """Built once per session: driving a grant through every flow takes about half a minute, and
    both tests/integration/workflows and tests/integration/audit/test_dossier.py examine one.
    Users make it current with ``tests.support.databases.use_installation``, leave its rows as
    they found them and change only copies (``copied_database``)."""
    import asyncio

    from models import fictional
    from models.errors import WrongState
    from models.fictional.script import actor, steps
    from models.provisioning import create_application
    from tests.support.databases import database_url, use_installation
    from workflows.actions import run_action_inline
    from workflows.runtime import reset_caches

    root = tmp_path_factory.mktemp("closed-grant")
    with database_url(root) as url:
        with pytest.MonkeyPatch.context() as patch:
            db = use_installation(patch, root, url)
            cast = fictional.seed(db)
            organisation, application = fictional.application_for(0, cast)
            grant = create_application(db, organisation.id, application)
            outcomes = [
                asyncio.run(
                    run_action_inline(grant.id, grant.reference, action, who, payload, now=at)
                )
                for action, who, payload, at in steps(db, cast, grant.id)
            ]
            assert outcomes[-1].grant_state == "closed"
            with pytest.raises(WrongState):
                asyncio.run(
                    run_action_inline(
                        grant.id,
                        grant.reference,
                        "approve",
                        actor(cast.approver),
                        {"approved_cents": 100, "risk_rating": "low"},
                    )
                )
            db.dispose()
            reset_caches()
        yield ClosedGrant(root, url, cast, grant, outcomes)
