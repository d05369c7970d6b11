"""Where the workflows find the installation: its database and its document store.

Both come from configuration (``GRANTFLOW_DATABASE_URL``, ``GRANTFLOW_DATA_DIR``), so a flow
run by a worker on another machine finds the same installation as the service that asked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from documents import DocumentStore, LocalDocumentStore
from models.db import Database, default_database_url, document_dir


@lru_cache(maxsize=8)
def _database(url: str) -> Database:
    db = Database(url)
    db.create_schema()
    return db


def database() -> Database:
    return _database(default_database_url())


@lru_cache(maxsize=8)
def _store(root: str) -> LocalDocumentStore:
    return LocalDocumentStore(Path(root))


def document_store() -> DocumentStore:
    return _store(str(document_dir()))


def reset_caches() -> None:
    """Forget cached handles (tests point the installation somewhere else)."""
    _database.cache_clear()
    _store.cache_clear()
