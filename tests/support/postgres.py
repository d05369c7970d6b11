"""A throwaway schema on the machine's PostgreSQL (127.0.0.1:5432, trust auth, database test).

Outside CI an unreachable server skips the test with the reason; in CI (CI=true) it fails,
so a green run never hides that PostgreSQL was not exercised.

The sessions run in a time zone that is not UTC (``SESSION_TIME_ZONE``), as on a server set up
with its local time zone: a test server in UTC would hide times stored shifted by the offset.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

BASE_URL = os.environ.get(
    "GRANTFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# UTC-3:30 (UTC-2:30 in summer): a half-hour offset, so no whole-hour coincidence hides a shift.
SESSION_TIME_ZONE = "America/St_Johns"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """Yield a database URL whose search_path is a fresh schema, dropped afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    admin = create_engine(BASE_URL)
    schema = f"gf_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except OperationalError as error:
        reason = f"PostgreSQL is not reachable at {BASE_URL}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        # No connection kept while the schema lives: a session's kept schemas each held one
        # idle here, and with the tests' own they ran PostgreSQL out of its 100 connections.
        admin.dispose()
    try:
        yield (
            f"{BASE_URL}?options=-csearch_path%3D{schema}%20-ctimezone%3D{SESSION_TIME_ZONE}"
            f"&application_name={schema}"
        )
    finally:
        with admin.begin() as connection:
            # Every connection made to this schema ends with it: an engine a test left
            # undisposed would otherwise keep its pooled connections until its process ends
            # (a pass's xdist workers ran PostgreSQL out of its 100 connections), and a
            # transaction a failed test left open would hold the DROP up for good.
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE application_name = '{schema}' AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()
