"""Copy an installation's local document files into its database store
(``grantflow documents migrate-store --to database``).

Every stored document still served (not withdrawn) is read from the local store, verified
against its key's SHA-256, put in the database store and read back verified; the return
packages written at close (``returns/`` beside the documents, ``models.data_return``) are
copied as rows under their names. Copying again copies nothing new (both stores are keyed by
content, a row is never changed). The local files are left where they are: removing them is the
operator's decision, once the installation runs with ``GRANTFLOW_DOCUMENT_STORE=database``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from documents.storage import DatabaseDocumentStore, LocalDocumentStore
from models.blobs import BlobMismatch, read_blob, store_blob
from models.data_return import RETURNS_DIRECTORY
from models.db import Database
from models.tables import StoredDocument


@dataclass
class StoreMigration:
    copied: int = 0
    already_there: int = 0
    return_packages: int = 0
    missing: list[str] = field(default_factory=list)  # keys with no local file

    def as_dict(self) -> dict[str, object]:
        return {
            "copied": self.copied,
            "already_there": self.already_there,
            "return_packages": self.return_packages,
            "missing": len(self.missing),
        }


def migrate_to_database(db: Database, source: LocalDocumentStore) -> StoreMigration:
    """Copy ``source``'s served documents and return packages into ``db`` (see above).
    StorageIntegrityError when a local file no longer matches its key (nothing of it copied);
    FileNotFoundError is not raised: a missing file is counted in ``missing``."""
    target = DatabaseDocumentStore(db)
    outcome = StoreMigration()
    with db.reading() as session:
        keys = sorted(
            set(
                session.exec(
                    select(StoredDocument.storage_key).where(
                        StoredDocument.withdrawn_at.is_(None)  # type: ignore[union-attr]
                    )
                ).all()
            )
        )
    for key in keys:
        if target.exists(key):
            target.read(key)  # verified: a row that does not match its key is an error
            outcome.already_there += 1
            continue
        try:
            data = source.read(key)
        except FileNotFoundError:
            outcome.missing.append(key)
            continue
        stored = target.put(data, key.rsplit(".", 1)[1])
        if stored.key != key:
            raise ValueError(f"{key} was stored under another key, {stored.key}")
        target.read(key)
        outcome.copied += 1
    outcome.return_packages = _copy_return_packages(db, source.root / RETURNS_DIRECTORY)
    return outcome


def _copy_return_packages(db: Database, directory: Path) -> int:
    copied = 0
    if not directory.is_dir():
        return 0
    for path in sorted(directory.glob("*.json")):
        name = f"{RETURNS_DIRECTORY}/{path.name}"
        data = path.read_bytes()
        try:
            store_blob(db, name, data)
        except BlobMismatch as error:
            raise ValueError(f"{name} is already stored with other bytes") from error
        with db.reading() as session:
            stored = read_blob(session, name)
        if stored is None or bytes(stored) != data:
            raise ValueError(f"{name} did not read back as written")
        copied += 1
    return copied
