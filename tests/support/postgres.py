"""A throwaway schema on the machine's PostgreSQL (127.0.0.1:5432, trust auth, database test).

Outside CI an unreachable server skips the test with the reason; in CI (CI=true) it fails,
so a green run never hides that PostgreSQL was not exercised.
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
        admin.dispose()
        reason = f"PostgreSQL is not reachable at {BASE_URL}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield f"{BASE_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()
