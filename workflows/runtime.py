"""Where the workflows find the installation: its database and its document store.

Both come from configuration (``GRANTFLOW_DATABASE_URL``; ``GRANTFLOW_DOCUMENT_STORE``, and for
the local store ``GRANTFLOW_DOCUMENT_DIR`` or ``GRANTFLOW_DATA_DIR``), so a flow run by a worker
on another machine finds the same installation as the service that asked (with the local store,
only if that folder is shared; with ``database``, always).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from models.db import Database, default_database_url, document_dir, document_store_kind

if TYPE_CHECKING:
    from documents import DocumentStore, LocalDocumentStore


# The database ``database`` answered last, by its URL: found again without a call that could
# open one (``opened_database``).
_last_opened: dict[str, Database] = {}


@lru_cache(maxsize=8)
def _database(url: str) -> Database:
    db = Database(url)
    db.create_schema()
    return db


def database() -> Database:
    url = default_database_url()
    db = _database(url)
    if _last_opened.get(url) is not db:
        _last_opened.clear()
        _last_opened[url] = db
    return db


def opened_database() -> Database | None:
    """The configured database if this process opened it already (no I/O), else None."""
    return _last_opened.get(default_database_url())


@lru_cache(maxsize=8)
def _store(root: str) -> LocalDocumentStore:
    from documents import LocalDocumentStore  # lazily: serve's /healthz needs only database()

    return LocalDocumentStore(Path(root))


@lru_cache(maxsize=8)
def _checked(kind: str, url: str) -> None:
    from documents.storage import check_store_matches  # lazily, as in _store

    check_store_matches(_database(url), kind)


def document_store() -> DocumentStore:
    """The configured store (``documents.storage.configured_store``), one per place; the
    first use in a process checks that it is where the installation keeps its documents
    (``documents.storage.check_store_matches``: StoreMismatch otherwise)."""
    kind = document_store_kind()
    _checked(kind, default_database_url())
    if kind == "database":
        from documents import DatabaseDocumentStore  # lazily, as in _store

        return DatabaseDocumentStore(database())
    return _store(str(document_dir()))


def reset_caches() -> None:
    """Forget cached handles (tests point the installation somewhere else)."""
    _database.cache_clear()
    _last_opened.clear()
    _store.cache_clear()
    _checked.cache_clear()
