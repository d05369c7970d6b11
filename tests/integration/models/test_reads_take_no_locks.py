"""A readiness check takes no locks; taking the action does.

Another transaction holds what a running action holds: on PostgreSQL ``SELECT ... FOR UPDATE``
on the grant's row and on every allocation row of its fund, on SQLite the database's write
lock (BEGIN IMMEDIATE). ``check_action`` (``GET .../actions`` readiness and the service's
pre-check) must answer meanwhile; ``apply_action`` on the same grant must wait for it.

The checking connection waits at most ``WAIT`` for any lock (PostgreSQL ``lock_timeout``,
SQLite ``busy_timeout``), so a check that still takes a lock fails fast with the database's
lock error instead of hanging. Follows ``GRANTFLOW_TEST_DATABASE``: SQLite in the SQLite pass,
PostgreSQL in the PostgreSQL pass (where the row locks are).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from models.db import Database
from models.engine import apply_action, check_action
from models.tables import FundAllocation, Grant
from tests.support.models_support import Prepared, World, prepare

WAIT_MS = 2000


@pytest.fixture(scope="module")
def approval(world: World) -> Prepared:
    """A recommended grant: checking ``approve`` reads the grant and the fund's allocations."""
    return prepare(world, "approve")


@pytest.fixture
def impatient(world: World) -> Iterator[Database]:
    """The same database, through connections that give up on a lock after ``WAIT_MS``."""
    db = Database(world.db.url)

    @event.listens_for(db.engine, "connect")
    def _wait_briefly(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        if db.is_sqlite:
            cursor.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
        else:
            cursor.execute(f"SET lock_timeout = '{WAIT_MS}ms'")
            dbapi_connection.commit()  # a session setting, kept past this transaction
        cursor.close()

    yield db
    db.dispose()


@pytest.fixture
def action_running(world: World, approval: Prepared) -> Iterator[Connection]:
    """A transaction holding the grant's row and its fund's allocation rows, as
    ``apply_action`` does while an action runs (SQLite: the write lock, from BEGIN IMMEDIATE)."""
    with world.db.engine.connect() as connection, connection.begin():
        grant = connection.execute(
            select(Grant).where(Grant.id == approval.grant_id).with_for_update()
        ).one()
        held = connection.execute(
            select(FundAllocation)
            .where(FundAllocation.fund_id == grant.fund_id)
            .order_by(FundAllocation.fiscal_year)  # type: ignore[arg-type]
            .with_for_update()
        ).all()
        assert held, "the fund has allocation rows to lock"
        yield connection


def test_checking_an_action_takes_no_lock_a_running_action_holds(
    impatient: Database, approval: Prepared, action_running: Connection
) -> None:
    check_action(impatient, approval.grant_id, "approve", approval.actor, approval.payload)


def test_taking_an_action_waits_for_the_rows_a_running_action_holds(
    impatient: Database, approval: Prepared, action_running: Connection
) -> None:
    # The other half: the held locks are real, and the changing path still takes them.
    with pytest.raises(OperationalError, match="lock timeout|database is locked"):
        apply_action(impatient, approval.grant_id, "approve", approval.actor, approval.payload)
