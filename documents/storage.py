"""Content-addressed document files: a file's name is the SHA-256 of its bytes.

Files are never overwritten. Putting bytes that are already stored changes nothing and
returns the same StoredFile, so a retried task stores a document once. Two backends implement
the protocol, which hands out bytes, never a local path: ``LocalDocumentStore``, files in a
folder (the embedded default), and ``DatabaseDocumentStore``, rows of grantflow's own database
(``models.blobs``), which every process on every machine reaches; ``configured_store`` gives
the one ``GRANTFLOW_DOCUMENT_STORE`` names.

Every read is checked against the SHA-256 its key names. ``read`` checks before it returns.
``stream`` checks as its chunks go and holds each chunk back until the next one is read, so
a mismatch, which only shows once the last byte is in, raises StorageIntegrityError in place
of the last chunk: a consumer never receives the whole of a file that does not match. What it
received before the error is not the stored document; it must discard it (``copy_to_file``
does). A consumer that must decide before it hands anything on (an HTTP download, whose status
goes out before its body) uses ``read``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlmodel import select

from models.blobs import (
    BlobMismatch,
    DocumentBlob,
    blob_chunks,
    blob_digest,
    read_blob,
    store_blob,
)
from models.db import Database, document_dir, document_store_kind
from models.tables import StoredDocument

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")
_KEY = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\.([a-z0-9]{1,10})$")
CHUNK_BYTES = 64 * 1024


class StorageIntegrityError(RuntimeError):
    """A stored file's bytes no longer match the digest in its name."""


@dataclass(frozen=True)
class StoredFile:
    key: str  # "ab/cd/<sha256>.<extension>", relative to the store's root
    sha256: str
    size_bytes: int
    extension: str


@runtime_checkable
class DocumentStore(Protocol):
    """Where documents' bytes live, by content key. Every method refuses a malformed key with
    ValueError; ``read`` and ``stream`` raise FileNotFoundError for a key never stored."""

    def put(self, data: bytes, extension: str) -> StoredFile:
        """Store ``data`` under its content key (idempotent: the same bytes, the same key)."""
        ...

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key``, verified; StorageIntegrityError if they differ."""
        ...

    def stream(self, key: str) -> Iterator[bytes]:
        """The bytes stored under ``key`` in chunks, verified as they go: on a mismatch the
        last chunk is withheld and StorageIntegrityError raised in its place."""
        ...

    def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""
        ...


# Stored documents are personal and never change: readable by their owner only, writable by
# no one (the store never overwrites). Directories are owner-only whatever the umask.
STORED_FILE_MODE = 0o400
DIRECTORY_MODE = 0o700


def _private_directories(root: Path, directory: Path) -> None:
    """Create ``directory`` (under ``root``) and any missing level between them, owner-only."""
    for level in [*reversed(directory.relative_to(root).parents), directory.relative_to(root)]:
        path = root / level
        if not path.is_dir():
            path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
            os.chmod(path, DIRECTORY_MODE)  # mkdir's mode is masked by the umask


def content_key(sha256: str, extension: str) -> str:
    """The storage key of bytes with digest ``sha256``."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def normalised_extension(extension: str) -> str:
    """``extension`` lower-case without its dot (".PDF" -> "pdf"); ValueError if unusable."""
    normalised = extension.lower().lstrip(".")
    if not _EXTENSION.match(normalised):
        raise ValueError(f"invalid extension: {normalised!r}")
    return normalised


def digest_of_key(key: str) -> str:
    """The SHA-256 a well-formed key names; ValueError for anything else (e.g. ``../``)."""
    match = _KEY.match(key)
    if (
        match is None
        or match.group(3)[:2] != match.group(1)
        or match.group(3)[2:4] != match.group(2)
    ):
        raise ValueError(f"not a document store key: {key!r}")
    return match.group(3)


def verified(data: bytes, key: str) -> bytes:
    """``data`` if its SHA-256 is the one ``key`` names; StorageIntegrityError otherwise."""
    if hashlib.sha256(data).hexdigest() != digest_of_key(key):
        raise StorageIntegrityError(f"stored bytes do not match their name: {key}")
    return data


def verified_chunks(chunks: Iterable[bytes], key: str) -> Iterator[bytes]:
    """``chunks`` passed on one behind, checked against ``key``'s digest: on a mismatch the
    last chunk is withheld and StorageIntegrityError raised in its place."""
    expected = digest_of_key(key)
    digest = hashlib.sha256()
    held: bytes | None = None
    for chunk in chunks:
        if not chunk:
            continue
        if held is not None:
            yield held
        digest.update(chunk)
        held = chunk
    if digest.hexdigest() != expected:
        raise StorageIntegrityError(f"stored bytes do not match their name: {key}")
    if held is not None:
        yield held


def copy_to_file(store: DocumentStore, key: str, destination: Path) -> None:
    """Write the bytes stored under ``key`` to ``destination``, streamed and verified.

    The bytes go to a temporary file beside ``destination`` that replaces it only once the
    whole file has matched its digest; on StorageIntegrityError nothing is left behind.
    """
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in store.stream(key):
                handle.write(chunk)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class LocalDocumentStore:
    """Files under ``root/ab/cd/<sha256>.<ext>``, written atomically, never overwritten."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def put(self, data: bytes, extension: str) -> StoredFile:
        """Store ``data`` (idempotent); raise StorageIntegrityError if a stored copy is corrupt."""
        extension = normalised_extension(extension)
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredFile(content_key(digest, extension), digest, len(data), extension)
        target = self._location(stored.key)
        if target.exists():
            self._verify(target, digest)
            return stored
        _private_directories(self.root, target.parent)
        # mkstemp creates the file 0600 whatever the umask; it is made read-only below.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, STORED_FILE_MODE)
            if target.exists():  # another writer won the race with the same bytes
                self._verify(target, digest)
            else:
                os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return stored

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key``, verified against the digest in the key."""
        return verified(self._location(key).read_bytes(), key)

    def stream(self, key: str) -> Iterator[bytes]:
        """The bytes stored under ``key`` in chunks, verified (see the module docstring).

        A malformed key (ValueError) or a missing file (FileNotFoundError) fails here, before
        the first chunk is asked for.
        """
        location = self._location(key)
        if not location.is_file():
            raise FileNotFoundError(f"no document stored under {key}")
        return verified_chunks(_chunks_of(location), key)

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        return self._location(key).is_file()

    def _location(self, key: str) -> Path:
        """Where ``key`` lives on disk; only well-formed keys are accepted."""
        digest_of_key(key)
        return self.root / key

    @staticmethod
    def _verify(target: Path, digest: str) -> None:
        if hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            raise StorageIntegrityError(f"existing file does not match its name: {target}")


def _pieces(fetched: Iterable[bytes]) -> Iterator[bytes]:
    """Rows' bytes as fetched (``models.blobs.BLOB_CHUNK_BYTES`` a query), handed on in
    ``CHUNK_BYTES`` pieces, as the local store hands on a file."""
    for block in fetched:
        for start in range(0, len(block), CHUNK_BYTES):
            yield block[start : start + CHUNK_BYTES]


def _chunks_of(location: Path) -> Iterator[bytes]:
    with location.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


class DatabaseDocumentStore:
    """Files as rows of the installation's database (``models.blobs.DocumentBlob``), keyed
    like the local store's; a row is written once, in its own transaction, and never changed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, data: bytes, extension: str) -> StoredFile:
        """Store ``data`` (idempotent, also when two writers race); StorageIntegrityError if
        the row already under its key holds other bytes."""
        extension = normalised_extension(extension)
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredFile(content_key(digest, extension), digest, len(data), extension)
        with self.db.reading() as session:
            recorded = read_blob(session, stored.key)
        if recorded is not None:
            verified(bytes(recorded), stored.key)
            return stored
        try:
            store_blob(self.db, stored.key, data)
        except BlobMismatch as error:
            raise StorageIntegrityError(str(error)) from error
        return stored

    def read(self, key: str) -> bytes:
        """The bytes stored under ``key``, verified against the digest in the key."""
        digest_of_key(key)
        with self.db.reading() as session:
            data = read_blob(session, key)
        if data is None:
            raise FileNotFoundError(f"no document stored under {key}")
        return verified(bytes(data), key)

    def stream(self, key: str) -> Iterator[bytes]:
        """The bytes stored under ``key``, read from the database a chunk at a time and
        verified as they go (see the module docstring). A malformed key (ValueError) or a
        missing row (FileNotFoundError) fails here, before the first chunk is asked for."""
        digest_of_key(key)
        with self.db.reading() as session:
            recorded = blob_digest(session, key)
        if recorded is None:
            raise FileNotFoundError(f"no document stored under {key}")
        return verified_chunks(_pieces(blob_chunks(self.db, key, recorded[1])), key)

    def exists(self, key: str) -> bool:
        """Whether a row is stored under ``key``."""
        digest_of_key(key)
        with self.db.reading() as session:
            return blob_digest(session, key) is not None


class StoreMismatch(RuntimeError):
    """This process's ``GRANTFLOW_DOCUMENT_STORE`` is not where the installation keeps its
    documents: what it stored would be out of reach of the other processes, and what they
    stored out of its reach. The message says which setting to change."""


def check_store_matches(db: Database, kind: str) -> None:
    """StoreMismatch when the installation's database shows its documents live elsewhere than
    ``kind`` says: files in ``document_blob`` while this process is set to its local folder,
    or served documents with no row there while it is set to the database (their files are
    still in a local folder: ``grantflow documents migrate-store --to database`` first)."""
    with db.reading() as session:
        if kind == "local":
            if session.exec(select(DocumentBlob.key).limit(1)).first() is not None:
                raise StoreMismatch(
                    "this installation keeps its documents in its database, but "
                    "GRANTFLOW_DOCUMENT_STORE is local here: set GRANTFLOW_DOCUMENT_STORE="
                    "database on this process, as on the others"
                )
            return
        missing = session.exec(
            select(StoredDocument.storage_key)
            .outerjoin(DocumentBlob, DocumentBlob.key == StoredDocument.storage_key)  # type: ignore[arg-type]
            .where(
                DocumentBlob.key.is_(None),  # type: ignore[union-attr]
                StoredDocument.withdrawn_at.is_(None),  # type: ignore[union-attr]
            )
            .limit(1)
        ).first()
    if missing is not None:
        raise StoreMismatch(
            "GRANTFLOW_DOCUMENT_STORE is database here, but documents of this installation "
            f"are not in its database yet (e.g. {missing}): run `grantflow documents "
            "migrate-store --to database` where they are, then start this process again"
        )


def configured_store(db: Database) -> DocumentStore:
    """The store ``GRANTFLOW_DOCUMENT_STORE`` names: ``local`` (default) the folder
    ``GRANTFLOW_DOCUMENT_DIR`` (or the data directory's ``documents/``), ``database`` ``db``."""
    if document_store_kind() == "database":
        return DatabaseDocumentStore(db)
    return LocalDocumentStore(document_dir())
