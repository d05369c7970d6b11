"""Alembic's environment: grantflow runs migrations on a connection it already holds."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from models import (  # noqa: F401  (registers every table)
    access_log,
    document_snapshots,
    sign_in,
    tables,
    workers,
)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("grantflow's migrations run through models.migrations.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
