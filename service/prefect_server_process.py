"""The process of the installation's Prefect server: ``prefect server start`` as shipped, with
one change where its database is SQLite: every transaction Prefect begins is begun IMMEDIATE.

Prefect begins its SQLite transactions DEFERRED unless it asks for a row lock. A transaction
that reads and then writes (creating a flow run reads before it inserts) cannot take the
write lock once another connection has written since its read: SQLite answers "database is
locked" at once (its busy timeout does not cover that upgrade), the API answers 503, and
Prefect's client waits before trying again. Two demo processes met 128 such answers in 116
flow runs. Begun IMMEDIATE, a transaction takes the write lock before it reads, waiting for it
up to Prefect's busy timeout. Reads Prefect makes outside a transaction are unchanged, and a
server on PostgreSQL is left exactly as shipped.

    python -m service.prefect_server_process --host H --port P
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


def begin_sqlite_transactions_immediately() -> None:
    """Make Prefect's SQLite configuration begin every transaction IMMEDIATE (idempotent)."""
    from prefect.server.database.configurations import AioSqliteConfiguration

    shipped = AioSqliteConfiguration.begin_transaction
    if getattr(shipped, "grantflow_immediate", False):
        return

    @asynccontextmanager
    async def begin_transaction(
        self: AioSqliteConfiguration, session: Any, with_for_update: bool = False
    ) -> AsyncIterator[Any]:
        # with_for_update only picks the BEGIN mode in Prefect's SQLite configuration.
        async with shipped(self, session, with_for_update=True) as transaction:
            yield transaction

    begin_transaction.grantflow_immediate = True  # type: ignore[attr-defined]
    AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]


def main(arguments: list[str]) -> None:
    """``prefect server start ARGUMENTS`` in this process, its SQLite transactions immediate."""
    from workflows.faults import hold_prefect_server_if_asked

    hold_prefect_server_if_asked()
    begin_sqlite_transactions_immediately()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", *arguments]
    app()


if __name__ == "__main__":
    main(sys.argv[1:])
