"""Request fingerprints are keyed: a guess of a deleted note cannot be checked against them."""

from __future__ import annotations

import hashlib
import json
import stat

from models.engine import fingerprint
from models.request_key import KEY_FILE


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
