from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from documents import DocumentStore, LocalDocumentStore, StoredFile
from documents.storage import StorageIntegrityError


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


def test_files_are_named_by_the_sha256_of_their_bytes(store):
    data = b"%PDF-1.7 fictional"
    digest = hashlib.sha256(data).hexdigest()
    stored = store.put(data, "pdf")
    assert stored == StoredFile(
        f"{digest[:2]}/{digest[2:4]}/{digest}.pdf", digest, len(data), "pdf"
    )
    assert store.path(stored.key) == store.root / digest[:2] / digest[2:4] / f"{digest}.pdf"
    assert store.exists(stored.key)
    assert store.read(stored.key) == data
    assert isinstance(store, DocumentStore)


def test_putting_the_same_bytes_again_changes_nothing(store):
    first = store.put(b"same bytes", "docx")
    path = store.path(first.key)
    before = path.stat()
    second = store.put(b"same bytes", ".DOCX")
    assert second == first
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_ino == before.st_ino


def test_different_bytes_never_overwrite_each_other(store):
    one, two = store.put(b"version 1", "pdf"), store.put(b"version 2", "pdf")
    assert one.key != two.key
    assert store.read(one.key) == b"version 1" and store.read(two.key) == b"version 2"


def test_no_temporary_files_are_left_behind(store):
    stored = store.put(b"x" * 10_000, "pdf")
    siblings = os.listdir(store.path(stored.key).parent)
    assert siblings == [Path(stored.key).name]


def test_a_corrupted_file_is_detected_rather_than_trusted(store):
    stored = store.put(b"original", "pdf")
    path = store.path(stored.key)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(StorageIntegrityError):
        store.put(b"original", "pdf")
    with pytest.raises(StorageIntegrityError):
        store.read(stored.key)


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "ab/cd/notahash.pdf", "00/00/" + "1" * 64 + ".pdf"]
)
def test_malformed_keys_are_refused(store, key):
    with pytest.raises(ValueError):
        store.path(key)
    with pytest.raises(ValueError):
        store.exists(key)


@pytest.mark.parametrize("extension", ["", "p/df", "../pdf", "a" * 11])
def test_bad_extensions_are_refused(store, extension):
    with pytest.raises(ValueError):
        store.put(b"data", extension)


def test_missing_keys_do_not_exist(store):
    digest = hashlib.sha256(b"never stored").hexdigest()
    key = f"{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.read(key)
