"""The installation's key for request fingerprints.

A request's fingerprint (``models.engine.fingerprint``) lets a repeat under the same
Idempotency-Key be told from a different request. It is kept on the accepted request and in
the audit event, and the audit trail is append-only and handed to auditors in dossiers. A
plain SHA-256 of the payload would let anyone holding it confirm a guess of a short text the
payload carried (a conflict note, deliberation notes), even after that text was deleted at
close (``models.data_return``). So the fingerprint is an HMAC under this installation's own
secret key: without the key, no guess can be checked.

The key is 32 random bytes. Past one machine every process must use the same one (a run
carried out again by another worker, a retry reaching another API machine, must be the same
request), so ``GRANTFLOW_REQUEST_KEY_FILE`` names the file every machine is given, as the
Fund's signing key is; a configured file that is missing or malformed is refused, never
made. Unset, the key is ``request-hash.key`` in the data directory, owner-only, generated on
first use; processes and threads starting together agree on one (the first link wins). Lose
it and a request repeated under an old Idempotency-Key is refused as a different request.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from models.db import data_dir

KEY_FILE = "request-hash.key"
KEY_FILE_SETTING = "GRANTFLOW_REQUEST_KEY_FILE"
KEY_BYTES = 32
_cache: dict[Path, bytes] = {}


def request_hash_key() -> bytes:
    """This installation's fingerprint key: the configured file's, or the data directory's,
    made on first use."""
    configured = os.environ.get(KEY_FILE_SETTING)
    path = Path(configured).resolve() if configured else data_dir() / KEY_FILE
    found = _cache.get(path)
    if found is not None:
        return found
    if configured and not path.exists():
        raise RuntimeError(
            f"{KEY_FILE_SETTING} names {path}, which does not exist: make the key once "
            f"({KEY_BYTES} random bytes, owner-only) and give every machine the same file"
        )
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Each caller its own temporary, threads of one process too (a name from the process
        # alone let one thread unlink another's before it linked it).
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(temporary, path)  # fails if another process made it first: use theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise RuntimeError(f"{path} is not a {KEY_BYTES}-byte request fingerprint key")
    _cache[path] = key
    return key
