"""Files kept in the installation's database, so every process on every machine reaches them.

Used when ``GRANTFLOW_DOCUMENT_STORE=database`` (``models.db.document_store_kind``): the
document store's content-addressed files (``documents.storage.DatabaseDocumentStore``, keys
``ab/cd/<sha256>.<ext>``) and the return packages written at close (``models.data_return``,
keys ``returns/<name>``) are rows of ``document_blob``: the key, the SHA-256 and size of the
bytes, and the bytes. A row is never changed; a withdrawn document's row is deleted in the
transaction of the step that withdrew it. Whoever reads a row checks its bytes against its
SHA-256 (the store against the digest in its key).

The table lives here, beside the other tables, because ``models`` owns the schema and its
return packages; the store's protocol and its checks are ``documents.storage``'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Column, LargeBinary, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

if TYPE_CHECKING:
    from models.db import Database

# One read of a stored file asks the database for this many bytes at a time.
BLOB_CHUNK_BYTES = 1024 * 1024


class DocumentBlob(SQLModel, table=True):
    """One stored file's bytes, by key."""

    __tablename__ = "document_blob"
    key: str = Field(primary_key=True, max_length=200)
    sha256: str = Field(max_length=64)
    size_bytes: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BlobMismatch(RuntimeError):
    """A row under the same key holds other bytes than the ones being put."""


def put_blob(session: Session, key: str, data: bytes) -> bool:
    """Add ``data`` under ``key`` in ``session``'s transaction unless a row is there; whether
    one was added. A row already there must hold the same SHA-256 (BlobMismatch otherwise)."""
    digest = hashlib.sha256(data).hexdigest()
    existing = session.get(DocumentBlob, key)
    if existing is not None:
        if existing.sha256 != digest:
            raise BlobMismatch(f"another file is stored under {key}")
        return False
    session.add(DocumentBlob(key=key, sha256=digest, size_bytes=len(data), data=data))
    session.flush()
    return True


def store_blob(db: Database, key: str, data: bytes) -> None:
    """``put_blob`` in its own transaction, idempotent when two writers race on one key."""
    try:
        with db.transaction() as session:
            put_blob(session, key, data)
    except IntegrityError:
        # Another writer committed the same key first: its row must hold the same bytes.
        with db.reading() as session:
            existing = session.get(DocumentBlob, key)
            if existing is None or existing.sha256 != hashlib.sha256(data).hexdigest():
                raise
        return


def blob_digest(session: Session, key: str) -> tuple[str, int] | None:
    """The SHA-256 and size recorded for ``key``, without its bytes; None if none is stored."""
    row = session.exec(
        select(DocumentBlob.sha256, DocumentBlob.size_bytes).where(DocumentBlob.key == key)
    ).first()
    return None if row is None else (row[0], row[1])


def read_blob(session: Session, key: str) -> bytes | None:
    """The bytes stored under ``key`` (unchecked), or None."""
    return session.exec(select(DocumentBlob.data).where(DocumentBlob.key == key)).first()


def blob_chunks(db: Database, key: str, size: int) -> Iterator[bytes]:
    """The ``size`` bytes stored under ``key``, ``BLOB_CHUNK_BYTES`` at a time, each chunk its
    own short read (``substr`` works on SQLite's BLOB and PostgreSQL's bytea alike), so a large
    file is never held whole. A row deleted meanwhile ends the chunks early (the reader's
    digest check then fails)."""
    offset = 0
    while offset < size:
        with db.reading() as session:
            chunk = session.exec(
                select(func.substr(DocumentBlob.data, offset + 1, BLOB_CHUNK_BYTES)).where(
                    DocumentBlob.key == key
                )
            ).first()
        if not chunk:
            return
        yield bytes(chunk)
        offset += len(chunk)


def blob_exists(session: Session, key: str) -> bool:
    return blob_digest(session, key) is not None


def delete_blobs(session: Session, keys: Iterable[str]) -> int:
    """Delete the rows under ``keys`` in ``session``'s transaction; how many there were."""
    keys = list(keys)
    if not keys:
        return 0
    result = session.exec(delete(DocumentBlob).where(DocumentBlob.key.in_(keys)))  # type: ignore[attr-defined, call-overload]
    return int(result.rowcount or 0)
