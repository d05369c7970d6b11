"""A pooled PostgreSQL connection is pinged before use only after lying idle
(``models.idle_ping``): a warm one costs no extra round trip, a dead one found after a pause is
replaced before any statement fails, and the pool hands out the connection returned last."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from models import idle_ping
from models.db import Database
from tests.support.postgres import BASE_URL, postgres_schema

pytestmark = pytest.mark.both_databases  # PostgreSQL whichever pass runs it

# The idle threshold each test runs with, so that a busy machine's pauses cannot decide them:
# a short one where a connection must count as idle, a long one where it must not.
SHORT_IDLE, LONG_IDLE = 0.2, 600.0
PAST_IDLE = SHORT_IDLE + 0.3


@pytest.fixture
def idle_after(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def set_threshold(seconds: float) -> None:
        monkeypatch.setattr(idle_ping, "IDLE_BEFORE_PING", seconds)

    return set_threshold


@pytest.fixture
def db() -> Iterator[Database]:
    with postgres_schema() as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture
def pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pings the engine's dialect sends, counted (each still sent to the server)."""
    sent: list[int] = []
    real_ping = db.engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        sent.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return sent


def backend_pid(db: Database) -> int:
    with db.reading() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(pid: int) -> None:
    admin = create_engine(BASE_URL)
    try:
        with admin.begin() as connection:
            assert connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar_one()
    finally:
        admin.dispose()
    time.sleep(0.1)  # the backend is gone once its socket closes


def test_sessions_one_after_another_reuse_a_warm_connection_without_a_ping(
    db: Database, pings: list[int], idle_after
) -> None:
    idle_after(LONG_IDLE)
    first = backend_pid(db)
    for _ in range(5):
        assert backend_pid(db) == first
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
    assert pings == []


def test_a_connection_idle_past_the_threshold_is_pinged_first(
    db: Database, pings: list[int], idle_after
) -> None:
    idle_after(SHORT_IDLE)
    first = backend_pid(db)
    time.sleep(PAST_IDLE)
    assert backend_pid(db) == first
    assert pings == [1]


def test_a_dead_connection_found_after_a_pause_is_replaced_before_any_statement_fails(
    db: Database, pings: list[int], idle_after
) -> None:
    idle_after(SHORT_IDLE)
    dead = backend_pid(db)
    terminate(dead)
    time.sleep(PAST_IDLE)
    with db.transaction() as session:  # a writing session: no statement of it fails
        replacement = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert replacement != dead
    assert pings == [1]


def test_a_connection_killed_within_the_idle_window_fails_its_statement_once(
    db: Database, idle_after
) -> None:
    """The window the saved round trip costs: a database gone within a second of the
    connection's last use fails the next statement (as it would have a moment later), and
    the pool, invalidated by it, gives the next session a new connection."""
    idle_after(LONG_IDLE)
    dead = backend_pid(db)
    terminate(dead)
    with pytest.raises(OperationalError), db.reading() as session:
        session.execute(text("SELECT 1"))
    assert backend_pid(db) != dead


def test_the_pool_hands_out_the_connection_returned_last(db: Database) -> None:
    with db.reading() as one, db.reading() as two:
        first = one.execute(text("SELECT pg_backend_pid()")).scalar_one()
        second = two.execute(text("SELECT pg_backend_pid()")).scalar_one()
        one.close()  # returned first; ``two`` closes after it
    assert first != second
    assert backend_pid(db) == second
