"""Which database the tests' grantflow installations use: one switch for every test.

``GRANTFLOW_TEST_DATABASE=sqlite`` (the default) gives each installation a SQLite file in its
directory; ``GRANTFLOW_TEST_DATABASE=postgresql`` gives it a fresh schema on the machine's
PostgreSQL (``tests.support.postgres``), dropped afterwards. ``scripts/test.sh`` runs the whole
suite on SQLite, then the integration tier again on PostgreSQL.

Tests that make a database ask here (``database_url``, ``kept_database_url``,
``copied_database``, or ``tests.support.models_support.new_database`` and the ``installation``
fixture, which do). In the PostgreSQL pass an integration test that makes a SQLite database
anyway fails (tests/conftest.py), unless it carries the ``both_databases`` marker: such tests
are parametrized over both databases themselves and are left out of the PostgreSQL pass.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import BASE_URL, postgres_schema

BACKENDS = ("sqlite", "postgresql")


def backend() -> str:
    value = os.environ.get("GRANTFLOW_TEST_DATABASE", "").strip().lower() or "sqlite"
    if value not in BACKENDS:
        raise pytest.UsageError(
            f"GRANTFLOW_TEST_DATABASE must be one of {', '.join(BACKENDS)}, not {value!r}"
        )
    return value


def on_postgresql() -> bool:
    return backend() == "postgresql"


def describe() -> str:
    """One line for pytest's header: which database installations get."""
    if not on_postgresql():
        return "grantflow test database: sqlite (GRANTFLOW_TEST_DATABASE=postgresql for the other)"
    return f"grantflow test database: postgresql, a fresh schema per installation on {BASE_URL}"


@contextmanager
def database_url(directory: Path, name: str = "grantflow.db") -> Iterator[str]:
    """The URL of a new, empty database for an installation kept in ``directory``: a SQLite
    file there, or a PostgreSQL schema that is dropped when the block ends."""
    if on_postgresql():
        with postgres_schema() as url:
            yield url
    else:
        yield f"sqlite:///{directory / name}"


def use_installation(patch: Any, root: Path, url: str) -> Any:
    """Make the installation kept in ``root``, its database at ``url``, the one the workflows
    find (the environment they read, set through the ``MonkeyPatch`` ``patch``); return its
    ``Database``. Whoever calls this disposes of ``workflows.runtime.database()`` and calls
    ``reset_caches()`` when done."""
    from workflows.runtime import database, reset_caches

    patch.setenv("GRANTFLOW_DATABASE_URL", url)
    patch.setenv("GRANTFLOW_DOCUMENT_DIR", str(root / "documents"))
    reset_caches()
    return database()


# Databases made by helpers that return them (``new_database``) live until the session ends;
# their engines are disposed and their schemas dropped then.
_kept = ExitStack()


def keep(callback, *args: Any) -> None:  # type: ignore[no-untyped-def]
    """Run ``callback(*args)`` when the session ends (before the kept schemas are dropped)."""
    _kept.callback(callback, *args)


def kept(context: AbstractContextManager[str]) -> str:
    """Enter ``context`` (``database_url``, ``copied_database``) until the session ends."""
    return _kept.enter_context(context)


def kept_database_url(directory: Path, name: str = "grantflow.db") -> str:
    return kept(database_url(directory, name))


def close_kept() -> None:
    _kept.close()


# --------------------------------------------------------------------------- copies


@contextmanager
def copied_database(source: str, directory: Path, name: str = "grantflow.db") -> Iterator[str]:
    """The URL of a new database holding a copy of the database at URL ``source``: every row,
    the sequences and the append-only triggers (dropped like ``database_url``'s)."""
    if not on_postgresql():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        original = sqlite3.connect(source.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        try:
            original.backup(copy)
        finally:
            copy.close()
            original.close()
        yield f"sqlite:///{target}"
        return
    from sqlmodel import SQLModel

    from models.db import Database

    with postgres_schema() as url:
        clone = Database(url)
        clone.create_schema()
        source_schema = _schema_of(source)
        with clone.engine.begin() as connection:
            for table in SQLModel.metadata.sorted_tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                connection.exec_driver_sql(
                    f'INSERT INTO "{table.name}" ({columns}) '
                    f'SELECT {columns} FROM "{source_schema}"."{table.name}"'
                )
            serials = connection.exec_driver_sql(
                "SELECT table_name, column_name, "
                "pg_get_serial_sequence(quote_ident(table_name), column_name) "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
            ).all()
            for table_name, column_name, sequence in serials:
                connection.exec_driver_sql(
                    f"SELECT setval('{sequence}', COALESCE(MAX(\"{column_name}\"), 0) + 1, false) "
                    f'FROM "{table_name}"'
                )
        clone.dispose()
        yield url


def _schema_of(url: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- forgery


def forge(db: Any, *statements: str, params: Mapping[str, Any] | None = None) -> None:
    """Run SQL on ``db``'s database the way someone with direct access would: the append-only
    triggers dropped first, the statements committed together. Parameters are ``:name``."""
    if db.url.startswith("sqlite:///"):
        connection = sqlite3.connect(db.url.removeprefix("sqlite:///"))
        try:
            connection.execute("DROP TRIGGER IF EXISTS auditevent_no_update")
            connection.execute("DROP TRIGGER IF EXISTS auditevent_no_delete")
            for statement in statements:
                connection.execute(statement, dict(params or {}))
            connection.commit()
        finally:
            connection.close()
        return
    from sqlalchemy import text

    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS auditevent_append_only ON auditevent")
        for statement in statements:
            connection.execute(text(statement), dict(params or {}))


def table_rows(db: Any) -> dict[str, list[tuple]]:
    """Every row of every table in primary-key order, JSON values as canonical text (SQLite
    hands JSON columns back as text to raw SQL, PostgreSQL as dicts and lists)."""
    import json

    from sqlmodel import SQLModel

    def plain(value: Any) -> Any:
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    with db.reading() as session:
        connection = session.connection()
        return {
            table.name: [
                tuple(map(plain, row))
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


# --------------------------------------------------------------------------- both databases


@contextmanager
def seeded_database(kind: str, directory: Path) -> Iterator[tuple[Any, Any]]:
    """A new database on ``kind`` (``"sqlite"``: a file in ``directory``; ``"postgresql"``: a
    fresh schema), its schema made and the fictional cast seeded: the ``Database`` and the
    cast, for tests parametrized over both databases themselves (``both_databases``). The
    engine is disposed, and the schema dropped, when the block ends."""
    from models import fictional
    from models.db import Database

    with ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{directory / 'grantflow.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        database = Database(url)
        stack.callback(database.dispose)
        database.create_schema()
        yield database, fictional.seed(database)
