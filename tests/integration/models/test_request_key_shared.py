"""Past one machine, every process fingerprints a request alike.

A request's fingerprint (``models.engine.fingerprint``) is an HMAC under the installation's
request key. Each machine has its own data directory; a key made in each would make the same
request a different one from machine to machine: a run carried out again by another worker
after the first died (between the transition's commit and the request's outcome) would be
refused as a reuse of its idempotency key, and a client's retry reaching another API machine
likewise. ``GRANTFLOW_REQUEST_KEY_FILE`` names the one key every machine is given.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models import fictional
from models.engine import apply_action
from models.fictional.script import actor
from models.provisioning import create_application
from models.request_key import KEY_BYTES, KEY_FILE, KEY_FILE_SETTING, request_hash_key
from tests.support.models_support import new_database


def shared_key(path: Path) -> Path:
    path.write_bytes(bytes(range(KEY_BYTES)))
    path.chmod(0o600)
    return path


def test_a_step_carried_out_again_on_another_machine_is_a_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_FILE_SETTING, str(shared_key(tmp_path / "request-hash.key")))
    db = new_database(tmp_path)
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    applicant = actor(cast.applicants[organisation.id])

    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "worker-1"))
    first = apply_action(db, grant.id, "submit", applicant, {}, idempotency_key="request-1")
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "worker-2"))
    again = apply_action(db, grant.id, "submit", applicant, {}, idempotency_key="request-1")

    assert not first.replayed
    assert again.replayed and again.event_id == first.event_id
    for machine in ("worker-1", "worker-2"):
        assert not (tmp_path / machine / KEY_FILE).exists()  # no key of its own


def test_a_configured_key_that_is_missing_or_malformed_is_refused_not_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.key"
    monkeypatch.setenv(KEY_FILE_SETTING, str(missing))
    with pytest.raises(RuntimeError, match=KEY_FILE_SETTING):
        request_hash_key()
    assert not missing.exists()  # made here, it would be this machine's alone
    short = tmp_path / "short.key"
    short.write_bytes(b"too short")
    monkeypatch.setenv(KEY_FILE_SETTING, str(short))
    with pytest.raises(RuntimeError, match="32-byte"):
        request_hash_key()
