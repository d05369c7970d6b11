"""Verification of the whole audit trail, the stored documents' bytes included.

The document files are read only through the document store (``DocumentStore.read``, which
checks each file's bytes against the digest in its key).
"""

from __future__ import annotations

from collections.abc import Callable

from documents.storage import DocumentStore, StorageIntegrityError, configured_store
from models.audit import AlteredDocument, Verification
from models.checkpoints import CheckpointStore, check_log
from models.db import Database
from models.tables import StoredDocument


def installation_files(db: Database) -> DocumentStore:
    """The installation's document store, as configured (``documents.storage.configured_store``)."""
    return configured_store(db)


def stored_bytes(files: DocumentStore) -> Callable[[StoredDocument], bytes | None]:
    """A reader of stored documents' bytes: None when the file is missing; AlteredDocument
    when the store finds its bytes no longer match their digest."""

    def read(document: StoredDocument) -> bytes | None:
        try:
            return files.read(document.storage_key)
        except FileNotFoundError:
            return None
        except StorageIntegrityError as error:
            raise AlteredDocument(str(error)) from error

    return read


def verify(
    db: Database, store: CheckpointStore | None = None, files: DocumentStore | None = None
) -> Verification:
    """Rebuild the audit tree, check it against every checkpoint and every stored document."""
    return check_log(db, stored_bytes(files or installation_files(db)), store)
