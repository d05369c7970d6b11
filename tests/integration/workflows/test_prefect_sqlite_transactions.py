"""Prefect's SQLite transactions begun IMMEDIATE (workflows.prefect_adapter, for the server).

On Prefect's own SQLite configuration (a real aiosqlite engine on a file): a transaction that
reads, then sees another connection write and commit, then writes itself. Begun DEFERRED (as
shipped) its write fails at once with "database is locked", which Prefect's API answers 503;
begun IMMEDIATE the other writer waits for it and both writes land.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from prefect.server.database.configurations import AioSqliteConfiguration

from workflows.prefect_adapter import begin_sqlite_transactions_immediately


async def _read_then_write_while_another_writes(database: Path) -> list[str]:
    """T1 reads, T2 writes and commits meanwhile (or waits, if T1 holds the write lock), T1
    writes and commits; the rows written, in commit order."""
    config = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{database}", timeout=10)
    engine = await config.engine()
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("CREATE TABLE run (name TEXT)"))
        first = await config.session(engine)
        second = await config.session(engine)
        async with first, second:
            async with config.begin_transaction(first):
                await first.execute(sa.text("SELECT count(*) FROM run"))

                async def other_writer() -> None:
                    async with config.begin_transaction(second):
                        await second.execute(sa.text("INSERT INTO run VALUES ('second')"))

                writer = asyncio.ensure_future(other_writer())
                await asyncio.sleep(0.5)  # it commits now, or waits for the lock
                await first.execute(sa.text("INSERT INTO run VALUES ('first')"))
            await writer
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT name FROM run ORDER BY rowid"))
            return [name for (name,) in rows]
    finally:
        await engine.dispose()


def test_as_shipped_a_read_then_write_transaction_is_refused_when_another_wrote(tmp_path):
    with pytest.raises(sa.exc.OperationalError, match="database is locked"):
        asyncio.run(_read_then_write_while_another_writes(tmp_path / "prefect.db"))


def test_begun_immediately_the_other_writer_waits_and_both_writes_land(tmp_path, monkeypatch):
    # restored when the test ends: other tests in this process see Prefect as shipped
    monkeypatch.setattr(
        AioSqliteConfiguration, "begin_transaction", AioSqliteConfiguration.begin_transaction
    )
    begin_sqlite_transactions_immediately()
    patched = AioSqliteConfiguration.begin_transaction
    begin_sqlite_transactions_immediately()  # idempotent: not wrapped twice
    assert AioSqliteConfiguration.begin_transaction is patched
    assert asyncio.run(_read_then_write_while_another_writes(tmp_path / "prefect.db")) == [
        "first",
        "second",
    ]
