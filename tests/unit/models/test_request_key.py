"""Request fingerprints are keyed: a guess of a deleted note cannot be checked against them."""

from __future__ import annotations

import hashlib
import json
import stat
import threading
from concurrent.futures import ThreadPoolExecutor

from models.engine import fingerprint
from models.request_key import KEY_FILE, request_hash_key


def test_a_fingerprint_confirms_no_guess_without_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path))
    payload = {"kind": "indirect", "note": "my cousin sits on its board"}
    keyed = fingerprint("declare_conflict", payload)
    guessed = json.dumps(["declare_conflict", payload], sort_keys=True, default=str)
    assert keyed != hashlib.sha256(guessed.encode()).hexdigest()
    assert len(keyed) == 64
    assert keyed == fingerprint("declare_conflict", dict(payload))  # a repeat is still a repeat
    assert keyed != fingerprint("declare_conflict", {**payload, "note": "another"})
    key = tmp_path / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


def test_each_installation_has_its_own_key(tmp_path, monkeypatch):
    payload = {"kind": "none", "note": ""}
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "one"))
    first = fingerprint("declare_conflict", payload)
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "two"))
    assert fingerprint("declare_conflict", payload) != first
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "one"))
    assert fingerprint("declare_conflict", payload) == first


def test_threads_of_one_process_making_the_key_at_once_all_get_it(tmp_path, monkeypatch):
    """The API answers requests in threads: the first requests of a new installation, at once,
    all make the key together. Each gets the one key (none fails on another's temporary
    file, which a temporary named by the process alone let one thread unlink under another)."""
    threads = 12
    for attempt in range(20):
        monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / str(attempt)))
        start = threading.Barrier(threads)

        def make(start: threading.Barrier = start) -> bytes:
            start.wait()
            return request_hash_key()

        with ThreadPoolExecutor(threads) as pool:
            keys = [f.result() for f in [pool.submit(make) for _ in range(threads)]]
        assert len(set(keys)) == 1
        assert keys[0] == (tmp_path / str(attempt) / KEY_FILE).read_bytes()
        assert [p.name for p in (tmp_path / str(attempt)).iterdir()] == [KEY_FILE]
