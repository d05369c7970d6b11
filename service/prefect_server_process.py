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


def main(arguments: list[str]) -> None:
    """``prefect server start ARGUMENTS`` in this process, its SQLite transactions immediate
    (the calls into Prefect's server and CLI are ``workflows.prefect_adapter``'s)."""
    from workflows.faults import hold_prefect_server_if_asked

    hold_prefect_server_if_asked()
    from workflows.prefect_adapter import begin_sqlite_transactions_immediately, run_prefect_cli

    begin_sqlite_transactions_immediately()
    run_prefect_cli(["server", "start", *arguments])


if __name__ == "__main__":
    main(sys.argv[1:])
