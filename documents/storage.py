"""Content-addressed document files: a file's name is the SHA-256 of its bytes.

Files are never overwritten. Putting bytes that are already stored changes nothing and
returns the same StoredFile, so a retried task stores a document once. Other backends (object
storage) implement the same protocol.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")
_KEY = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\.([a-z0-9]{1,10})$")


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
    def put(self, data: bytes, extension: str) -> StoredFile: ...

    def read(self, key: str) -> bytes: ...

    def path(self, key: str) -> Path: ...

    def exists(self, key: str) -> bool: ...


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


class LocalDocumentStore:
    """Files under ``root/ab/cd/<sha256>.<ext>``, written atomically, never overwritten."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def put(self, data: bytes, extension: str) -> StoredFile:
        """Store ``data`` (idempotent); raise StorageIntegrityError if a stored copy is corrupt."""
        extension = extension.lower().lstrip(".")
        if not _EXTENSION.match(extension):
            raise ValueError(f"invalid extension: {extension!r}")
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredFile(content_key(digest, extension), digest, len(data), extension)
        target = self.path(stored.key)
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
        data = self.path(key).read_bytes()
        if hashlib.sha256(data).hexdigest() != _KEY.match(key).group(3):  # type: ignore[union-attr]
            raise StorageIntegrityError(f"stored bytes do not match their name: {key}")
        return data

    def path(self, key: str) -> Path:
        """Where ``key`` lives on disk; only well-formed keys are accepted."""
        match = _KEY.match(key)
        if (
            match is None
            or match.group(3)[:2] != match.group(1)
            or match.group(3)[2:4] != match.group(2)
        ):
            raise ValueError(f"not a document store key: {key!r}")
        return self.root / key

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        return self.path(key).is_file()

    @staticmethod
    def _verify(target: Path, digest: str) -> None:
        if hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            raise StorageIntegrityError(f"existing file does not match its name: {target}")
