from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from documents import DatabaseDocumentStore, DocumentStore, LocalDocumentStore, StoredFile
from documents.storage import StorageIntegrityError, copy_to_file
from tests.support.memory_store import InMemoryDocumentStore
from tests.support.models_support import new_database


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


def on_disk(store: LocalDocumentStore, key: str) -> Path:
    """Where the local store keeps ``key``: computed from its root, not asked of it."""
    return store.root / key


def overwrite(store: LocalDocumentStore, key: str, data: bytes) -> None:
    path = on_disk(store, key)
    path.chmod(0o644)
    path.write_bytes(data)


# The protocol, held to by both stores ----------------------------------------------------------


@dataclass
class Backend:
    """A DocumentStore and the way a test damages what it stored (which only its test knows)."""

    store: DocumentStore
    tamper: Callable[[str, bytes], None]


def local_backend(tmp_path: Path) -> Backend:
    store = LocalDocumentStore(tmp_path / "documents")
    return Backend(store, lambda key, data: overwrite(store, key, data))


def memory_backend(tmp_path: Path) -> Backend:
    store = InMemoryDocumentStore()
    return Backend(store, store.blobs.__setitem__)


def database_backend(tmp_path: Path) -> Backend:
    """Rows of grantflow's database: SQLite here, PostgreSQL under GRANTFLOW_TEST_DATABASE."""
    store = DatabaseDocumentStore(new_database(tmp_path))

    def tamper(key: str, data: bytes) -> None:
        with store.db.engine.begin() as connection:
            connection.execute(
                text("UPDATE document_blob SET data = :data WHERE key = :key"),
                {"data": data, "key": key},
            )

    return Backend(store, tamper)


@pytest.fixture(
    params=[local_backend, memory_backend, database_backend],
    ids=["local", "in-memory", "database"],
)
def backend(request, tmp_path: Path) -> Backend:
    return request.param(tmp_path)


def test_each_store_is_a_document_store_without_a_path(backend):
    assert isinstance(backend.store, DocumentStore)
    assert "path" not in DocumentStore.__dict__


def test_each_store_gives_back_what_it_stored_whole_and_in_chunks(backend):
    data = bytes(range(256)) * 1_000  # several chunks in either store
    digest = hashlib.sha256(data).hexdigest()
    stored = backend.store.put(data, ".PDF")
    assert stored == StoredFile(
        f"{digest[:2]}/{digest[2:4]}/{digest}.pdf", digest, len(data), "pdf"
    )
    assert backend.store.put(data, "pdf") == stored
    assert backend.store.exists(stored.key)
    assert backend.store.read(stored.key) == data
    chunks = list(backend.store.stream(stored.key))
    assert len(chunks) > 1
    assert b"".join(chunks) == data


def test_each_store_streams_an_empty_file_as_no_chunks(backend):
    stored = backend.store.put(b"", "pdf")
    assert backend.store.read(stored.key) == b""
    assert list(backend.store.stream(stored.key)) == []


@pytest.mark.parametrize("size", [10, 200_000], ids=["one chunk", "many chunks"])
def test_a_tampered_file_is_refused_by_read_and_never_streamed_whole(backend, size):
    original = b"o" * size
    stored = backend.store.put(original, "pdf")
    backend.tamper(stored.key, b"t" * size)
    with pytest.raises(StorageIntegrityError):
        backend.store.read(stored.key)
    received = []
    with pytest.raises(StorageIntegrityError):
        for chunk in backend.store.stream(stored.key):
            received.append(chunk)
    assert len(b"".join(received)) < size, "the last chunk is withheld"


def test_a_tampered_file_is_not_copied_out(backend, tmp_path):
    stored = backend.store.put(b"original " * 50_000, "pdf")
    backend.tamper(stored.key, b"tampered " * 50_000)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StorageIntegrityError):
        copy_to_file(backend.store, stored.key, out / "letter.pdf")
    assert os.listdir(out) == []


def test_a_stored_file_is_copied_out_whole(backend, tmp_path):
    data = b"fictional decision letter " * 20_000
    stored = backend.store.put(data, "pdf")
    out = tmp_path / "out"
    out.mkdir()
    copy_to_file(backend.store, stored.key, out / "letter.pdf")
    assert (out / "letter.pdf").read_bytes() == data
    assert os.listdir(out) == ["letter.pdf"]


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "ab/cd/notahash.pdf", "00/00/" + "1" * 64 + ".pdf"]
)
def test_malformed_keys_are_refused(backend, key):
    for method in (backend.store.exists, backend.store.read, backend.store.stream):
        with pytest.raises(ValueError):
            method(key)


@pytest.mark.parametrize("extension", ["", "p/df", "../pdf", "a" * 11])
def test_bad_extensions_are_refused(backend, extension):
    with pytest.raises(ValueError):
        backend.store.put(b"data", extension)


def test_missing_keys_do_not_exist(backend):
    digest = hashlib.sha256(b"never stored").hexdigest()
    key = f"{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert not backend.store.exists(key)
    with pytest.raises(FileNotFoundError):
        backend.store.read(key)
    with pytest.raises(FileNotFoundError):
        backend.store.stream(key)


def test_different_bytes_never_overwrite_each_other(backend):
    one, two = backend.store.put(b"version 1", "pdf"), backend.store.put(b"version 2", "pdf")
    assert one.key != two.key
    assert backend.store.read(one.key) == b"version 1"
    assert backend.store.read(two.key) == b"version 2"


# The local store's files ------------------------------------------------------------------------


def test_files_are_named_by_the_sha256_of_their_bytes(store):
    data = b"%PDF-1.7 fictional"
    digest = hashlib.sha256(data).hexdigest()
    stored = store.put(data, "pdf")
    assert stored == StoredFile(
        f"{digest[:2]}/{digest[2:4]}/{digest}.pdf", digest, len(data), "pdf"
    )
    assert (store.root / digest[:2] / digest[2:4] / f"{digest}.pdf").read_bytes() == data
    assert store.exists(stored.key)
    assert store.read(stored.key) == data
    assert isinstance(store, DocumentStore)


def test_putting_the_same_bytes_again_changes_nothing(store):
    first = store.put(b"same bytes", "docx")
    path = on_disk(store, first.key)
    before = path.stat()
    second = store.put(b"same bytes", ".DOCX")
    assert second == first
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_ino == before.st_ino


def test_no_temporary_files_are_left_behind(store):
    stored = store.put(b"x" * 10_000, "pdf")
    siblings = os.listdir(on_disk(store, stored.key).parent)
    assert siblings == [Path(stored.key).name]


def test_a_corrupted_file_is_detected_rather_than_trusted(store):
    stored = store.put(b"original", "pdf")
    overwrite(store, stored.key, b"tampered")
    with pytest.raises(StorageIntegrityError):
        store.put(b"original", "pdf")
    with pytest.raises(StorageIntegrityError):
        store.read(stored.key)
    with pytest.raises(StorageIntegrityError):
        list(store.stream(stored.key))


# The database store's rows -----------------------------------------------------------------------


@pytest.fixture
def rows(tmp_path: Path) -> DatabaseDocumentStore:
    return DatabaseDocumentStore(new_database(tmp_path))


def test_the_database_store_reads_a_large_file_a_query_at_a_time(rows, monkeypatch):
    import models.blobs

    queries: list[int] = []
    original = models.blobs.select

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        queries.append(1)
        return original(*args, **kwargs)

    data = os.urandom(300_000)
    stored = rows.put(data, "pdf")
    monkeypatch.setattr(models.blobs, "BLOB_CHUNK_BYTES", 100_000)
    monkeypatch.setattr(models.blobs, "select", counted)
    assert b"".join(rows.stream(stored.key)) == data
    assert len(queries) >= 4  # its digest, then three slices of 100,000 bytes


def test_two_writers_putting_the_same_bytes_at_once_store_one_row(rows):
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import func, select

    from models.blobs import DocumentBlob

    data = b"fictional agreement " * 10_000
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: rows.put(data, "pdf"), range(8)))
    assert len(set(results)) == 1
    with rows.db.reading() as session:
        assert session.exec(select(func.count()).select_from(DocumentBlob)).one() == 1
    assert rows.read(results[0].key) == data


def test_a_row_holding_other_bytes_is_not_trusted_by_a_second_put(rows):
    stored = rows.put(b"the original", "pdf")
    with rows.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE document_blob SET data = :data WHERE key = :key"),
            {"data": b"a forgery", "key": stored.key},
        )
    with pytest.raises(StorageIntegrityError):
        rows.put(b"the original", "pdf")
