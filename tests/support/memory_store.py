"""A second DocumentStore: bytes in a dict, no files and no paths.

It shows the protocol is enough for everything that reads documents: a caller that still
needed a local path would fail against it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from documents.storage import (
    StoredFile,
    content_key,
    digest_of_key,
    normalised_extension,
    verified,
    verified_chunks,
)

CHUNK_BYTES = 1_000  # small, so a test's bytes come in several chunks


class InMemoryDocumentStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes, extension: str) -> StoredFile:
        extension = normalised_extension(extension)
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredFile(content_key(digest, extension), digest, len(data), extension)
        if stored.key in self.blobs:
            verified(self.blobs[stored.key], stored.key)
        self.blobs.setdefault(stored.key, data)
        return stored

    def read(self, key: str) -> bytes:
        return verified(self._blob(key), key)

    def stream(self, key: str) -> Iterator[bytes]:
        blob = self._blob(key)
        chunks = (blob[start : start + CHUNK_BYTES] for start in range(0, len(blob), CHUNK_BYTES))
        return verified_chunks(chunks, key)

    def exists(self, key: str) -> bool:
        digest_of_key(key)
        return key in self.blobs

    def _blob(self, key: str) -> bytes:
        digest_of_key(key)
        if key not in self.blobs:
            raise FileNotFoundError(f"no document stored under {key}")
        return self.blobs[key]
