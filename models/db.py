"""Database engine and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Connection, Engine, any_, bindparam, event
from sqlmodel import Session, create_engine

from models import (  # noqa: F401  (registers the tables on SQLModel.metadata)
    access_log,
    audit_checkpoints,
    blobs,
    data_agreement,
    document_snapshots,
    sign_in,
    tables,
    workers,
)
from models.idle_ping import ping_when_idle


def data_dir() -> Path:
    """The installation's data directory (``GRANTFLOW_DATA_DIR``, default ``./var``); the one
    definition every layer uses."""
    return Path(os.environ.get("GRANTFLOW_DATA_DIR", "./var")).resolve()


def document_dir() -> Path:
    """Where the installation's document store keeps its files (``GRANTFLOW_DOCUMENT_DIR``,
    default ``documents/`` in the data directory)."""
    configured = os.environ.get("GRANTFLOW_DOCUMENT_DIR")
    return Path(configured) if configured else data_dir() / "documents"


DOCUMENT_STORE_KINDS = ("local", "database")


def document_store_kind() -> str:
    """Where documents' bytes live (``GRANTFLOW_DOCUMENT_STORE``): ``local``, the folder
    ``document_dir()`` (the embedded default), or ``database``, grantflow's own database, which
    every process on every machine reaches. ValueError for anything else."""
    kind = os.environ.get("GRANTFLOW_DOCUMENT_STORE", "").strip().lower() or "local"
    if kind not in DOCUMENT_STORE_KINDS:
        raise ValueError(
            f"GRANTFLOW_DOCUMENT_STORE must be one of {', '.join(DOCUMENT_STORE_KINDS)}, "
            f"not {kind!r}"
        )
    return kind


def default_database_url() -> str:
    configured = os.environ.get("GRANTFLOW_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'grantflow.db'}"


def _use_write_ahead_log(cursor, patience_seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Put the database in WAL mode, once: the mode is stored in the file, so later connections
    only read it.

    Switching needs SQLite's exclusive lock, and SQLite answers "database is locked" at once,
    without its busy handler, while another process holds a lock (a CLI creating the schema
    while ``serve`` starts, say). The switch is tried again until it succeeds or
    ``patience_seconds`` pass.
    """
    deadline = time.monotonic() + patience_seconds
    delay = 0.01
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    """Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE).

    pysqlite's default deferred BEGIN lets two transactions read the same balance and both
    write, the second failing late or, with check-then-write code, double-counting. Taking the
    lock up front serialises writers; ``busy_timeout`` makes the second one wait, not fail.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        _use_write_ahead_log(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        read_only = connection.get_execution_options().get("grantflow_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class ReadingWrites(RuntimeError):
    """A statement that writes, sent through a read-only session (``Database.reading``)."""


WRITING_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER"})


def _refuse_writes_when_reading(engine: Engine) -> None:
    """A reading session's connection refuses to send a statement that writes. (On PostgreSQL a
    reading session autocommits: a write there would stay written, where a transaction's would
    have been rolled back when the session closed.)"""

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(connection, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not connection.get_execution_options().get("grantflow_read_only", False):
            return
        words = statement.lstrip(" \t\r\n(").split(None, 1)
        if words and words[0].upper() in WRITING_STATEMENTS:
            raise ReadingWrites(f"a reading session may not write: {statement[:80]!r}")


def _private_sqlite_file(path: str) -> None:
    """Create the SQLite file owner-only (0600) before SQLite opens it, whatever the umask.

    SQLite gives the -wal, -shm and -journal files the database file's permissions, so they
    are owner-only too. An existing file is tightened.
    """
    if not path or path == ":memory:":
        return
    database = Path(path)
    if not database.parent.is_dir():
        database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(database.parent, 0o700)
    try:
        if database.exists():
            # chmod only: opening and closing the file here would drop the POSIX locks this
            # process's open SQLite connections hold on it (another process would then think
            # it the last user and delete the WAL under them).
            os.chmod(database, 0o600)
        else:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # not ours, not writable, or just created by another: SQLite will say what is wrong


class Database:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        if self.url.startswith("sqlite:///"):
            _private_sqlite_file(self.url.removeprefix("sqlite:///").split("?", 1)[0])
            self.engine = create_engine(self.url, connect_args={"timeout": 30})
            _make_sqlite_transactions_immediate(self.engine)
        else:
            self.engine = create_engine(self.url, pool_use_lifo=True)
            ping_when_idle(self.engine)
        _refuse_writes_when_reading(self.engine)
        # What reading sessions are bound to: the engine, read-only (and autocommitting on
        # PostgreSQL: ``reading``).
        self.reading_bind: Engine | Connection = self.engine.execution_options(
            grantflow_read_only=True,
            **({} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_schema(self) -> None:
        """Bring the database to the newest schema through its migrations (Alembic)."""
        from models.migrations import upgrade

        upgrade(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session: it writes nothing (a write statement raises ``ReadingWrites``,
        and nothing is flushed on its own). On SQLite it does not take the write lock; on
        PostgreSQL each statement runs alone (autocommit), under the same read-committed
        isolation as a transaction's statements: no BEGIN and no ROLLBACK, two round trips
        fewer a session."""
        with Session(self.reading_bind, expire_on_commit=False, autoflush=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values`` as ``session``'s database runs it fastest: one array parameter on
    PostgreSQL (``column = ANY(:values)``), where an IN list has a parameter, and a cast
    rendered into the statement, for each value at every execution (a page of 50 grants read
    its four related tables that way); an IN list on SQLite, which has no arrays. Either way
    the statement's cached form does not depend on how many values there are."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
